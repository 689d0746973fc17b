"""Entry point of `python -m vinocr`."""

from vinocr.box.cli import run

run()
