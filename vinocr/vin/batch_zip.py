"""Many VINs from one ZIP file: a folder of 17 box images per VIN, read in memory with limits.

Nothing is extracted to disk. Refused, each with a message naming the member (the other members are
still read): unsafe paths (absolute, drive letters, backslashes, `..`), members that are not box
images (by name), encrypted or corrupt members, a member claiming more than a box image may be
(MAX_MEMBER_BYTES uncompressed), a suspicious compression ratio (a ZIP bomb), members beyond the
total budget (MAX_TOTAL_BYTES uncompressed, counted from the sizes the members claim, which also
bound what is read), duplicates, and folders that do not hold exactly 17 box images. macOS metadata
(`__MACOSX/`, `._*`, `.DS_Store`) is skipped with a message.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from natsort import natsort_keygen

from vinocr.box.image_io import MAX_BYTES, is_image_name
from vinocr.vin.rules import VIN_LENGTH

MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Uncompressed bytes read from one ZIP at most."""
MAX_MEMBER_BYTES = MAX_BYTES
"""Uncompressed bytes of one box image at most (the box reader's own limit)."""
MAX_MEMBERS = 20_000
MAX_RATIO = 200
"""A member above RATIO_FLOOR bytes that deflates more than this many times is treated as a bomb."""
RATIO_FLOOR = 1024 * 1024
ROOT_LABEL = "(top level)"

Item = tuple[str, bytes]


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
    if info.flag_bits & 0x1:
        return "encrypted, refused"
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


def read_vin_zip(data: bytes, name: str = "upload.zip") -> ZipVins:
    """Folders of 17 box images from a ZIP's bytes (see the module docstring for what is refused)."""
    result = ZipVins(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        result.refused.append(f"{name}: not a readable ZIP file")
        return result
    if len(infos) > MAX_MEMBERS:
        result.refused.append(
            f"{name}: {len(infos):,} members, more than the {MAX_MEMBERS:,} one ZIP may hold"
        )
        return result
    budget = MAX_TOTAL_BYTES
    groups: dict[str, dict[str, bytes]] = {}
    with archive:
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
            if reason:
                result.refused.append(f"{name}: {member}: {reason}")
                continue
            path = PurePosixPath(member)
            folder = "" if str(path.parent) == "." else str(path.parent)
            if path.name in groups.get(folder, {}):
                result.refused.append(f"{name}: {member}: a second member with this name, refused")
                continue
            budget -= info.file_size  # counted as claimed, read or not
            content = _read_member(archive, info)
            if isinstance(content, str):
                result.refused.append(f"{name}: {member}: {content}")
                continue
            groups.setdefault(folder, {})[path.name] = content
    key = natsort_keygen()
    for folder in sorted(groups, key=key):
        members = groups[folder]
        label = folder or ROOT_LABEL
        if len(members) != VIN_LENGTH:
            result.refused.append(
                f"{name}: folder {label} holds {len(members)} box images; a VIN needs {VIN_LENGTH}, "
                "so it is not read"
            )
            continue
        items = [(f"{folder}/{n}" if folder else n, members[n]) for n in sorted(members, key=key)]
        result.folders.append(ZipFolder(folder, items))
    return result
