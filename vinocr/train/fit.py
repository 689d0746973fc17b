"""Train the VIN-33 CNN: `python -m vinocr.train [--emnist-dir DIR] [--members N] [--out models]`.

Each member (an independently seeded network) is trained on the EVALUATION.md train split with
augmentation and class weights (`vinocr.train.batches`), a cosine learning rate with one warm
restart, and checkpoints every epoch into its work folder (stage 1), then fine-tuned on box-path
inputs (stage 2, `vinocr.train.finetune`), then on the handwriting conventions EMNIST lacks (stage 3,
`vinocr.train.writers`: convention variants, handwriting fonts); an interrupted run resumes where it stopped
(`keras.callbacks.BackupAndRestore`, same command). Any Keras backend trains (TensorFlow here, JAX on
a GPU machine: `scripts/train_on_gpu.sh`). Then `vinocr.train.export.finalize` chooses the ensemble
among the members' checkpoints, the test-time shifts and the class-prior correction on validation,
writes the inference model (Keras + ONNX, int8 unless that loses accuracy), and evaluates the test split once.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from vinocr.train.data import load_vin_split, resolve_emnist_dir, smoke_slice
from vinocr.train.export import MAX_PASSES
from vinocr.train.members import member_dir, member_seed
from vinocr.train.stages import cycle_lengths, epoch_callbacks, fit_stage, training_batches
from vinocr.train.writers import PREFIX as WRITERS_PREFIX
from vinocr.train.writers import add_arguments as add_writers_arguments

DEFAULT_WORK_DIR = Path("artifacts") / "training"  # checkpoints and the resumable state (not committed)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m vinocr.train", description=__doc__.split("\n")[0])
    parser.add_argument("--emnist-dir", help="EMNIST folder (default: $VINOCR_EMNIST_DIR)")
    parser.add_argument("--out", type=Path, default=Path("models"), help="where the final model goes")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="checkpoints, resume state")
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--first-cycle", type=int, default=6, help="epochs of the first cosine cycle")
    parser.add_argument("--t-mul", type=float, default=1.34, help="each cycle is this much longer")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--width", type=float, default=1.0, help="conv filters x this (32-64-128 at 1)")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=3779)
    parser.add_argument("--box-epochs", type=int, default=3, help="stage 2 epochs (0: none)")
    parser.add_argument("--box-lr", type=float, default=5e-4, help="stage 2: starting learning rate")
    parser.add_argument(
        "--max-passes", type=int, default=MAX_PASSES, help="network passes per box (members x input shifts)"
    )
    parser.add_argument("--members", type=int, default=3, help="independently seeded networks to train")
    parser.add_argument("--member", type=int, help="train only this member (0-based), e.g. one per process")
    parser.add_argument("--data-workers", type=int, default=1, help="threads preparing training batches")
    parser.add_argument("--train-only", action="store_true", help="train; finalize in a later run")
    parser.add_argument(
        "--trained-on", default="this machine (TensorFlow backend)", help="where the members were trained"
    )
    parser.add_argument(
        "--limit", type=int, default=0, help="train and validate on the first N images (smoke runs)"
    )
    parser.add_argument(
        "--finalize-only", action="store_true", help="skip training: finalize the checkpoints in --work-dir"
    )
    add_writers_arguments(parser)
    return parser.parse_args(argv)


def train(args: argparse.Namespace, split, work: Path, seed: int) -> float:
    """Run (or resume) stage 1 of one member in `work`; return its wall time in seconds."""
    import keras

    from vinocr.train.callbacks import read_history
    from vinocr.train.model import build_model

    keras.utils.set_random_seed(seed)
    started = time.time()
    done = len(read_history(work / "history.jsonl"))
    batches = training_batches(
        split.x_train, split.y_train, np.ones(len(split.y_train), bool), args, seed, done
    )
    x_val = split.x_val[..., None].astype(np.float32)
    steps_per_epoch = len(batches)
    schedule = keras.optimizers.schedules.CosineDecayRestarts(
        args.lr, args.first_cycle * steps_per_epoch, t_mul=args.t_mul, m_mul=1.0, alpha=0.01
    )
    callbacks = epoch_callbacks(work, "", x_val, split.y_val)
    fit_stage(build_model(width=args.width), schedule, batches, args.epochs, (x_val, split.y_val), callbacks)
    return time.time() - started


def recipe(args: argparse.Namespace) -> dict:
    """The training parameters recorded in metrics.json."""
    from vinocr.synth.fonts import cached_fonts
    from vinocr.train.writers import recipe as writers_recipe

    cycles = cycle_lengths(args.epochs, args.first_cycle, args.t_mul)
    return {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "width": args.width,
        "peak_learning_rate": args.lr,
        "schedule": f"cosine with warm restarts, cycles of {cycles} epochs (CosineDecayRestarts, alpha 0.01)",
        "class_weights": "inverse frequency ** 0.5 (as sample weights of each batch)",
        "augmentation": "affine (rot +-10 deg, scale 0.85-1.12, shear +-0.15, shift +-2 px), "
        "stroke thicken/thin, blur (NumPy/OpenCV per batch, vinocr.train.augment)",
        "members": args.members,
        "member_seeds": [member_seed(args.seed, k) for k in range(args.members)],
        "trained_on": args.trained_on,
        "limit": args.limit,
        "checkpoints": "every epoch; best by val_macro_recall (ModelCheckpoint)",
        "box_path_fine_tuning": {
            "epochs": args.box_epochs,
            "learning_rate": f"{args.box_lr}, cosine decay to 1%",
            "data": "the train arrays (augmented) + each train glyph drawn in a random box style of "
            "vinocr.synth.boxes and preprocessed by the box path (not augmented)",
            "start": "stage 1's best.keras",
        },
        "writers_stage": writers_recipe(args, len(cached_fonts(args.font_dir)))
        if args.writers_epochs
        else {},
    }


def main(argv: list[str] | None = None) -> int:
    from vinocr.train.callbacks import read_history
    from vinocr.train.export import finalize
    from vinocr.train.finetune import PREFIX, fine_tune
    from vinocr.train.writers import blend_checkpoints, train_writers

    args = parse_args(argv)
    split = smoke_slice(load_vin_split(resolve_emnist_dir(args.emnist_dir)), args.limit)
    work = args.work_dir
    members = range(args.members) if args.member is None else [args.member]
    for member in [] if args.finalize_only else members:
        folder, seed = member_dir(work, member), member_seed(args.seed, member)
        if len(read_history(folder / "history.jsonl")) < args.epochs:
            train(args, split, folder, seed)  # stage 1 (a finished stage 1 is not trained again)
        if args.box_epochs and len(read_history(folder / f"{PREFIX}history.jsonl")) < args.box_epochs:
            fine_tune(args, split, folder, seed)  # stage 2
        writers = len(read_history(folder / f"{WRITERS_PREFIX}history.jsonl"))
        if args.writers_epochs and writers < args.writers_epochs:
            train_writers(args, split, folder, seed, writers_start(folder, args))  # stage 3
    if args.train_only:
        return 0
    histories = [member_history(member_dir(work, k), args) for k in range(args.members)]
    train_seconds = sum(row["seconds"] for history in histories for row in history)
    stages = {row.get("stage") for row in histories[0]}
    prefix = WRITERS_PREFIX if "writers" in stages else PREFIX if "box path" in stages else ""  # last stage
    params = recipe(args)
    last = f"{args.writers_epochs:02d}" if prefix == WRITERS_PREFIX else "*"  # stage 3: its chosen length
    if prefix == WRITERS_PREFIX:  # each member ships a blend of stage 3 with its stage-2 network
        for k in range(args.members):
            folder = member_dir(work, k)
            prefix = blend_checkpoints(folder, writers_start(folder, args), args.writers_blend)
    finalize(
        args.out, work, split, histories, params, args.seed, train_seconds, prefix, args.max_passes, last
    )
    return 0


def writers_start(folder: Path, args: argparse.Namespace) -> Path:
    """The checkpoint stage 3 starts from in a member's folder: stage 2's best (stage 1's without it)."""
    from vinocr.train.finetune import PREFIX

    return folder / (f"{PREFIX}best.keras" if args.box_epochs else "best.keras")


def member_history(folder: Path, args: argparse.Namespace) -> list[dict]:
    """One member's epochs: stage 1, then stages 2 and 3 numbered on and marked "box path", "writers"."""
    from vinocr.train.callbacks import read_history
    from vinocr.train.finetune import PREFIX

    history = read_history(folder / "history.jsonl")
    later = [(PREFIX, "box path", args.box_epochs), (WRITERS_PREFIX, "writers", args.writers_epochs)]
    for prefix, stage, epochs in later:
        rows = read_history(folder / f"{prefix}history.jsonl") if epochs else []
        history += [{**row, "epoch": len(history) + row["epoch"], "stage": stage} for row in rows]
    return history


if __name__ == "__main__":
    sys.exit(main())
