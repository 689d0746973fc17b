"""Ensemble members: folders, seeds and the member a checkpoint name belongs to."""

from pathlib import Path

from vinocr.train.members import checkpoint_member, member_dir, member_seed


def test_a_checkpoint_name_tells_its_member():
    work = Path("work")
    for member in (0, 1, 12):
        name = (member_dir(work, member) / "box-epoch-03.keras").relative_to(work).as_posix()
        assert checkpoint_member(name) == member
    assert member_seed(3779, 2) == 5779 and member_dir(work, 0) == work
