"""Fixtures of the browser tests: Debian's Chromium (skipped when absent, unless CI is set) and
fresh `streamlit run app.py` servers on free local ports."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.streamlit_server import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server

ARTIFACTS = ROOT / "artifacts"


def _skip_or_fail(reason: str) -> None:
    """Skip a browser test whose tools are missing; under CI (CI set) that is a failure instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} and CI is set: bash scripts/test.sh installs it", pytrace=False)
    pytest.skip(reason)


def _model_dir_for_server(tmp: Path, fake_training_files) -> Path | None:
    """None when models/ has the training results; else a folder with the model and test-only metrics."""
    models = ROOT / "models"
    if (models / "metrics.json").exists() and (models / "history.json").exists():
        return None
    folder = tmp / "models"
    folder.mkdir()
    for path in models.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    fake_training_files(folder)
    return folder


@pytest.fixture(scope="session")
def start_server(tmp_path_factory, fake_training_files):
    """Context-manager factory: a fresh `streamlit run app.py` on a free port, yielding its URL."""

    @contextlib.contextmanager
    def start(log_name: str = "streamlit_server.log") -> Iterator[str]:
        folder = _model_dir_for_server(tmp_path_factory.mktemp("server"), fake_training_files)
        env = {"VINOCR_MODEL_DIR": str(folder)} if folder is not None else {}
        with streamlit_server(ARTIFACTS / log_name, env) as server:
            yield server.url

    return start


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright, one per test session."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright (Python) is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
