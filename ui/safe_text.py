"""File names in Markdown messages, shown as the literal text they are.

Streamlit renders every message (st.error, st.warning, st.caption ...) as Markdown, with maths
(`$...$`), emoji and icon shortcodes (`:smile:`, `:material/x:`), coloured text (`:red[...]`) and
links, bare URLs included. A file name is user input, so it goes into a message as a code span:
nothing inside a code span is interpreted, except Streamlit's own rewrite of `:material/` in the
raw text, which `code` breaks with a zero-width space. Backslash escapes are not enough on their
own: Streamlit still turns an escaped `http\\://example\\.com` into a link (seen in Chromium), so
`escaped` is only for our own wording around a name.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Iterable

_PUNCTUATION = set(string.punctuation)
_MATERIAL = ":material/"  # Streamlit replaces it with ":material_" in the source, code spans included
_MATERIAL_SHOWN = ":material\u200b/"  # the same text on screen, with a zero-width space in it


def visible(text: str) -> str:
    """Control, format and lone surrogate characters (newline, tab, right-to-left override ...) as
    backslash escapes (\\n, \\x7f, \\u202e ...): a name can neither break a line nor reorder text."""
    out = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            code = ord(char)
            short = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
            out.append(short or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"))
        else:
            out.append(char)
    return "".join(out)


def code(text: str) -> str:
    """Text (a file name) as a Markdown code span that shows it literally, whatever it holds."""
    text = visible(text).replace(_MATERIAL, _MATERIAL_SHOWN)
    if not text:
        return "`(no name)`"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def in_html(text: str) -> str:
    """Text (a file name) inside an HTML block or attribute given to st.markdown(unsafe_allow_html):
    control characters as escapes first (a blank line would end the block and let Markdown in), then
    HTML-escaped, and ':' as an entity (so the source never holds ':material/')."""
    return html.escape(visible(text)).replace(":", "&#58;")


def escaped(text: str) -> str:
    """Our own wording as Markdown that shows literally: every ASCII punctuation mark backslash-escaped
    (no emphasis, links, maths or shortcodes). Not for names: bare URLs would still become links."""
    return "".join("\\" + char if char in _PUNCTUATION else char for char in visible(text))


def message(text: str, names: Iterable[str]) -> str:
    """A message that contains file names: each name as a code span, the rest escaped. When none of
    the names is found in it, the whole message is one code span (it may hold another name)."""
    wanted = sorted({name for name in names if name}, key=len, reverse=True)
    if not wanted:
        return code(text)
    pattern = re.compile("|".join(re.escape(name) for name in wanted))
    pieces, last, found = [], 0, False
    for match in pattern.finditer(text):
        found = True
        pieces.append(escaped(text[last : match.start()]))
        pieces.append(code(match.group()))
        last = match.end()
    if not found:
        return code(text)
    pieces.append(escaped(text[last:]))
    return "".join(pieces)


def names_list(names: Iterable[str], shown: int = 10) -> str:
    """E.g. "`a.png`, `b.png` and 3 more"."""
    names = list(names)
    listed = ", ".join(code(name) for name in names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")
