"""Write requirements-app.txt, requirements.txt and requirements-dev.txt from pyproject.toml, the one
source of truth for pins. `--check` exits 1 (and writes nothing) when a file is out of date."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "# Generated from pyproject.toml by scripts/sync_requirements.py: edit pyproject.toml, not this file.\n"
)


def wanted() -> dict[str, str]:
    """File name -> content, from the project's dependencies and extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = project["dependencies"]
    extras = project["optional-dependencies"]
    sets = {
        "requirements-app.txt": (
            "# Runtime only: the app, the CLIs and Docker (no TensorFlow).",
            runtime,
        ),
        "requirements.txt": (
            "# Runtime + training/export (TensorFlow/Keras, ONNX): everything that trains and runs vinocr.",
            runtime + extras["train"],
        ),
        "requirements-dev.txt": (
            "# Runtime + training + tests and lint: what the test command installs.",
            runtime + extras["train"] + extras["dev"],
        ),
    }
    return {name: HEADER + note + "\n" + "\n".join(pins) + "\n" for name, (note, pins) in sets.items()}


def main(argv: list[str]) -> int:
    stale = [
        name
        for name, text in wanted().items()
        if not (ROOT / name).exists() or (ROOT / name).read_text() != text
    ]
    if "--check" in argv:
        for name in stale:
            print(f"{name} is out of date: run python scripts/sync_requirements.py", file=sys.stderr)
        return 1 if stale else 0
    for name, text in wanted().items():
        (ROOT / name).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
