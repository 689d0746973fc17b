"""What the command-line tools share about standard output: a closed pipe (`... | head -1`) is a
normal end, and a file name never breaks the one-line-per-image output."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a Unix filter whose reader left
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (a test's capture)
        pass


def closed_stdout_ends_quietly(main: Callable[..., int]) -> Callable[..., int]:
    """Wrap a CLI `main`: when the reader of stdout goes away, stop without a traceback and return
    BROKEN_PIPE_STATUS (141). Output is flushed before returning, so the error is caught here."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs) -> int:
        try:
            status = main(*args, **kwargs)
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            return BROKEN_PIPE_STATUS
        return status

    return wrapper


def _escaped(char: str, control: bool) -> str:
    """One character of a file name as printed: a byte that is not UTF-8 (kept by Python as a lone
    surrogate) as \\xNN; with `control`, also backslash and control characters."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if not control:
        return char
    if char in _ESCAPES:
        return _ESCAPES[char]
    return f"\\x{code:02x}" if code < 32 or code == 127 else char


def printable(name: str) -> str:
    """A file name that stdout can always encode: bytes that are not UTF-8 become \\xNN."""
    return "".join(_escaped(c, control=False) for c in name)


def one_line(name: str) -> str:
    """A file name on one printable line, C-escaped as `ls -b` does: backslash, newline and other
    control characters, and bytes that are not UTF-8 (\\\\, \\n, \\x1b, \\xe9). Ordinary names
    are unchanged."""
    return "".join(_escaped(c, control=True) for c in name)
