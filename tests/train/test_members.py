"""Ensemble members: folders, seeds and the member a checkpoint name belongs to."""

from pathlib import Path

from vinocr.train.members import checkpoint_member, member_dir, member_seed


def test_a_checkpoint_name_tells_its_member():
    work = Path("work")
    for member in (0, 1, 12):
        name = (member_dir(work, member) / "box-epoch-03.keras").relative_to(work).as_posix()
        assert checkpoint_member(name) == member
    assert member_seed(3779, 2) == 5779 and member_dir(work, 0) == work


def test_a_member_folder_is_packed_small_for_the_way_back(tmp_path):
    """scripts/slim_checkpoints.py (train_on_gpu.sh, width_sweep_on_gpu.sh): the chosen checkpoints,
    reloadable, with the histories and the log, under the member's name."""
    import subprocess
    import sys
    import tarfile

    import keras

    root = Path(__file__).resolve().parents[2]
    folder = tmp_path / "work" / "member-1"
    folder.mkdir(parents=True)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    for name in ("best.keras", "epoch-01.keras", "box-epoch-01.keras"):
        model.save(folder / name)
    (folder / "history.jsonl").write_text("{}\n")
    (tmp_path / "run.log").write_text("trained\n")
    command = [sys.executable, "scripts/slim_checkpoints.py", str(tmp_path / "work"), str(tmp_path / "m.tar")]
    command += ["member-1", "--member", "1", "--log", str(tmp_path / "run.log")]
    subprocess.run(command, cwd=root, check=True, capture_output=True)
    with tarfile.open(tmp_path / "m.tar") as tar:
        names = sorted(tar.getnames())
        tar.extractall(tmp_path / "back", filter="data")
    assert names == [
        "member-1",
        "member-1/best.keras",
        "member-1/box-epoch-01.keras",
        "member-1/history.jsonl",
        "member-1/train.log",
    ]  # stage 1's other epochs stay behind
    back = keras.models.load_model(tmp_path / "back" / "member-1" / "box-epoch-01.keras", compile=False)
    assert back.count_params() == model.count_params()
