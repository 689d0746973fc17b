"""Memory of a session's uploads: drop an upload's bytes once a page has read it, and hand freed heap
memory back to the system after a long read.

Streamlit keeps every uploaded file in its server-side store until the session is shut down, and a
session whose browser went away is kept for reconnects (`server.disconnectedSessionTTL`) and then
dropped without that shutdown, so its uploads would stay in memory for the life of the server. A page
that has turned an upload into what it shows (a table, thumbnails) removes the upload at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterable

from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile


def release(files: Iterable[UploadedFile]) -> int:
    """Remove these uploads from Streamlit's store for this session; how many were removed.

    The uploader that held them must get a new key afterwards (its files are gone)."""
    ctx = get_script_run_ctx()
    if ctx is None:  # not inside a script run: nothing of ours to remove
        return 0
    count = 0
    for upload in files:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, upload.file_id)
        count += 1
    return count


M_ARENA_MAX = -8  # mallopt's parameter number for the arena limit (malloc.h)
MALLOC_ARENAS = 2


def limit_malloc_arenas(count: int = MALLOC_ARENAS) -> bool:
    """Let glibc's malloc use at most `count` arenas (as MALLOC_ARENA_MAX=count would); False where
    there is no glibc. Streamlit runs every script run in a new thread, and glibc gives threads new
    arenas (up to 8 per core) that each keep their own freed memory: the server then grows with every
    round of sessions instead of reusing what the last round freed. Takes effect for arenas made
    after the call, so call it early (app.py does, on the first script run)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):  # not glibc
        return False


def trim_heap() -> bool:
    """Ask glibc to return freed heap memory to the system (malloc_trim); False where there is none.

    Reading a thousand VINs allocates and frees many small images; without this the server's
    resident size stays at its peak although the memory is free."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        ctypes.CDLL(name).malloc_trim(0)
        return True
    except (OSError, AttributeError):  # not glibc
        return False
