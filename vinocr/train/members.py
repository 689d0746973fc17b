"""Independently trained members of the ensemble: where each one's checkpoints live, its seed, and
which member a checkpoint name ("box-epoch-03.keras", "member-2/box-epoch-03.keras") belongs to."""

from __future__ import annotations

from pathlib import Path

MEMBER_SEED_STEP = 1000
MEMBER_PREFIX = "member-"  # folder of member k >= 1: work/member-k


def member_dir(work: Path, member: int) -> Path:
    """Work folder of ensemble member `member` (member 0 uses `work` itself)."""
    return work if member == 0 else work / f"{MEMBER_PREFIX}{member}"


def checkpoint_member(name: str) -> int:
    """The member of a checkpoint named by its path below the work folder (`member_dir`'s layout)."""
    folder, _, _ = name.rpartition("/")
    return int(folder.removeprefix(MEMBER_PREFIX)) if folder else 0


def member_seed(seed: int, member: int) -> int:
    """Seed of member `member`: independent members differ in initial weights, batch order,
    augmentation and stage-2 box drawings."""
    return seed + MEMBER_SEED_STEP * member
