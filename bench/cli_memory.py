"""Peak memory of `python -m vinocr.vin ZIP --csv OUT` as the number of VINs grows: it must not grow.

    python -m bench.cli_memory [--vins 1 100 300 600] [--distinct 20] [--keep DIR]

Writes one ZIP per count (a folder of 17 PNG box images per VIN: `--distinct` different generated
VINs, vinocr.synth.samples, repeated), runs the CLI on each in a fresh process and reports its peak
RSS (the process's own ru_maxrss, from wait4), wall time, and what one more VIN costs (the slope of
peak RSS over the counts). The CSV is checked to hold one row per VIN. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes
from vinocr.synth.vins import random_valid_vin

ROOT = Path(__file__).resolve().parents[1]


def write_zip(path: Path, vins: int, distinct: int, seed: int = 0) -> None:
    """A ZIP of `vins` folders (vin1 ... vinN) of 17 PNG boxes, `distinct` different VINs repeated."""
    rng = np.random.default_rng(seed)
    sets = [
        [(name, encode_png(image)) for name, image in sample_boxes(random_valid_vin(rng), seed + k)]
        for k in range(min(distinct, vins))
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(vins):
            for name, data in sets[n % len(sets)]:
                archive.writestr(f"vin{n + 1}/{name}", data)


def measure(zip_path: Path, csv_path: Path) -> tuple[float, float, int, int]:
    """Run the CLI on the ZIP: (peak RSS in MB, seconds, exit status, CSV rows)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "vinocr.vin", str(zip_path), "--csv", str(csv_path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if stderr.strip():
        print(f"  stderr: {stderr.strip()[:300]}", file=sys.stderr)
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    return usage.ru_maxrss / 1024, seconds, process.returncode, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vins", type=int, nargs="+", default=[1, 100, 300, 600])
    parser.add_argument("--distinct", type=int, default=20, help="different VINs drawn, then repeated")
    parser.add_argument("--keep", type=Path, help="write the ZIPs and CSVs here (default: a temp folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        print("| VINs | ZIP size | peak RSS | wall time | per VIN | exit | CSV rows |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for count in args.vins:
            zip_path = folder / f"vins{count}.zip"
            write_zip(zip_path, count, args.distinct)
            peak, seconds, status, rows = measure(zip_path, folder / f"vins{count}.csv")
            results.append((count, peak))
            size = zip_path.stat().st_size / 2**20
            print(
                f"| {count} | {size:.1f} MB | {peak:.0f} MB | {seconds:.1f} s | "
                f"{seconds / count * 1000:.0f} ms | {status} | {rows} |"
            )
            if rows != count:
                print(f"error: the CSV holds {rows} rows for {count} VINs", file=sys.stderr)
                return 1
    if len(results) >= 2:
        counts, peaks = np.array(results, dtype=float).T
        slope = np.polyfit(counts, peaks, 1)[0]
        print(f"\npeak RSS grows by {slope * 1024:.1f} KB per VIN (least squares over {len(results)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
