"""vinocr.vin.batch_zip: folders of 17 box images from a ZIP, with every unsafe member refused by name."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest

from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes
from vinocr.vin.batch_zip import (
    MAX_MEMBERS,
    MAX_TOTAL_BYTES,
    MAX_ZIP_BYTES,
    ZipError,
    ZipFolder,
    iter_vin_zip,
    read_vin_zip,
    unsafe_reason,
)


@pytest.fixture(scope="module")
def box_pngs() -> list[tuple[str, bytes]]:
    return [(name, encode_png(image)) for name, image in sample_boxes()]


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def claim_sizes(data: bytes, names: set[str], size: int) -> bytes:
    """The ZIP with the central-directory entries of `names` claiming `size` bytes (packed and unpacked)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        name = bytes(out[at + 46 : at + 46 + name_length]).decode()
        if name in names:
            struct.pack_into("<II", out, at + 20, size, size)
        at = out.find(b"PK\x01\x02", at + 46)
    return bytes(out)


def folder(prefix: str, pngs: list[tuple[str, bytes]], count: int = 17) -> list[tuple[str, bytes]]:
    return [(f"{prefix}/{name}", data) for name, data in pngs[:count]]


def test_two_folders_are_two_vins_in_natural_order(box_pngs):
    renamed = [(f"b{int(name[3:5])}.png", data) for name, data in box_pngs]  # b1 ... b17
    found = read_vin_zip(make_zip(folder("vin10", box_pngs) + folder("vin9", renamed)), "two.zip")
    assert found.refused == []
    assert [f.path for f in found.folders] == ["vin9", "vin10"]
    assert [name for name, _ in found.folders[0].items][:3] == ["vin9/b1.png", "vin9/b2.png", "vin9/b3.png"]
    assert found.folders[0].items[9][1] == box_pngs[9][1]  # b10 after b9, the same bytes


def test_path_traversal_and_other_unsafe_names_are_refused_by_name(box_pngs):
    members = folder("good", box_pngs) + [
        ("../evil.png", box_pngs[0][1]),
        ("good/../../up.png", box_pngs[0][1]),
        ("/abs/root.png", box_pngs[0][1]),
        ("c:/windows.png", box_pngs[0][1]),
        ("back\\slash.png", box_pngs[0][1]),
    ]
    found = read_vin_zip(make_zip(members), "unsafe.zip")
    assert [f.path for f in found.folders] == ["good"] and len(found.folders[0].items) == 17
    text = "\n".join(found.refused)
    for member in ("../evil.png", "good/../../up.png", "/abs/root.png", "c:/windows.png", "back\\slash.png"):
        assert f"unsafe.zip: {member}: " in text
    assert "path traversal" in text and "absolute path" in text and "backslash" in text
    assert unsafe_reason("vin1/box01.png") == ""


def test_members_claiming_more_than_200_mb_are_refused_and_the_rest_read(box_pngs):
    huge = [(f"big/box{i:02d}.png", b"tiny") for i in range(1, 10)]
    data = claim_sizes(make_zip(folder("good", box_pngs) + huge), {n for n, _ in huge}, 30 * 2**20)
    claimed = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert claimed > MAX_TOTAL_BYTES  # 9 x 30 MB claimed
    found = read_vin_zip(data, "bomb.zip")
    assert [f.path for f in found.folders] == ["good"]
    assert len(found.refused) == 9 and all("claims 30 MB uncompressed" in m for m in found.refused)
    assert "bomb.zip: big/box01.png: " in found.refused[0]


def test_the_total_budget_stops_reading_and_names_the_rest(box_pngs):
    members = [(f"big/box{i:02d}.png", b"tiny") for i in range(1, 12)]  # 11 x 24 MB = 264 MB claimed
    data = claim_sizes(make_zip(folder("good", box_pngs) + members), {n for n, _ in members}, 24 * 2**20)
    found = read_vin_zip(data, "many.zip")
    assert [f.path for f in found.folders] == ["good"]
    over = [m.split(": ")[1] for m in found.refused if "200 MB" in m]
    assert over == ["big/box09.png", "big/box10.png", "big/box11.png"]  # 8 x 24 MB fit in 200 MB
    # the 8 within the budget are not read either: their folder cannot be a VIN
    assert found.refused[-1] == "many.zip: folder big holds 8 box images; a VIN needs 17, so it is not read"
    assert len(found.refused) == 4


def test_a_member_lying_about_its_size_is_named_with_its_folder(box_pngs):
    data = claim_sizes(
        make_zip(folder("good", box_pngs) + folder("liar", box_pngs)), {"liar/box05.png"}, 5000
    )
    found = read_vin_zip(data, "lie.zip")
    assert [f.path for f in found.folders] == ["good"]
    assert found.refused[0].startswith("lie.zip: liar/box05.png: corrupt")
    assert found.refused[1:] == [
        "lie.zip: folder liar: 1 of its 17 box images could not be read, so it is not read"
    ]


def test_a_zip_bomb_member_is_refused(box_pngs):
    found = read_vin_zip(make_zip(folder("good", box_pngs) + [("bomb/x.png", bytes(8 * 2**20))]), "z.zip")
    assert [f.path for f in found.folders] == ["good"]
    assert any(m.startswith("z.zip: bomb/x.png: compressed") and "ZIP bomb" in m for m in found.refused)


def test_a_folder_with_16_boxes_is_named_and_not_read(box_pngs):
    found = read_vin_zip(make_zip(folder("full", box_pngs) + folder("short", box_pngs, 16)), "s.zip")
    assert [f.path for f in found.folders] == ["full"]
    assert found.refused == ["s.zip: folder short holds 16 box images; a VIN needs 17, so it is not read"]


