"""What a Markdown message shows, for tests: its text as a reader sees it, and any live markup in it.

Parsed with markdown-it (CommonMark). Streamlit also turns `$...$` into maths and bare URLs into links
in text (not in code spans), so a hostile name's `$` or `example.com` in plain text counts as live.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

PARSER = MarkdownIt("commonmark")
LIVE = {"link_open", "strong_open", "em_open", "image", "html_inline", "html_block"}


def _inline(markdown: str) -> list:
    """Every inline token of the message (of all its paragraphs and list items)."""
    return [child for token in PARSER.parse(markdown) if token.children for child in token.children]


def plain(markdown: str) -> str:
    """The text shown: code spans and text, escapes resolved, zero-width spaces dropped."""
    parts = []
    for token in _inline(markdown):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts).replace("\u200b", "")


def live_markup(markdown: str, fragments: tuple[str, ...] = ("$", "example.com", "http")) -> list[str]:
    """What in the message is not literal text: links, emphasis, images, HTML, or one of `fragments`
    (maths, a bare URL) in plain text outside code spans. Empty when the message is all literal."""
    found = []
    for token in _inline(markdown):
        if token.type in LIVE:
            found.append(token.type)
        elif token.type == "text":
            found.extend(
                f"{fragment!r} in text {token.content!r}"
                for fragment in fragments
                if fragment in token.content
            )
    return found


def only_html(markdown: str) -> bool:
    """True when the text given to st.markdown(unsafe_allow_html=True) is HTML blocks only: no
    paragraph, so no Markdown of its own (a blank line in a name would end the block and start one)."""
    return all(token.type == "html_block" for token in PARSER.parse(markdown))
