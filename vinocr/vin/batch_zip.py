"""Many VINs from one ZIP file: a folder of 17 box images per VIN, read in memory with limits.

Nothing is extracted to disk, and the archive is never read whole: its central directory is checked
first (every member's name, claimed size and flags), then one folder's members at a time are read
and handed on (iter_vin_zip), so memory holds one VIN's images however many the ZIP has.

Refused, each with a message naming the ZIP and the member (the other members are still read):
unsafe paths (absolute, drive letters, backslashes, `..`), members that are not box images (by
name), encrypted or corrupt members, a member claiming more than a box image may be
(MAX_MEMBER_BYTES uncompressed), a suspicious compression ratio (a ZIP bomb), members beyond the
total budget (MAX_TOTAL_BYTES uncompressed, counted from the sizes the members claim, which also
bound what is read), duplicates, and folders that do not hold exactly 17 box images. macOS
metadata (`__MACOSX/`, `._*`, `.DS_Store`) is skipped with a message. A ZIP file above
MAX_ZIP_BYTES, or one that is not a regular file (a FIFO, a device), is refused before it is
opened; an empty ZIP, or one holding only folders, says so.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from natsort import natsort_keygen

from vinocr.box.image_io import MAX_BYTES, ImageError, is_image_name, open_regular
from vinocr.vin.rules import VIN_LENGTH

MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Uncompressed bytes read from one ZIP at most."""
MAX_MEMBER_BYTES = MAX_BYTES
"""Uncompressed bytes of one box image at most (the box reader's own limit)."""
MAX_MEMBERS = 20_000
MAX_ZIP_BYTES = 1024 * 1024 * 1024
"""A ZIP file larger than this is refused from its size, before it is opened."""
MAX_RATIO = 200
"""A member above RATIO_FLOOR bytes that deflates more than this many times is treated as a bomb."""
RATIO_FLOOR = 1024 * 1024
ROOT_LABEL = "(top level)"

Item = tuple[str, bytes]
ZipSource = str | Path | BinaryIO | bytes
"""A ZIP as a path, a seekable binary file object (e.g. an upload) or, for small ones, bytes."""


class ZipError(str):
    """A message saying that the whole ZIP cannot be read (not a ZIP, too large, not a regular file,
    too many members): a str, so it can be listed with the other messages."""


@dataclass
class ZipFolder:
    """One folder of box images (one VIN), its images in natural filename order."""

    path: str  # folder inside the ZIP, "" for the top level
    items: list[Item] = field(default_factory=list)  # (member name, bytes)

    @property
    def label(self) -> str:
        """The folder's name as shown to people."""
        return self.path or ROOT_LABEL


@dataclass
class ZipVins:
    """What a ZIP gave: folders holding 17 box images each, and a message per refused member/folder."""

    name: str
    folders: list[ZipFolder] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def unsafe_reason(member: str) -> str:
    """Why a member name is unsafe to use as a path ("" when it is safe)."""
    if "\\" in member:
        return "a backslash in the path"
    if member.startswith("/") or (len(member) > 1 and member[1] == ":"):
        return "an absolute path"
    if any(part == ".." for part in member.split("/")):
        return "a '..' in the path (path traversal)"
    if "\0" in member:
        return "a NUL byte in the name"
    return ""


def _is_metadata(member: str) -> bool:
    """macOS archive metadata, never a box."""
    path = PurePosixPath(member)
    return path.parts[:1] == ("__MACOSX",) or path.name.startswith("._") or path.name == ".DS_Store"


def _size_problem(info: zipfile.ZipInfo, budget_left: int) -> str:
    """Why a member's claimed size is refused ("" when it may be read)."""
    size = info.file_size
    if size > MAX_MEMBER_BYTES:
        limit = MAX_MEMBER_BYTES // 2**20
        return f"claims {size / 2**20:.0f} MB uncompressed, more than a box image may be ({limit} MB)"
    if size > RATIO_FLOOR and size > MAX_RATIO * max(1, info.compress_size):
        return f"compressed {size // max(1, info.compress_size)}:1, refused as a ZIP bomb"
    if size > budget_left:
        return (
            f"not read: the members before it already take the {MAX_TOTAL_BYTES // 2**20} MB "
            "(uncompressed) one ZIP may use"
        )
    return ""


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | str:
    """The member's bytes, or why it could not be read (never more than it claims)."""
    try:
        with archive.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
        return f"corrupt or unsupported ({type(exc).__name__}: {exc})"
    except Exception as exc:  # zlib and lzma errors among others: never a crashed batch
        return f"corrupt or unsupported ({type(exc).__name__})"
    if len(data) != info.file_size:
        return f"corrupt: holds {len(data):,} bytes but claims {info.file_size:,}, refused"
    return data


