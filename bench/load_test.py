"""Load bench: several browser sessions at once on one app server, each uploading its own VIN.

    python -m bench.load_test                       # 8 sessions x 25 rounds = 200 uploads
    python -m bench.load_test --sessions 2 --rounds 3

Starts `streamlit run app.py` on localhost and opens one Chromium context per session with
Playwright (separate cookies and websockets: separate app sessions, as separate users). Each
session opens Recognize VIN and uploads 17 box images of its own VIN (drawn by
vinocr.synth.samples) once to warm up, then `--rounds` times: Clear, upload the 17 files, wait
for the VIN, read it. Reports the seconds from handing over the files to the VIN shown (p50, p95,
max), whether every session saw exactly its own VIN every time (the reading the model gives
for those files, computed here), and the server's resident memory after the warm-up, at the end
and at its peak. Writes artifacts/load_test.json. A benchmark, not a test: the timings depend on the
machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import write_report
from bench.streamlit_server import CHROMIUM, CHROMIUM_ARGS, IDLE_FOR, ROOT, VIN, Server, streamlit_server
from vinocr.box.image_io import encode_png
from vinocr.box.recognizer import Recognizer
from vinocr.synth.samples import sample_boxes
from vinocr.vin.reader import read_boxes
from vinocr.vin.rules import check_digit

# position 9 is replaced by the right check digit
VIN_BASES = [
    "1HGCM82633A004352",
    "JH4KA7561PC008269",
    "WVWZZZ1JZXW086215",
    "5YJSA1E26HF000337",
    "2T1BURHE0JC043821",
    "3VWFE21C04M127514",
    "KNDJT2A54C7394860",
    "SALGS2EF7GA271946",
]
ARTIFACT = ROOT / "artifacts" / "load_test.json"
ACTION_TIMEOUT_MS = 300_000
CLEAR = '.st-key-clear_uploads:not([data-stale="true"]) button'
UPLOADER_KEY = "st-key-recognize_boxes_"  # Clear gives the uploader a new key: recognize_boxes_<n+1>
UPLOADER = f'[data-testid="stElementContainer"][class*="{UPLOADER_KEY}"]:not([data-stale="true"])'
NEW_UPLOADER = f"""(old) => [...document.querySelectorAll('{UPLOADER}')].some(
    e => !e.classList.contains(old) && e.querySelector('[data-testid="stFileUploaderDropzoneInput"]'))"""


def session_vin(index: int) -> str:
    """A valid VIN per session (check digit set), all different."""
    base = VIN_BASES[index % len(VIN_BASES)]
    if index >= len(VIN_BASES):  # more sessions than bases: change the serial number
        base = base[:11] + f"{index:06d}"
    return base[:8] + check_digit(base) + base[9:]


@dataclass
class Session:
    """One simulated user: its files, the VIN the model reads from them, and what it saw."""

    index: int
    vin: str
    files: list[Path]
    expected: str = ""
    seconds: list[float] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)


def make_sessions(count: int, folder: Path, recognizer: Recognizer) -> list[Session]:
    """Write each session's 17 boxes to disk and compute the VIN the app should show for them."""
    sessions = []
    for index in range(count):
        vin = session_vin(index)
        own = folder / f"session{index}"
        own.mkdir()
        items = [(name, encode_png(image)) for name, image in sample_boxes(vin, seed=100 + index)]
        for name, data in items:
            (own / name).write_bytes(data)
        expected = read_boxes(recognizer.recognize_bytes(items), "prefer").vin
        sessions.append(Session(index, vin, [own / name for name, _ in items], expected))
    return sessions


class MemoryWatch:
    """Samples the server's resident memory in a thread: the peak and the last value."""

    def __init__(self, server: Server, every_s: float = 0.2) -> None:
        self.server, self.every_s = server, every_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.server.rss_mb())
            self._stop.wait(self.every_s)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def settle(page, quiet_ms: int = 400) -> None:
    """Wait until the script run is over: nothing stale and nothing running for `quiet_ms`."""
    await page.evaluate("() => { window.__idleSince = null; }")
    await page.wait_for_function(IDLE_FOR, arg=quiet_ms, polling=50)


