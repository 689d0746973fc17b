"""Pack a member's training folder small, to bring back from a lent GPU machine: its checkpoints
re-saved without optimizer state, its histories and its log, in one tar. Used by train_on_gpu.sh
and width_sweep_on_gpu.sh.

python scripts/slim_checkpoints.py WORK OUT.tar ARCNAME [--member K] [--keep NAME ...] [--log FILE]
"""

from __future__ import annotations

import argparse
import shutil
import tarfile
import tempfile
from pathlib import Path

from vinocr.train.members import member_dir

HISTORIES = ("history.jsonl", "box-history.jsonl")


def wanted(name: str, keep: list[str]) -> bool:
    """The checkpoints to bring back: those named in `keep`, else stage 1's best and every stage-2 epoch."""
    return name in keep if keep else name == "best.keras" or name.startswith("box-epoch-")


def slim_folder(folder: Path, out: Path, arcname: str, keep: list[str], log: Path | None = None) -> list[str]:
    """Write `out` (a tar whose top folder is `arcname`) from `folder`; the names it holds."""
    import keras

    with tempfile.TemporaryDirectory(prefix="vinocr-slim-") as tmp:
        slim = Path(tmp) / arcname
        slim.mkdir()
        for path in sorted(folder.glob("*.keras")):
            if wanted(path.name, keep):
                keras.models.load_model(path, compile=False).save(slim / path.name)
        for name in HISTORIES:
            if (folder / name).exists():
                shutil.copy(folder / name, slim / name)
        if log is not None:
            shutil.copy(log, slim / "train.log")
        with tarfile.open(out, "w") as tar:
            tar.add(slim, arcname=arcname)
        return sorted(p.name for p in slim.iterdir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work", type=Path, help="the --work-dir of the training run")
    parser.add_argument("out", type=Path, help="the tar to write")
    parser.add_argument("arcname", help="the tar's top folder")
    parser.add_argument("--member", type=int, default=0, help="whose folder below WORK (member_dir)")
    parser.add_argument("--keep", nargs="*", default=[], help="checkpoint names (default: best + stage 2)")
    parser.add_argument("--log", type=Path, help="the training log, stored as train.log")
    args = parser.parse_args(argv)
    names = slim_folder(member_dir(args.work, args.member), args.out, args.arcname, args.keep, args.log)
    print(args.arcname, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
