"""Independently trained members of the ensemble: where each one's checkpoints live, its seed."""

from __future__ import annotations

from pathlib import Path

MEMBER_SEED_STEP = 1000


def member_dir(work: Path, member: int) -> Path:
    """Work folder of ensemble member `member` (member 0 uses `work` itself)."""
    return work if member == 0 else work / f"member-{member}"


def member_seed(seed: int, member: int) -> int:
    """Seed of member `member`: independent members differ in initial weights, batch order,
    augmentation and stage-2 box drawings."""
    return seed + MEMBER_SEED_STEP * member