def test_non_images_metadata_and_broken_archives(box_pngs):
    members = folder("v", box_pngs) + [
        ("v/readme.txt", b"hello"),
        ("v/inner.zip", b"PK"),
        ("__MACOSX/v/._box01.png", b"meta"),
        ("v/.DS_Store", b"meta"),
    ]
    found = read_vin_zip(make_zip(members), "m.zip")
    assert len(found.folders) == 1 and len(found.folders[0].items) == 17
    text = "\n".join(found.refused)
    assert "m.zip: v/readme.txt: not a box image" in text and "m.zip: v/inner.zip: not a box image" in text
    assert "m.zip: __MACOSX/v/._box01.png: macOS metadata, skipped" in text
    assert read_vin_zip(b"not a zip at all", "bad.zip").refused == ["bad.zip: not a readable ZIP file"]
    top = read_vin_zip(make_zip(box_pngs), "flat.zip")
    assert [f.label for f in top.folders] == ["(top level)"]


def mark_encrypted(data: bytes, names: set[str]) -> bytes:
    """The ZIP with the encryption flag set on `names` (central directory and local headers)."""
    out = bytearray(data)
    for signature, flags_at, name_at in ((b"PK\x01\x02", 8, 46), (b"PK\x03\x04", 6, 30)):
        at = out.find(signature)
        while at != -1:
            length_at = 28 if signature == b"PK\x01\x02" else 26
            name_length = struct.unpack_from("<H", out, at + length_at)[0]
            if bytes(out[at + name_at : at + name_at + name_length]).decode() in names:
                out[at + flags_at] |= 0x1
            at = out.find(signature, at + 4)
    return bytes(out)


def test_an_encrypted_member_is_refused_as_encrypted(box_pngs):
    data = mark_encrypted(
        make_zip(folder("good", box_pngs) + folder("locked", box_pngs)), {"locked/box05.png"}
    )
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("locked/box05.png").flag_bits & 0x1
    found = read_vin_zip(data, "e.zip")
    assert [f.path for f in found.folders] == ["good"]
    assert found.refused == [
        "e.zip: locked/box05.png: encrypted, refused",
        "e.zip: folder locked holds 16 box images; a VIN needs 17, so it is not read",
    ]


def test_a_second_member_with_the_same_name_is_refused_and_the_first_kept(box_pngs):
    members = folder("v", box_pngs) + [("v/box05.png", box_pngs[0][1])]  # the 17th again, other bytes
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip(members)
    found = read_vin_zip(data, "d.zip")
    assert found.refused == ["d.zip: v/box05.png: a second member with this name, refused"]
    assert dict(found.folders[0].items)["v/box05.png"] == box_pngs[4][1]


def test_a_zip_with_more_members_than_allowed_is_refused_whole():
    assert MAX_MEMBERS == 20_000
    data = make_zip([(f"v{k // 17}/b{k % 17}.png", b"") for k in range(MAX_MEMBERS + 1)])
    found = read_vin_zip(data, "huge.zip")
    assert found.folders == []
    assert found.refused == ["huge.zip: 20,001 members, more than the 20,000 one ZIP may hold"]
    assert isinstance(found.refused[0], ZipError)
    assert (
        read_vin_zip(make_zip([(f"v/b{k}.png", b"") for k in range(17)]), "ok.zip").refused != found.refused
    )


def test_empty_and_folders_only_zips_say_so(box_pngs):
    assert read_vin_zip(make_zip([]), "empty.zip").refused == ["empty.zip: the ZIP is empty"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("a/"), b"")
        archive.writestr(zipfile.ZipInfo("a/b/"), b"")
    assert read_vin_zip(buffer.getvalue(), "dirs.zip").refused == [
        "dirs.zip: the ZIP holds only folders, no files"
    ]
    notes = read_vin_zip(make_zip([("readme.txt", b"x")]), "t.zip").refused
    assert notes[-1] == "t.zip: no folder of 17 box images, so no VIN was read"


def test_a_zip_is_read_folder_by_folder_from_a_file_object(box_pngs, tmp_path):
    data = make_zip(folder("a", box_pngs) + folder("b", box_pngs))
    source = io.BytesIO(data)
    stream = iter_vin_zip(source, "up.zip")
    first = next(stream)
    assert isinstance(first, ZipFolder) and first.path == "a"
    assert [f.path for f in stream if isinstance(f, ZipFolder)] == ["b"]
    assert not source.closed  # the caller's file object is the caller's to close
    path = tmp_path / "on_disk.zip"
    path.write_bytes(data)
    assert [f.path for f in iter_vin_zip(path, "on_disk.zip")] == ["a", "b"]


def test_a_zip_too_large_or_not_a_file_is_refused_before_it_is_read(tmp_path):
    sparse = tmp_path / "s.zip"
    with sparse.open("wb") as handle:
        handle.truncate(MAX_ZIP_BYTES + 1)  # sparse: takes no disk, reading it would take 1 GB
    [message] = read_vin_zip(sparse, "s.zip").refused
    assert message.endswith("/s.zip: 1073.7 MB is too large for a ZIP of box images (max 1024 MB)")
    fifo = tmp_path / "f.zip"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    [message] = read_vin_zip(fifo, "f.zip").refused
    assert message.endswith("f.zip: a FIFO (named pipe), not a file; refused")
    link = tmp_path / "z.zip"
    link.symlink_to("/dev/zero")
    [message] = read_vin_zip(link, "z.zip").refused
    assert message.endswith("z.zip: a link to a character device (/dev/zero), not a file; refused")
