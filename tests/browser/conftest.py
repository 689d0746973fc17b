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
def playwright_driver():
    """Playwright's driver, one per test session (a second sync_playwright may not run beside it)."""
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright (Python) is not installed")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def launch_chromium(playwright_driver):
    """Callable: Debian's Chromium, headless, with the common arguments and `extra` ones (close it
    yourself, or let the session's end do it)."""

    def launch(extra: list[str] | None = None):
        return playwright_driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *(extra or [])]
        )

    return launch


@pytest.fixture(scope="session")
def chromium(launch_chromium):
    """Debian's Chromium under Playwright, one per test session."""
    browser = launch_chromium()
    yield browser
    browser.close()


def fake_camera_args(video: Path, prompt_accepted: bool = True) -> list[str]:
    """Chromium arguments for a fake camera that plays `video` (.y4m or .mjpeg); the permission
    prompt is accepted without showing (give the context the camera permission too), or with
    `prompt_accepted=False` left to the context (refused unless it grants the camera)."""
    accept = ["--use-fake-ui-for-media-stream"] if prompt_accepted else []
    return [*accept, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]


@pytest.fixture(scope="session")
def fake_camera():
    """Callable: Chromium arguments for a fake camera playing a .y4m or .mjpeg file."""
    return fake_camera_args