def _open_archive(source: ZipSource, name: str) -> zipfile.ZipFile:
    """The ZipFile of a path, file object or bytes; ValueError with the message when it is refused
    (too large, not a regular file, not a ZIP). Only the central directory is read here."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if isinstance(source, (str, Path)):
        try:
            handle: BinaryIO = open_regular(source, MAX_ZIP_BYTES, "a ZIP of box images")
        except ImageError as exc:
            raise ValueError(str(exc)) from None
    else:
        handle = source
        size = handle.seek(0, io.SEEK_END)
        handle.seek(0)
        if size > MAX_ZIP_BYTES:
            raise ValueError(
                f"{name}: {size / 1e6:.1f} MB is too large for a ZIP of box images "
                f"(max {MAX_ZIP_BYTES // 2**20} MB)"
            )
    try:
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        if handle is not source:
            handle.close()
        raise ValueError(f"{name}: not a readable ZIP file") from None


def _plan(infos: list[zipfile.ZipInfo], name: str) -> tuple[dict[str, dict[str, zipfile.ZipInfo]], list[str]]:
    """From the central directory alone: the members to read grouped by folder, and a message per
    member refused (unsafe name, metadata, not a box image, size, duplicate, encrypted)."""
    budget = MAX_TOTAL_BYTES
    groups: dict[str, dict[str, zipfile.ZipInfo]] = {}
    refused: list[str] = []
    for info in infos:
        member = info.filename
        if info.is_dir():
            continue
        reason = unsafe_reason(member)
        if not reason and _is_metadata(member):
            reason = "macOS metadata, skipped"
        if not reason and not is_image_name(member):
            reason = "not a box image (PNG, JPEG or BMP expected)"
        reason = reason or _size_problem(info, budget)
        path = PurePosixPath(member)
        folder = "" if str(path.parent) == "." else str(path.parent)
        if not reason and path.name in groups.get(folder, {}):
            reason = "a second member with this name, refused"
        if not reason:
            budget -= info.file_size  # counted as claimed, read or not
            if info.flag_bits & 0x1:
                reason = "encrypted, refused"
        if reason:
            refused.append(f"{name}: {member}: {reason}")
            continue
        groups.setdefault(folder, {})[path.name] = info
    return groups, refused


def _empty_message(infos: list[zipfile.ZipInfo], name: str) -> str:
    """What to say about a ZIP with no file in it ("" when it has files)."""
    if not infos:
        return f"{name}: the ZIP is empty"
    if all(info.is_dir() for info in infos):
        return f"{name}: the ZIP holds only folders, no files"
    return ""


def iter_vin_zip(source: ZipSource, name: str = "upload.zip") -> Iterator[ZipFolder | str]:
    """The folders of 17 box images of a ZIP, one at a time in natural order, each with its images'
    bytes (ZipFolder), and a message (str) for every member or folder refused, the ZIP named in it;
    a ZIP that cannot be read at all gives one ZipError (a str) and nothing else.

    Memory holds one folder's images at a time. A path or file object is read member by member,
    never whole (a path is opened, and closed when the iteration ends). When no VIN can be read a
    last message says so; see the module docstring for what is refused.
    """
    try:
        archive = _open_archive(source, name)
    except ValueError as exc:
        yield ZipError(exc)
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            yield ZipError(f"{name}: {len(infos):,} members, more than the {MAX_MEMBERS:,} one ZIP may hold")
            return
        groups, refused = _plan(infos, name)
        yield from refused
        empty = _empty_message(infos, name)
        if empty:
            yield empty
            return
        found = 0
        key = natsort_keygen()
        for folder in sorted(groups, key=key):
            outcome = _read_folder(archive, folder, groups[folder], name)
            if isinstance(outcome, ZipFolder):
                found += 1
            yield from outcome if isinstance(outcome, list) else [outcome]
        if not found:
            yield f"{name}: no folder of {VIN_LENGTH} box images, so no VIN was read"


def _read_folder(
    archive: zipfile.ZipFile, folder: str, members: dict[str, zipfile.ZipInfo], name: str
) -> ZipFolder | list[str]:
    """One folder's images in natural order, or the messages saying why it is not read."""
    label = folder or ROOT_LABEL
    if len(members) != VIN_LENGTH:
        return [
            f"{name}: folder {label} holds {len(members)} box images; a VIN needs {VIN_LENGTH}, "
            "so it is not read"
        ]
    items: list[Item] = []
    problems: list[str] = []
    for member in sorted(members, key=natsort_keygen()):
        info = members[member]
        content = _read_member(archive, info)
        if isinstance(content, str):
            problems.append(f"{name}: {info.filename}: {content}")
        else:
            items.append((info.filename, content))
    if problems:
        return [
            *problems,
            f"{name}: folder {label}: {len(problems)} of its {VIN_LENGTH} box images could not be read, "
            "so it is not read",
        ]
    return ZipFolder(folder, items)


def read_vin_zip(data: ZipSource, name: str = "upload.zip") -> ZipVins:
    """Every folder of 17 box images of a ZIP at once (iter_vin_zip, collected: for small ZIPs)."""
    result = ZipVins(name)
    for item in iter_vin_zip(data, name):
        if isinstance(item, ZipFolder):
            result.folders.append(item)
        else:
            result.refused.append(item)
    return result
