"""Stage 3 of `python -m vinocr.train`: the writers' stage. Fine-tune a trained network so that it reads
the handwriting conventions EMNIST lacks.

`python -m vinocr.train.writers --from models/vinocr.keras` runs it alone from a shipped model (how the
committed model was made: see docs/training.md); `python -m vinocr.train` runs it after stage 2.

Each epoch feeds (all from the train split only; realdev is never trained on):
- EMNIST_GLYPHS train arrays, augmented as in stages 1-2 but slanted further (shear +-SLANT_SHEAR);
- convention variants of train glyphs (`vinocr.synth.conventions`: slashed 0, 1 with flag and foot,
  barred 7 and Z, open-top 4), augmented the same way;
- characters rendered from handwriting fonts (`vinocr.synth.fonts`, when the font cache holds any:
  `--fetch-fonts` fills it with `npm pack`), augmented the same way;
- BOX_GLYPHS train glyphs drawn in random box styles and read through the box path (as stage 2), fed
  as they come out of preprocessing, so the box path's traces stay familiar;
- the box cuts of PHOTO_CUTS photographed VIN fields of train glyphs (`vinocr.train.photo_cuts`,
  `--photo-cuts`), fed as they come out, so that what a phone photo does to a census glyph stays
  familiar too.
The census rows (EMNIST arrays, box-path and photo-path inputs) learn `1 - DISTILL` of their label and
DISTILL of the start network's probabilities for the same augmented image (`vinocr.train.distill`,
`--writers-distill`). Both keep the census photos from dropping as far as the conventions pull them
(docs/real-handwriting.md, where the census photos and realdev trade).
Checkpoints `writers-epoch-NN.keras` and `writers-history.jsonl` in the work folder; each epoch's
history row also holds `realdev_accuracy` when a realdev folder is found (reported, not trained on).

The network shipped is not the stage's last checkpoint itself but a blend of it with the network the
stage started from (weights start + BLEND x change, as WiSE-FT does for fine-tuned models): both lie
in one basin, and the blend keeps most of the new conventions while giving back part of what the census
hands lost (`--writers-blend 1` ships the checkpoint as it is; docs/real-handwriting.md has the sweep).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

from vinocr.alphabet import VIN_ALPHABET
from vinocr.train.augment import SLANT_SHEAR, WRITERS_ELASTIC
from vinocr.train.box_styles import TRAIN_FILE, VALIDATION_FILE, VALIDATION_SEED_OFFSET, cached_inputs
from vinocr.train.callbacks import read_history
from vinocr.train.distill import Distillation, keras_teacher
from vinocr.train.photo_cuts import TRAIN_FILE as PHOTO_FILE
from vinocr.train.photo_cuts import cached_photo_inputs
from vinocr.train.stages import epoch_callbacks, fit_stage, training_batches

PREFIX = "writers-"
BLEND_PREFIX = "writers-blend-"
BLEND = 0.9  # share of the stage's weight change kept (WiSE-FT); chosen on validation + realdev
DISTILL = 0.7  # share of the start network's probabilities in census glyphs' targets (distillation)
PHOTO_CUTS = 2400  # photos of train-glyph VIN fields whose box cuts are fed (photo path; 17 boxes each)
BOX_GLYPHS = 20_000  # train glyphs read through the box path (stage 2 used all; these keep it familiar)
EMNIST_GLYPHS = 30_000  # train arrays per run (a random subset: the stage fits 2 h on 2 cores; 0: all)
FONT_RENDERS_PER_CHAR = 800  # 26,400 renders for the 33 characters


class RealdevAccuracy(keras.callbacks.Callback):
    """Puts `realdev_accuracy` (real writers' characters, box path inputs) into the logs; for choosing."""

    def __init__(self, x: np.ndarray, labels: list[str]) -> None:
        super().__init__()
        self.x, self.labels = x[..., None], labels

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        reads = self.model.predict(self.x, verbose=0).argmax(1)
        right = sum(VIN_ALPHABET[i] == c for i, c in zip(reads, self.labels, strict=True))
        if logs is not None:
            logs["realdev_accuracy"] = right / len(self.labels)


def start_network(path: Path) -> keras.Model:
    """A trainable network (`build_model`'s layers, softmax output) with the weights of `path`: a
    shipped inference model (its single member's weights) or a training checkpoint."""
    from vinocr.train.model import build_model

    loaded = keras.models.load_model(path, compile=False)
    source = loaded.get_layer("member_0") if "member_0" in [layer.name for layer in loaded.layers] else loaded
    width = source.layers[2].filters / 32 if hasattr(source.layers[2], "filters") else 1.0
    model = build_model(width=width)
    model.set_weights(source.get_weights())
    return model


def start_history(start: Path) -> list[dict]:
    """The epochs of the start network: the history.json beside a shipped model (none for a checkpoint)."""
    from vinocr.model_files import HISTORY_FILE

    path = start.with_name(HISTORY_FILE)
    return json.loads(path.read_text()) if path.is_file() else []


def blend_checkpoints(work: Path, start: Path, share: float) -> str:
    """Write `writers-blend-epoch-NN.keras` beside each `writers-epoch-NN.keras`: start + share x
    (checkpoint - start), weight by weight. Returns the prefix finalize should read (the stage's own
    when share is 1)."""
    if share >= 1.0:
        return PREFIX
    base = start_network(start).get_weights()
    for path in sorted(work.glob(f"{PREFIX}epoch-*.keras")):
        model = keras.models.load_model(path, compile=False)
        model.set_weights([b + share * (w - b) for b, w in zip(base, model.get_weights(), strict=True)])
        model.save(work / f"{BLEND_PREFIX}{path.name.removeprefix(PREFIX)}")
    return BLEND_PREFIX


def writers_data(
    split,
    seed: int,
    fonts: list[Path],
    limit: int,
    work: Path,
    emnist: int = EMNIST_GLYPHS,
    font_renders: int = FONT_RENDERS_PER_CHAR,
    photos: int = PHOTO_CUTS,
) -> tuple[np.ndarray, ...]:
    """(x, y, augment, census) of one run of the stage: see the module docstring. `census` marks the
    EMNIST glyphs (arrays, box-path and photo-path inputs), which distillation softens. A smoke run
    (`limit`, its split already cut by `smoke_slice`) renders and photographs only a few glyphs."""
    from vinocr.synth.conventions import convention_variants
    from vinocr.synth.fonts import render_font_glyphs

    x_train, y_train = split.x_train, split.y_train
    x_var, y_var = convention_variants(x_train, y_train, VIN_ALPHABET, seed)
    rng = np.random.default_rng(seed)
    plain = rng.permutation(len(y_train))[: emnist or len(y_train)]
    per_char = font_renders if not limit else 3
    photos = photos if not limit else min(photos, 3)  # a smoke run photographs a few fields
    x_font, y_font = (
        render_font_glyphs(fonts, VIN_ALPHABET, per_char, seed) if fonts else (x_var[:0], y_var[:0])
    )
    picks = rng.permutation(len(y_train))[: min(BOX_GLYPHS, len(y_train))]
    x_box, y_box = cached_inputs(work / TRAIN_FILE, x_train[picks], y_train[picks], seed)
    x_photo, y_photo = x_box[:0], y_box[:0]
    if photos:
        x_photo, y_photo = cached_photo_inputs(work / PHOTO_FILE, x_train, y_train, photos, seed)
    print(
        f"EMNIST {len(plain)}, variants {len(y_var)}, font renders {len(y_font)}, box path {len(y_box)}, "
        f"photo path {len(y_photo)}"
    )
    x = np.concatenate([x_train[plain], x_var, x_font, x_box, x_photo])
    y = np.concatenate([y_train[plain], y_var, y_font, y_box, y_photo])
    as_cut = len(y_box) + len(y_photo)  # fed as the box and photo paths make them, not augmented
    augment = np.concatenate([np.ones(len(y) - as_cut, bool), np.zeros(as_cut, bool)])
    census = np.ones(len(y), bool)
    census[len(plain) : len(y) - as_cut] = False
    return x, y, augment, census


def train_writers(args: argparse.Namespace, split, work: Path, seed: int, start: Path) -> float:
    """Run (or resume) the writers' stage in `work` from the network in `start`; wall time in seconds."""
    from vinocr.synth.fonts import cached_fonts
    from vinocr.train.finetune import BoxValidation
    from vinocr.train.realdev import model_inputs, named_realdev_dir

    keras.utils.set_random_seed(seed + 2)
    started = time.time()
    x, y, augment, census = writers_data(
        split,
        seed,
        cached_fonts(args.font_dir),
        args.limit,
        work,
        args.writers_emnist,
        args.font_renders,
        args.photo_cuts,
    )
    model = start_network(start)
    soft = args.writers_distill > 0
    distill = (
        Distillation(keras_teacher(start_network(start)), census, args.writers_distill, len(VIN_ALPHABET))
        if soft
        else None
    )
    done = len(read_history(work / f"{PREFIX}history.jsonl"))
    batches = training_batches(
        x, y, augment, args, seed + 2, done, SLANT_SHEAR, args.writers_elastic, distill
    )
    x_box_val, y_box_val = cached_inputs(
        work / VALIDATION_FILE, split.x_val, split.y_val, seed + VALIDATION_SEED_OFFSET
    )
    extra = [BoxValidation(x_box_val, y_box_val)]
    realdev = named_realdev_dir(args.realdev_dir)
    if realdev is not None:
        extra.append(RealdevAccuracy(*model_inputs(realdev)))
    schedule = keras.optimizers.schedules.CosineDecay(
        args.writers_lr, args.writers_epochs * len(batches), alpha=0.01
    )
    x_val = split.x_val[..., None].astype(np.float32)
    callbacks = epoch_callbacks(work, PREFIX, x_val, split.y_val, extra)
    fit_stage(model, schedule, batches, args.writers_epochs, (x_val, split.y_val), callbacks, soft)
    return time.time() - started


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The stage's flags (shared by `python -m vinocr.train` and this module's own command)."""
    from vinocr.synth.fonts import DEFAULT_CACHE

    parser.add_argument("--writers-epochs", type=int, default=2, help="writers' stage epochs (0: none)")
    parser.add_argument(
        "--writers-lr", type=float, default=3e-4, help="writers' stage: starting learning rate"
    )
    parser.add_argument(
        "--writers-emnist", type=int, default=EMNIST_GLYPHS, help="EMNIST train arrays (0: all)"
    )
    parser.add_argument(
        "--writers-elastic", type=float, default=WRITERS_ELASTIC, help="share of images bent elastically"
    )
    parser.add_argument(
        "--writers-blend",
        type=float,
        default=BLEND,
        help="share of the stage's weight change shipped (1: its checkpoint as it is)",
    )
    parser.add_argument(
        "--writers-distill",
        type=float,
        default=DISTILL,
        help="share of the start network's probabilities in the census glyphs' targets (0: hard labels)",
    )
    parser.add_argument(
        "--photo-cuts", type=int, default=PHOTO_CUTS, help="photos of train-glyph fields cut into boxes"
    )
    parser.add_argument(
        "--font-renders", type=int, default=FONT_RENDERS_PER_CHAR, help="font renders per character"
    )
    parser.add_argument("--font-dir", type=Path, default=DEFAULT_CACHE, help="handwriting font cache")
    parser.add_argument("--fetch-fonts", action="store_true", help="fill the font cache first (npm pack)")
    parser.add_argument("--realdev-dir", help="real writers' folder, reported each epoch (not trained on)")


def recipe(args: argparse.Namespace, fonts: int) -> dict:
    """The stage's parameters, for metrics.json."""
    from vinocr.synth.conventions import SHARE

    return {
        "epochs": args.writers_epochs,
        "learning_rate": f"{args.writers_lr}, cosine decay to 1%",
        "shear": f"+-{SLANT_SHEAR}",
        "elastic": f"{args.writers_elastic} of the augmented images (at most 2.5 px, smoothed over 4 px)",
        "convention_variants": {"shares of each class's train glyphs": SHARE},
        "font_renders": f"{args.font_renders} per character from {fonts} handwriting fonts",
        "emnist_arrays": args.writers_emnist or "all",
        "box_path_inputs": BOX_GLYPHS,
        "photo_path_inputs": f"the box cuts of {args.photo_cuts} photos of train-glyph VIN fields",
        "distillation": f"census glyphs' targets: {1 - args.writers_distill:g} x label + "
        f"{args.writers_distill:g} x the start network's probabilities for the augmented image",
        "blend": f"start + {args.writers_blend} x (last checkpoint - start), weight by weight",
    }


