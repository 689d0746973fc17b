"""Speed benchmark: model load, one box and 17 boxes end to end, CLI throughput.

python -m bench.bench_speed [--runs 50] [--cli-images 1000]
Prints a Markdown table (medians). Box images are the project's own drawn samples (no EMNIST).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn, runs: int) -> float:
    """Median wall time of `fn()` in milliseconds over `runs` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def cli_seconds(folder: Path) -> float:
    """Wall time of `python -m vinocr FOLDER` (output discarded)."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "vinocr", str(folder)],
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


COLD_LOAD = (
    "import time; t = time.perf_counter(); from vinocr.box.recognizer import Recognizer; "
    "Recognizer.load(); print(time.perf_counter() - t)"
)


def cold_load_seconds() -> float:
    """Imports + model load in a fresh Python process (what a CLI run or app start pays)."""
    cmd = [sys.executable, "-c", COLD_LOAD]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--cli-images", type=int, default=1000)
    args = parser.parse_args()

    cold = [cold_load_seconds() for _ in range(5)]
    from vinocr.box.recognizer import Recognizer

    load_ms = median_ms(lambda: Recognizer.load(), max(5, args.runs // 10))
    recognizer = Recognizer.load()
    items = [(name, encode_png(img)) for name, img in sample_boxes()]
    one_ms = median_ms(lambda: recognizer.recognize_bytes(items[:1]), args.runs)
    batch_ms = median_ms(lambda: recognizer.recognize_bytes(items), args.runs)

    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp, "small"), Path(tmp, "big")
        small.mkdir()
        big.mkdir()
        for i in range(args.cli_images):
            name, data = items[i % len(items)]
            (big / f"{i:05d}_{name}").write_bytes(data)
            if i < len(items):
                (small / name).write_bytes(data)
        t_small = min(cli_seconds(small) for _ in range(3))
        t_big = min(cli_seconds(big) for _ in range(3))
    throughput = (args.cli_images - len(items)) / (t_big - t_small)

    print("| measurement | median | target |\n|---|---|---|")
    cold_s = statistics.median(cold)
    print(f"| model load, fresh process (imports + `Recognizer.load`) | {cold_s:.2f} s | <= 2 s |")
    print(f"| model load, warm process (`Recognizer.load`) | {load_ms:.0f} ms | - |")
    print(f"| 1 box end to end (PNG decode + preprocess + predict) | {one_ms:.1f} ms | - |")
    print(f"| 17 boxes end to end | {batch_ms:.1f} ms | <= 25 ms |")
    print(f"| CLI, {args.cli_images} images | {t_big:.1f} s total, start-up {t_small:.1f} s | - |")
    print(f"| CLI throughput after start-up | {throughput:.0f} images/s | >= 300 images/s |")


if __name__ == "__main__":
    main()
