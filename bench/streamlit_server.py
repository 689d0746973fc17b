"""Drive the real app: start `streamlit run app.py` on a free local port and wait until it is
healthy, read the server's memory (resident set size) from /proc, and the Chromium settings and
page conditions that the browser tests and the load benchmark share."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; never a browser downloaded by Playwright
CHROMIUM_ARGS = [  # headless, and no attempts to reach the internet
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FRESH = '[data-testid="stElementContainer"]:not([data-stale="true"])'
VIN = f"{FRESH} .vin-display"  # the VIN of the current script run, never a stale one
RUNNING = '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'
# true once nothing is stale and no script runs, `quiet` ms in a row (polled by Playwright)
IDLE_FOR = f"""(quiet) => {{
    const idle = !document.querySelector('[data-stale="true"]') && !document.querySelector('{RUNNING}');
    const now = performance.now();
    if (!idle) {{ window.__idleSince = null; return false; }}
    if (window.__idleSince == null) window.__idleSince = now;
    return now - window.__idleSince >= quiet;
}}"""


@dataclass
class Server:
    """A running app server."""

    url: str
    process: subprocess.Popen

    def rss_mb(self) -> float:
        """The server process's resident memory now, in MB (VmRSS of /proc/PID/status)."""
        return rss_mb(self.process.pid)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (10^6 bytes), from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmRSS for process {pid}")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    """Poll /_stcore/health until it answers ok; fail early if the server died."""
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
        time.sleep(0.3)  # the polling interval of a health check
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")


@contextlib.contextmanager
def streamlit_server(log_path: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`streamlit run app.py` on a free port (output to `log_path`), stopped on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--server.fileWatcherType", "none"]  # served, not developed: no reloads, no watcher cost
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_healthy(url, process)
            yield Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
