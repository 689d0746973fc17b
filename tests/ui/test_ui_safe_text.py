"""ui.safe_text: file names in Markdown messages stay literal text (parsed with markdown-it, CommonMark)."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from ui.safe_text import code, escaped, message, names_list, visible

HOSTILE = "**bad** [x](http://example.com) $y$.png"
NAMES = [
    HOSTILE,
    "plain.png",
    "a`b``c.png",
    "`lead and trail`",
    "x :material/home: y :smile: :red[red].png",
    "two\nlines\r.png",
    "rtl\u202egnp.exe",
    "<img src=x onerror=alert(1)>.png",
    "_under_ ~~strike~~ # head | pipe.png",
]
PARSER = MarkdownIt("commonmark")


def inline_tokens(markdown: str) -> list:
    """The inline tokens of a paragraph of Markdown."""
    return [child for token in PARSER.parse(markdown) if token.children for child in token.children]


@pytest.mark.parametrize("name", NAMES)
def test_a_name_is_one_literal_code_text(name):
    tokens = inline_tokens(code(name))
    assert {t.type for t in tokens} == {"code_inline"}, tokens
    assert "".join(t.content for t in tokens).replace("\u200b", "") == visible(name)
    assert ":material/" not in code(name)  # Streamlit rewrites it in the source, code spans included


def test_control_and_format_characters_are_shown_as_escapes():
    assert visible("a\nb\tc\u202ed\x7f") == "a\\nb\\tc\\u202ed\\x7f"
    assert visible("Zürich ok.png") == "Zürich ok.png"


@pytest.mark.parametrize("name", NAMES)
def test_a_message_shows_the_name_as_code_and_our_words_as_text(name):
    markdown = message(f"{name}: not a readable image (1x0 px) *really*", [name])
    tokens = inline_tokens(markdown)
    kinds = {t.type for t in tokens}
    assert kinds <= {"text", "code_inline"}, kinds  # no links, emphasis, HTML
    shown = [t.content.replace("\u200b", "") for t in tokens if t.type == "code_inline"]
    assert shown == [visible(name)]
    words = "".join(t.content for t in tokens if t.type == "text")
    assert words == ": not a readable image (1x0 px) *really*"


def test_a_message_without_the_name_is_all_code():
    markdown = message("zip: **member**.png: corrupt", ["other.png"])
    assert [t.type for t in inline_tokens(markdown)] == ["code_inline"]


def test_escaped_words_render_literally():
    text = "1. **x** [y](z) $m$ <b> _u_ # h"
    tokens = inline_tokens(escaped(text))
    assert [t.type for t in tokens] == ["text"] and tokens[0].content == text


def test_names_list_shows_some_and_counts_the_rest():
    listed = names_list([f"n{i}.png" for i in range(12)], shown=2)
    assert listed == "`n0.png`, `n1.png` and 10 more"
