"""Entry point of `python -m vinocr.vin`."""

from vinocr.vin.cli import run

run()