async def open_recognize(browser, server_url: str):
    """A new browser context (a new app session) showing Recognize VIN."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    await page.goto(server_url)
    await page.get_by_test_id("stSidebar").get_by_role("link", name="Recognize VIN", exact=True).click()
    await page.get_by_test_id("stFileUploaderDropzoneInput").wait_for(state="attached")
    await settle(page)
    return context, page


async def uploader_key(page) -> str:
    """The key class of the uploader on the page now (st-key-recognize_boxes_<n>)."""
    return await page.locator(UPLOADER).first.evaluate(
        f"e => [...e.classList].find(c => c.startsWith('{UPLOADER_KEY}'))"
    )


async def upload_once(page, session: Session) -> tuple[float, str]:
    """Clear, upload the session's files; seconds from handing them over to the VIN shown, and the VIN."""
    old = await uploader_key(page)
    await page.locator(CLEAR).first.click()
    await page.wait_for_function(NEW_UPLOADER, arg=old, polling=50)  # files go to the new, empty one
    await page.locator(".vin-display").wait_for(state="detached")
    await settle(page)
    uploader = page.locator(f".{await uploader_key(page)} [data-testid='stFileUploaderDropzoneInput']")
    start = time.perf_counter()
    await uploader.set_input_files([str(p) for p in session.files])
    display = page.locator(VIN)
    await display.wait_for(state="visible")
    seconds = time.perf_counter() - start
    text = "".join((await display.inner_text()).split())
    await settle(page)
    return seconds, text


async def upload_or_explain(page, session: Session) -> tuple[float, str]:
    """upload_once; when it fails, a screenshot of the session and the messages it shows."""
    try:
        return await upload_once(page, session)
    except Exception as exc:
        shot = ROOT / "artifacts" / f"load_test_failure_session{session.index}.png"
        await page.screenshot(path=str(shot), full_page=True)
        alerts = await page.get_by_test_id("stAlert").all_inner_texts()
        raise RuntimeError(f"session {session.index}: {exc}; alerts: {alerts}; screenshot {shot}") from exc


async def run_rounds(page, session: Session, rounds: int) -> None:
    """The measured uploads of one session."""
    for _ in range(rounds):
        seconds, text = await upload_or_explain(page, session)
        session.seconds.append(seconds)
        session.shown.append(text)


async def drive(server: Server, sessions: list[Session], rounds: int) -> dict:
    """Warm every session up once, then run all sessions' rounds at the same time."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        opened = [await open_recognize(browser, server.url) for _ in sessions]
        with MemoryWatch(server) as watch:
            await asyncio.gather(*(upload_or_explain(page, s) for (_, page), s in zip(opened, sessions)))
            warm_mb = server.rss_mb()
            started = time.perf_counter()
            await asyncio.gather(*(run_rounds(page, s, rounds) for (_, page), s in zip(opened, sessions)))
            wall_s = time.perf_counter() - started
            end_mb = server.rss_mb()
        for context, _ in opened:
            await context.close()
        await browser.close()
    return {
        "rss_after_warmup_mb": warm_mb,
        "rss_end_mb": end_mb,
        "rss_peak_mb": watch.peak_mb,
        "wall_s": wall_s,
    }


def summarise(sessions: list[Session], memory: dict, rounds: int) -> dict:
    """The figures of the run, as written to artifacts/load_test.json."""
    seconds = np.array([s for session in sessions for s in session.seconds])
    wrong = {
        session.index: [v for v in session.shown if v != session.expected]
        for session in sessions
        if any(v != session.expected for v in session.shown)
    }
    return {
        "sessions": len(sessions),
        "rounds": rounds,
        "uploads": int(seconds.size),
        "upload_to_vin_s": {
            "p50": round(float(np.percentile(seconds, 50)), 3),
            "p95": round(float(np.percentile(seconds, 95)), 3),
            "max": round(float(seconds.max()), 3),
        },
        "every_session_saw_its_own_vin_every_time": not wrong,
        "wrong_readings": wrong,
        "vins": {s.index: {"written": s.vin, "read_by_model": s.expected} for s in sessions},
        "server_rss_mb": {
            "after_warmup": round(memory["rss_after_warmup_mb"], 1),
            "end": round(memory["rss_end_mb"], 1),
            "peak": round(memory["rss_peak_mb"], 1),
            "growth": round(memory["rss_end_mb"] - memory["rss_after_warmup_mb"], 1),
        },
        "wall_s": round(memory["wall_s"], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions at once (default 8)")
    parser.add_argument("--rounds", type=int, default=25, help="measured uploads per session (default 25)")
    args = parser.parse_args(argv)
    recognizer = Recognizer.load()
    with tempfile.TemporaryDirectory() as tmp:
        sessions = make_sessions(args.sessions, Path(tmp), recognizer)
        with streamlit_server(ROOT / "artifacts" / "load_test_server.log") as server:
            memory = asyncio.run(drive(server, sessions, args.rounds))
    report = summarise(sessions, memory, args.rounds)
    write_report(ARTIFACT, report)
    return 0 if report["every_session_saw_its_own_vin_every_time"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
