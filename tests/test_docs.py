"""The README and docs/ point at things that exist: links, project paths, `python -m` modules; and
the README stays a page for people (at most 200 lines)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROJECT_DIRS = ("vinocr/", "bench/", "tests/", "scripts/", "ui/", "pages/", "docs/", "models/", "samples/")


def _links(text: str) -> list[str]:
    """Relative link targets of a Markdown text (images included), without #anchors."""
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


def _project_paths(text: str) -> list[str]:
    """Paths of this project named in `code`: vinocr/field/grid.py, bench/, ... (globs left out)."""
    spans = re.findall(r"`([^`\n]+)`", text)
    words = [w.strip(",;:()") for span in spans for w in span.split()]
    return [w for w in words if w.startswith(PROJECT_DIRS) and not any(c in w for c in "*{<$")]


def _exists(path: str) -> bool:
    """A project path, or a module's file named with one of its attributes (`ui/uploads.release`)."""
    return (ROOT / path).exists() or (ROOT / re.sub(r"\.\w+$", ".py", path)).is_file()


def _modules(text: str) -> list[str]:
    """Modules run as `python -m NAME` (of this project)."""
    names = re.findall(r"python -m ([A-Za-z_][\w.]*)", text)
    return [n for n in names if n.split(".")[0] in {"vinocr", "bench"}]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_links_paths_and_commands_exist(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    missing = [t for t in _links(text) if not (document.parent / t).exists()]
    missing += [p for p in _project_paths(text) if not _exists(p)]
    missing += [m for m in _modules(text) if importlib.util.find_spec(m) is None]
    assert missing == []


def test_the_readme_is_short_and_shows_the_app() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    assert "](docs/recognize.png)" in text
    assert (ROOT / "docs" / "recognize.png").stat().st_size < 300_000
    assert "bash scripts/start.sh" in text and "bash scripts/test.sh" in text


def test_the_checks_find_what_is_missing() -> None:
    """The helpers above are not blind: they see a dead link, path and module."""
    text = "[x](docs/nothing.md) `vinocr/nothing.py` python -m bench.nothing"
    assert _links(text) == ["docs/nothing.md"]
    assert _project_paths(text) == ["vinocr/nothing.py"] and not _exists("vinocr/nothing.py")
    assert _modules(text) == ["bench.nothing"]
    assert _exists("ui/uploads.py") and _exists("ui/uploads.release") and not _exists("ui/nothing.release")
