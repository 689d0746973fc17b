"""Both CLIs as a careless or hostile user meets them (issue 21): many VINs stream and Ctrl-C keeps
what was read, --csv is checked first and never left half-written, special files are refused by name
without being opened, hostile names cannot forge output lines, a closed or full stdout ends with one
line, and nothing fails in silence."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from vinocr.box.cli import main as box_main
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import SAMPLE_VIN, sample_boxes
from vinocr.vin.cli import keep_after_interrupt
from vinocr.vin.cli import main as vin_main
from vinocr.vin.csv_target import CsvTarget
from vinocr.vin.many import CSV_FIELDS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pngs() -> list[tuple[str, bytes]]:
    return [(name, encode_png(image)) for name, image in sample_boxes()]


def box_folder(folder: Path, pngs: list[tuple[str, bytes]]) -> Path:
    folder.mkdir()
    for name, data in pngs:
        (folder / name).write_bytes(data)
    return folder


def vin_zip(path: Path, pngs: list[tuple[str, bytes]], vins: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(1, vins + 1):
            for name, data in pngs:
                archive.writestr(f"vin{n}/{name}", data)
    return path


def cli(module: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, **kwargs)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_keeps_every_vin_finished_in_the_csv(tmp_path, pngs):
    archive = vin_zip(tmp_path / "many.zip", pngs, 200)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    process = cli(
        "vinocr.vin", str(archive), "--csv", str(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    headers = 0
    while headers < 3:  # VINs are printed as they are read, long before the last one
        line = process.stdout.readline()
        assert line, process.stderr.read()
        headers += line.startswith(b"# ")
    assert out.read_text() == "old\n"  # replaced only when the run ends
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    rows = csv_rows(out)
    assert len(rows) >= 3 and all(row["vin"] == SAMPLE_VIN for row in rows)
    assert rows[-1]["input"] == f"{archive.as_posix()}:vin{len(rows)}"
    assert err.decode() == f"interrupted; {out.as_posix()} holds the {len(rows):,} VINs read before it\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.zip", "out.csv"]  # no temporary file left


def test_ctrl_c_ends_the_box_cli_with_one_line(tmp_path, pngs):
    folder = tmp_path / "boxes"
    folder.mkdir()
    for k in range(3000):  # many chunks: the ones after the first run in worker processes
        (folder / f"b{k}.png").write_bytes(pngs[k % 17][1])
    process = cli("vinocr", str(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"49, ")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (130, b"interrupted\n")  # no traceback from any worker


# --------------------------------------------------------------------------- --csv OUT


def test_csv_target_is_checked_before_any_input_is_read(tmp_path, pngs, capsys):
    archive = vin_zip(tmp_path / "x.zip", pngs, 1)
    folder = box_folder(tmp_path / "vin", pngs)
    before = archive.read_bytes()
    for target, problem in (
        (str(archive), "is one of the inputs"),
        (f"{tmp_path}/./x.zip", "is one of the inputs"),
        (str(tmp_path), "is a folder"),
        (str(folder / "box18.png"), f"is a box image of the input folder {folder.as_posix()}"),
        (str(tmp_path / "no" / "o.csv"), f"its folder {(tmp_path / 'no').as_posix()} does not exist"),
    ):
        assert vin_main([str(archive), str(folder), "--csv", target]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("error: --csv ") and problem in err and err.count("\n") == 1
    assert archive.read_bytes() == before and not (folder / "box18.png").exists()


def test_an_existing_csv_is_replaced_at_the_end_and_kept_on_failure(tmp_path, pngs, capsys):
    folder = box_folder(tmp_path / "vin", pngs)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    assert vin_main([str(folder), "--csv", str(out), "--model-dir", str(tmp_path / "nomodel")]) == 2
    assert "no trained model" in capsys.readouterr().err
    assert out.read_text() == "old\n"  # a failed run leaves it as it was
    assert vin_main([str(folder), "--csv", str(out)]) == 0
    capsys.readouterr()
    assert [row["vin"] for row in csv_rows(out)] == [SAMPLE_VIN]
    assert out.stat().st_mode & 0o777 == 0o640  # its permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "vin"]


def test_a_full_stdout_ends_with_one_line_and_the_csv_untouched(tmp_path, pngs):
    folder = box_folder(tmp_path / "vin", pngs)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    with open("/dev/full", "wb") as full:
        for module, args in (("vinocr", [str(folder)]), ("vinocr.vin", [str(folder), "--csv", str(out)])):
            process = cli(module, *args, stdout=full, stderr=subprocess.PIPE)
            _, err = process.communicate(timeout=120)
            assert process.returncode == 1
            assert err == b"error: standard output could not be written (No space left on device)\n"
    assert out.read_text() == "old\n"


@pytest.mark.parametrize("module", ["vinocr", "vinocr.vin"])
def test_a_closed_stdout_ends_with_one_line(tmp_path, pngs, module):
    folder = box_folder(tmp_path / "vin", pngs)
    run = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "-", sys.executable, "-m", module, str(folder)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert (run.returncode, run.stderr) == (1, b"error: standard output is closed\n")


# --------------------------------------------------------------------------- special files, sizes


def test_fifos_devices_and_sockets_are_refused_by_name_without_being_opened(tmp_path):
    os.mkfifo(tmp_path / "f.png")  # opened for reading, it would wait forever
    os.mkfifo(tmp_path / "q.zip")
    (tmp_path / "z.png").symlink_to("/dev/zero")  # read, it would never end
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "s.png"))
    names = ["f.png", "q.zip", "z.png", "s.png"]
    try:
        run = subprocess.run(
            [sys.executable, "-m", "vinocr.vin", *names, "--csv", "o.csv"],
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    finally:
        listener.close()
    assert run.returncode == 2 and run.stdout.count(b"# ") == 4
    assert run.stderr.decode().splitlines() == [
        "error: f.png: a FIFO (named pipe), not a file; refused",
        "error: q.zip: a FIFO (named pipe), not a file; refused",
        "error: z.png: a link to a character device (/dev/zero), not a file; refused",
        "error: s.png: a socket, not a file; refused",
    ]
    assert [row["status"] for row in csv_rows(tmp_path / "o.csv")] == ["error"] * 4


def test_special_files_in_a_folder_are_named_as_what_they_are(tmp_path, pngs, capsys):
    folder = box_folder(tmp_path / "boxes", pngs[:2])
    (folder / "z.png").symlink_to("/dev/zero")
    os.mkfifo(folder / "f.png")
    assert box_main([str(folder)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2
    base = folder.as_posix()
    assert f"{base}/z.png: a link to a character device (/dev/zero), not a file; skipped" in err
    assert f"{base}/f.png: a FIFO (named pipe), not a file; skipped" in err


def test_huge_files_are_refused_from_their_size(tmp_path, capsys):
    for name in ("s.zip", "s.png"):
        with (tmp_path / name).open("wb") as handle:
            handle.truncate(2 * 2**30)  # sparse: reading it whole would take 2 GB
    assert vin_main([str(tmp_path / "s.zip"), str(tmp_path / "s.png")]) == 2
    err = capsys.readouterr().err
    assert "s.zip: 2147.5 MB is too large for a ZIP of box images (max 1024 MB)" in err
    assert "s.png: 2147.5 MB is too large" in err


# --------------------------------------------------------------------------- names


def test_a_name_with_newlines_cannot_forge_output_lines(tmp_path, pngs, capsys):
    evil = box_folder(tmp_path / "x\n# evil\nstatus: accept", pngs[:16] + [(pngs[16][0], b"bad")])
    good = box_folder(tmp_path / "good", pngs)
    out = tmp_path / "o.csv"
    assert vin_main([str(evil), str(good), "--csv", str(out)]) == 1  # box 17 of the first unread
    stdout, err = capsys.readouterr()
    lines = stdout.splitlines()
    assert "# evil" not in lines and "status: accept" not in lines
    assert f"# {tmp_path.as_posix()}/x\\n# evil\\nstatus: accept" in lines
    assert len(err.splitlines()) == 1 and "/x\\n# evil\\nstatus: accept/box17.png: not a readable" in err
    assert [row["input"] for row in csv_rows(out)] == [evil.as_posix(), good.as_posix()]  # quoted, intact


def test_a_name_that_is_not_utf8_is_written_escaped(tmp_path, pngs, capsys):
    raw = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9"))
    box_folder(raw, pngs)
    other = box_folder(tmp_path / "other", pngs)
    out = tmp_path / "o.csv"
    assert vin_main([str(raw), str(other), "--csv", str(out)]) == 0
    assert f"# {tmp_path.as_posix()}/caf\\xe9" in capsys.readouterr().out.splitlines()
    assert csv_rows(out)[0]["input"] == f"{tmp_path.as_posix()}/caf\\xe9"


def test_a_carriage_return_in_a_name_stays_in_its_csv_field(tmp_path, pngs, capsys):
    folder = box_folder(tmp_path / "boxes", pngs)
    (folder / pngs[4][0]).rename(folder / "box05\r.png")
    assert box_main([str(folder), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == 18  # the header and 17 images
    assert rows[5][1] == f"{folder.as_posix()}/box05\r.png"


def test_a_folder_named_space_is_read(tmp_path, pngs, capsys, monkeypatch):
    box_folder(tmp_path / " ", pngs)
    monkeypatch.chdir(tmp_path)
    assert vin_main([" "]) == 0
    assert capsys.readouterr().out.splitlines()[0] == SAMPLE_VIN
    assert box_main([" "]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 17


# --------------------------------------------------------------------------- nothing silent


def test_an_empty_or_folders_only_zip_says_so(tmp_path, capsys):
    with zipfile.ZipFile(tmp_path / "empty.zip", "w"):
        pass
    with zipfile.ZipFile(tmp_path / "dirs.zip", "w") as archive:
        archive.writestr(zipfile.ZipInfo("a/"), b"")
    for name, said in (
        ("empty.zip", "the ZIP is empty"),
        ("dirs.zip", "the ZIP holds only folders, no files"),
    ):
        assert vin_main([str(tmp_path / name)]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err == f"{(tmp_path / name).as_posix()}: {said}\n"


def test_an_unreadable_member_is_named_with_its_zip(tmp_path, pngs, capsys):
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        for name, data in pngs:
            archive.writestr(f"v/{name}", b"not a png" if name == "box05.png" else data)
    out = tmp_path / "o.csv"
    assert vin_main([str(tmp_path / "b.zip"), "--csv", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{(tmp_path / 'b.zip').as_posix()}:v/box05.png: not a readable image" in err
    [row] = csv_rows(out)
    assert row["status"] == "review" and row["check_boxes"] == "5" and "b.zip:v/box05.png" in row["message"]


def test_a_folder_of_10000_boxes_is_refused_from_its_listing(tmp_path, capsys):
    folder = tmp_path / "many"
    folder.mkdir()
    for k in range(10_000):
        (folder / f"b{k}.png").touch()  # empty: reading any of them would say so
    assert vin_main([str(folder)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"error: {folder.as_posix()}: holds 10,000 box images; a VIN needs 17\n"


def test_ctrl_c_before_any_vin_leaves_an_existing_csv_as_it_was(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    target = CsvTarget(str(out), CSV_FIELDS)
    assert keep_after_interrupt(target) == f"{out.as_posix()} left as it was (no VIN was finished)"
    assert out.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_folder_without_box_images_says_so(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert box_main([str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert (
        out == ""
        and err == f"{tmp_path.as_posix()}: no box images (.png, .jpg, .jpeg or .bmp) in this folder\n"
    )


def test_control_characters_in_messages_are_escaped(tmp_path, capsys):
    name = tmp_path / "a\x1b[31mred\x85.png"  # an ANSI colour code and a C1 control in a name
    assert vin_main([str(name)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path.as_posix()}/a\\x1b[31mred\\x85.png: no such file or folder\n"