def main(argv: list[str] | None = None) -> int:
    from vinocr.synth.fonts import cached_fonts, fetch_fonts
    from vinocr.train.data import load_vin_split, resolve_emnist_dir, smoke_slice
    from vinocr.train.export import MAX_PASSES, finalize

    parser = argparse.ArgumentParser(
        prog="python -m vinocr.train.writers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--from", dest="start", type=Path, default=Path("models") / "vinocr.keras")
    parser.add_argument("--emnist-dir", help="EMNIST folder (default: $VINOCR_EMNIST_DIR)")
    parser.add_argument("--work-dir", type=Path, default=Path("artifacts") / "writers")
    parser.add_argument("--out", type=Path, default=Path("models"))
    parser.add_argument("--seed", type=int, default=3779)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--data-workers", type=int, default=1)
    parser.add_argument(
        "--limit", type=int, default=0, help="train and validate on the first N images (smoke runs)"
    )
    parser.add_argument("--train-only", action="store_true")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.fetch_fonts:
        fetch_fonts(args.font_dir)
    split = smoke_slice(load_vin_split(resolve_emnist_dir(args.emnist_dir)), args.limit)
    seconds = 0.0
    if len(read_history(args.work_dir / f"{PREFIX}history.jsonl")) < args.writers_epochs:
        seconds = train_writers(args, split, args.work_dir, args.seed, args.start)
    if args.train_only:
        return 0
    history = start_history(args.start) + [
        {**row, "stage": "writers"} for row in read_history(args.work_dir / f"{PREFIX}history.jsonl")
    ]
    history = [{**row, "epoch": k} for k, row in enumerate(history, 1)]
    params = {"writers_stage": recipe(args, len(cached_fonts(args.font_dir))), "start": str(args.start)}
    last = (
        f"{args.writers_epochs:02d}"  # the stage's length was chosen on validation + realdev: its last epoch
    )
    # the start network's bias already holds its class-prior correction: none is added on top (a second
    # one, alpha 0.3 by the validation rule, cost 0.0023 of validation box accuracy when tried)
    prefix = blend_checkpoints(args.work_dir, args.start, args.writers_blend)
    finalize(
        args.out, args.work_dir, split, [history], params, args.seed, seconds, prefix, MAX_PASSES, last, False
    )
    (args.work_dir / "done.json").write_text(json.dumps({"seconds": seconds}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
