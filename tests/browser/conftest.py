"""Fixtures of the browser tests: Debian's Chromium (skipped when absent, unless CI is set) and
fresh `streamlit run app.py` servers on free local ports."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _skip_or_fail(reason: str) -> None:
    """Skip a browser test whose tools are missing; under CI (CI set) that is a failure instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} and CI is set: bash scripts/test.sh installs it", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    """Poll /_stcore/health until it answers ok (fail early if the server died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)  # polling interval of a health check, not a wait for the page
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")


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
        tmp = tmp_path_factory.mktemp("server")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        folder = _model_dir_for_server(tmp, fake_training_files)
        if folder is not None:
            env["VINOCR_MODEL_DIR"] = str(folder)
        ARTIFACTS.mkdir(exist_ok=True)
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        with open(ARTIFACTS / log_name, "w") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_healthy(url, process)
                yield url
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

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
