"""Speed benchmark: model load, one box and 17 boxes end to end, CLI throughput on two sets.

python -m bench.bench_speed [--runs 50] [--cli-images 1000]
Prints a Markdown table (medians). No EMNIST: the sets are the project's 17 drawn sample boxes
(repeated), and a mixed set of 40-300 px boxes drawn by the box generator in every style that
needs no EMNIST array (glyphs drawn with Hershey fonts, as the samples are).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from vinocr.alphabet import VIN_ALPHABET
from vinocr.box.image_io import encode_png
from vinocr.synth.boxes import STYLES, random_style, render_box
from vinocr.synth.samples import draw_glyph, sample_boxes

ROOT = Path(__file__).resolve().parent.parent
MIXED_SIZES = (40, 300)


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


def mixed_boxes(count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """`count` PNG boxes of 40-300 px, the generator's styles in turn (those without EMNIST arrays)."""
    rng = np.random.default_rng(seed)
    styles = [s for s in STYLES if not random_style(np.random.default_rng(0), s).raw_scale]
    boxes = []
    for i in range(count):
        style = replace(random_style(rng, styles[i % len(styles)]), size=int(rng.integers(*MIXED_SIZES)))
        glyph = draw_glyph(str(rng.choice(list(VIN_ALPHABET))), rng)
        boxes.append((f"mixed{i:05d}.png", encode_png(render_box(glyph, style, rng))))
    return boxes


def cli_throughput(items: list[tuple[str, bytes]], total: int, small: int = 17) -> tuple[float, float, float]:
    """(seconds for `total` images, seconds for the first `small`, images/s after start-up).

    The images cycle through `items`; each run is the best of three.
    """
    with tempfile.TemporaryDirectory() as tmp:
        few, many = Path(tmp, "few"), Path(tmp, "many")
        few.mkdir()
        many.mkdir()
        for i in range(total):
            name, data = items[i % len(items)]
            (many / f"{i:05d}_{name}").write_bytes(data)
            if i < small:
                (few / f"{i:05d}_{name}").write_bytes(data)
        t_small = min(cli_seconds(few) for _ in range(3))
        t_big = min(cli_seconds(many) for _ in range(3))
    return t_big, t_small, (total - small) / (t_big - t_small)


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
    mixed = mixed_boxes(args.cli_images)
    mixed_ms = median_ms(lambda: recognizer.recognize_bytes(mixed[:17]), args.runs)
    samples_cli = cli_throughput(items, args.cli_images)
    mixed_cli = cli_throughput(mixed, args.cli_images)

    print("| measurement | median | target |\n|---|---|---|")
    cold_s = statistics.median(cold)
    print(f"| model load, fresh process (imports + `Recognizer.load`) | {cold_s:.2f} s | <= 2 s |")
    print(f"| model load, warm process (`Recognizer.load`) | {load_ms:.0f} ms | - |")
    print(f"| 1 box end to end (PNG decode + preprocess + predict) | {one_ms:.1f} ms | - |")
    print(f"| 17 sample boxes end to end | {batch_ms:.1f} ms | <= 25 ms |")
    print(f"| 17 mixed boxes end to end | {mixed_ms:.1f} ms | <= 25 ms |")
    for name, (t_big, t_small, rate), target in (
        ("the 17 samples", samples_cli, ">= 300"),
        ("mixed 40-300 px boxes", mixed_cli, ">= 500"),
    ):
        print(
            f"| CLI, {args.cli_images} images ({name}) | {t_big:.1f} s total, start-up {t_small:.1f} s | - |"
        )
        print(f"| CLI throughput after start-up ({name}) | {rate:.0f} images/s | {target} images/s |")


if __name__ == "__main__":
    main()
