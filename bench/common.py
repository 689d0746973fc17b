"""Shared set-up of the evaluation scripts: the data flags and the test split."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vinocr.train.data import VinSplit, load_vin_split, resolve_emnist_dir


def eval_parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with --emnist-dir (else VINOCR_EMNIST_DIR) and --seed."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--emnist-dir", help="EMNIST folder (default: $VINOCR_EMNIST_DIR)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def load_split(args: argparse.Namespace) -> VinSplit:
    """The EVALUATION.md split of the folder the arguments name."""
    return load_vin_split(resolve_emnist_dir(args.emnist_dir))


def write_report(path: Path, report: dict) -> None:
    """Write a benchmark's JSON report (under artifacts/) and print it."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
