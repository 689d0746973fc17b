"""The Dockerfile, checked without Docker: base image, pinned requirements, every COPY source present
and not excluded by .dockerignore, a non-root user, and CMD / EXPOSE / HEALTHCHECK on the same port."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    joined = re.sub(
        r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    )
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def exec_form(arguments: str) -> list[str]:
    """A JSON-array (exec form) argument list, else the shell form split into words."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return shlex.split(arguments)


def copy_sources(arguments: str) -> list[str]:
    """The source paths of a COPY instruction (flags such as --chown left out)."""
    words = [w for w in exec_form(arguments) if not w.startswith("--")]
    return words[:-1]


def ignore_patterns() -> list[str]:
    """.dockerignore patterns (comments and blanks dropped)."""
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def is_ignored(path: str, patterns: list[str]) -> bool:
    """Whether a build-context path (or a folder above it) matches a .dockerignore pattern."""
    path = path.rstrip("/").removeprefix("./")
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        if pattern.startswith("!"):
            continue
        pattern = pattern.rstrip("/").removeprefix("./")
        if any(
            fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, pattern.removeprefix("**/")) for c in candidates
        ):
            return True
    return False


@pytest.fixture(scope="module")
def steps() -> list[tuple[str, str]]:
    assert DOCKERFILE.exists(), "Dockerfile missing"
    return instructions(DOCKERFILE.read_text())


def only(steps, keyword: str) -> str:
    """The arguments of the one instruction called `keyword` (the last wins, as in Docker)."""
    found = [args for kw, args in steps if kw == keyword]
    assert found, f"no {keyword} in the Dockerfile"
    return found[-1]


def test_base_image_is_python_311_slim(steps):
    assert steps[0] == ("FROM", "python:3.11-slim")


def test_every_copy_source_exists_and_reaches_the_build_context(steps):
    patterns = ignore_patterns()
    copies = [args for kw, args in steps if kw in ("COPY", "ADD")]
    assert copies
    for args in copies:
        assert "--from" not in args
        for source in copy_sources(args):
            assert (ROOT / source).exists(), f"COPY source {source} does not exist"
            assert not is_ignored(source, patterns), f"COPY source {source} is excluded by .dockerignore"
    sources = {s.rstrip("/") for args in copies for s in copy_sources(args)}
    assert {
        "app.py",
        "pages",
        "ui",
        "vinocr",
        "models",
        "samples",
        ".streamlit",
        "requirements-app.txt",
    } <= sources


def test_the_pinned_requirements_are_installed(steps):
    runs = " ".join(args for kw, args in steps if kw == "RUN")
    match = re.search(r"pip install [^&;]*-r\s+(\S+)", runs)
    assert match, "no `pip install -r` in the Dockerfile"
    name = match.group(1)
    assert name == "requirements-app.txt"  # the runtime set, generated from pyproject.toml
    copied = {Path(s).name for kw, args in steps if kw == "COPY" for s in copy_sources(args)}
    assert name in copied, f"{name} is installed but never copied"
    lines = [ln.split("#")[0].strip() for ln in (ROOT / name).read_text().splitlines()]
    requirements = [ln for ln in lines if ln]
    assert requirements
    for line in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), f"not pinned: {line}"
    names = {re.split(r"[=\[]", ln)[0].lower() for ln in requirements}
    assert {"streamlit", "streamlit-drawable-canvas", "natsort", "opencv-python-headless"} <= names
    assert "onnxruntime" in names
    # the image gets the runtime requirements only: no tests, no training framework
    assert not names & {"pytest", "tensorflow", "tensorflow-cpu", "keras", "tf2onnx", "onnx"}


def test_runs_as_a_non_root_user(steps):
    user = only(steps, "USER")
    assert user.split(":")[0] not in ("root", "0")
    keywords = [kw for kw, _ in steps]
    assert keywords.index("USER") < keywords.index("CMD")


def test_cmd_starts_the_app_on_the_exposed_and_checked_port(steps):
    command = exec_form(only(steps, "CMD"))
    assert command[:2] == ["streamlit", "run"]
    app = command[2]
    assert (ROOT / app).is_file(), f"CMD runs {app}, which does not exist"
    copied = {s.rstrip("/") for kw, args in steps if kw == "COPY" for s in copy_sources(args)}
    assert app in copied
    port = command[command.index("--server.port") + 1]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    exposed = only(steps, "EXPOSE").split()
    assert exposed == [port]
    health = only(steps, "HEALTHCHECK")
    url = re.search(r"https?://localhost:(\d+)(/\S*?)['\"\s)]", health)
    assert url, "HEALTHCHECK has no http://localhost:PORT/... URL"
    assert url.group(1) == port and url.group(2) == "/_stcore/health"
    assert "curl" not in health and "wget" not in health  # the slim image has neither
    assert "python" in health and "urllib" in health


def test_the_healthcheck_probe_is_valid_python(steps):
    health = only(steps, "HEALTHCHECK")
    command = exec_form(health[health.index("CMD") + 3 :].strip())
    assert command[:2] == ["python", "-c"]
    compile(command[2], "<healthcheck>", "exec")


def test_app_imports_are_in_the_image():
    """Every local module the app imports is under a copied folder."""
    local = set()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for match in re.finditer(r"^\s*(?:from|import)\s+([\w.]+)", path.read_text(), re.M):
            top = match.group(1).split(".")[0]
            if (ROOT / top).is_dir() or (ROOT / f"{top}.py").is_file():
                local.add(top)
    assert local <= {"pages", "ui", "vinocr"}
