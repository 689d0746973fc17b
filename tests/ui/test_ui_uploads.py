"""ui.uploads: the glibc calls are made (this project runs on glibc) and nothing is removed outside a
script run. What they do to a server's memory is measured by bench/server_memory.py."""

from __future__ import annotations

import ctypes
import ctypes.util

from ui.uploads import limit_malloc_arenas, release, trim_heap


def test_glibc_is_there_and_both_calls_succeed():
    assert ctypes.util.find_library("c")
    assert trim_heap() is True
    assert limit_malloc_arenas() is True  # mallopt returns 1 on success


def test_release_outside_a_script_run_removes_nothing():
    assert release([object()]) == 0
