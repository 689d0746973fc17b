"""Benchmarks and evaluation scripts: run from the project root as `python -m bench.NAME`."""
