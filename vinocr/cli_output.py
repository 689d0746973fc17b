"""What the command-line tools share about their output: a closed pipe (`... | head -1`) is a normal
end (status 141), Ctrl-C ends with status 130 and one line, a standard output that is closed or
cannot be written (`>&-`, `>/dev/full`) ends with one line and status 1, never a traceback; and a
file name never breaks the output (C-escaped in text, quoted by the csv module in CSV)."""

from __future__ import annotations

import csv
import functools
import io
import os
import sys
from collections.abc import Callable, Iterable

BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a Unix filter whose reader left
INTERRUPTED_STATUS = 130  # 128 + SIGINT: what a shell reports after Ctrl-C
OUTPUT_FAILED_STATUS = 1
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class OutputError(Exception):
    """Standard output is closed or cannot be written (the message says why)."""


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # no real descriptor
        pass


def stdout_problem() -> str:
    """Why standard output cannot be used at all ("" when it can): closed when the program started."""
    if sys.stdout is None:
        return "standard output is closed"
    try:
        os.fstat(sys.stdout.fileno())
    except (AttributeError, io.UnsupportedOperation):  # no descriptor (a test's capture): fine
        pass
    except (OSError, ValueError):
        return "standard output is closed"
    return ""


def emit(text: str) -> None:
    """Write one piece of output (a line, a VIN's block) to stdout and flush it, so that it is out
    before the next VIN is read. OutputError when stdout cannot be written (a broken pipe stays a
    BrokenPipeError: closed_stdout_ends_quietly ends quietly on it)."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError, AttributeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise OutputError(f"standard output could not be written ({reason})") from None


def say(message: str) -> None:
    """One message on stderr, on one line whatever names it holds (see one_line); nothing when stderr
    is closed (print would write to stdout instead) or cannot be written."""
    if sys.stderr is None:
        return
    try:
        print(one_line(message), file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def closed_stdout_ends_quietly(main: Callable[..., int]) -> Callable[..., int]:
    """Wrap a CLI `main`: a reader of stdout that goes away ends it quietly with status 141; Ctrl-C
    with "interrupted" on stderr and status 130; a closed or unwritable stdout with one error line
    and status 1. Output is flushed before returning, so errors are caught here."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs) -> int:
        problem = stdout_problem()
        if problem:
            say(f"error: {problem}")
            return OUTPUT_FAILED_STATUS
        try:
            status = main(*args, **kwargs)
            emit_flush()
        except BrokenPipeError:
            _silence_stdout()
            return BROKEN_PIPE_STATUS
        except OutputError as exc:
            _silence_stdout()
            say(f"error: {exc}")
            return OUTPUT_FAILED_STATUS
        except KeyboardInterrupt:
            say("interrupted")
            return INTERRUPTED_STATUS
        return status

    return wrapper


def emit_flush() -> None:
    """Flush stdout (OutputError when it cannot be written)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        raise OutputError(f"standard output could not be written ({exc.strerror or exc})") from None


def csv_line(values: Iterable[object]) -> str:
    """One CSV record without its line end, every field quoted as the csv module does where needed:
    a name holding a comma, a quote, a newline or a carriage return stays one field."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)  # "\r\n": CR and LF are both quoted
    return buffer.getvalue()[:-2]


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
    return f"\\x{code:02x}" if code < 32 or 127 <= code < 160 else char


def printable(name: str) -> str:
    """A file name that any UTF-8 output can encode: bytes that are not UTF-8 become \\xNN."""
    return "".join(_escaped(c, control=False) for c in name)


def one_line(name: str) -> str:
    """A file name on one printable line, C-escaped as `ls -b` does: backslash, newline and other
    control characters, and bytes that are not UTF-8 (\\\\, \\n, \\x1b, \\xe9). Ordinary names
    are unchanged."""
    return "".join(_escaped(c, control=True) for c in name)
