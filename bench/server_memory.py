"""Server memory bench: several browser sessions each upload a ZIP of many VINs to the Batch page and
close; does the app server give the memory back?

    python -m bench.server_memory                         # 3 sessions x a 1,000-VIN ZIP, once
    python -m bench.server_memory --rounds 2              # and the same again after the first round
    python -m bench.server_memory --sessions 1 --vins 200

Writes a ZIP with one folder of 17 box images per VIN (drawn by vinocr.synth.samples: `--distinct`
different VINs, repeated to `--vins` folders; no EMNIST file), starts `streamlit run app.py` on
localhost and samples the server's resident memory (RSS) every 0.2 s. A warm-up session opens the
Batch page and reads a 2-VIN ZIP, then closes (the model and the page's modules are loaded once per
process, not per session): its end is the baseline. Then `--sessions` Chromium contexts at once open
Batch > Many VINs > ZIP, upload the ZIP, wait for the table of all its VINs, and close. The RSS is
read right after they closed, and again after Streamlit's keep-for-reconnect time
(`server.disconnectedSessionTTL`, set here with `--ttl`) has passed and one more short session came
and went (Streamlit drops expired sessions only when it next stores one). `--rounds` repeats this
(a second round shows whether freed memory is reused or the server keeps growing). Passes when the
final RSS is within `--limit-mb` of the baseline. Writes artifacts/server_memory.json. A benchmark,
not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
import zipfile
from pathlib import Path

from bench.common import write_report
from bench.load_test import MemoryWatch, settle
from bench.streamlit_server import CHROMIUM, CHROMIUM_ARGS, ROOT, Server, streamlit_server
from vinocr.box.image_io import encode_png
from vinocr.synth.samples import sample_boxes

ARTIFACT = ROOT / "artifacts" / "server_memory.json"
TIMEOUT_MS = 3_600_000  # one upload of 1,000 VINs on a loaded 2-core machine takes minutes
KIND_ZIP = "One ZIP: a folder of 17 box images per VIN"  # ui.many_vins.KIND_ZIP (not imported: Streamlit)
# true once the page's "VINs" metric shows this count
VINS_SHOWN = """(count) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
    m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'VINs'
      && m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === count)"""


def vin_zip(vins: int, distinct: int) -> bytes:
    """A ZIP with `vins` folders of 17 box PNGs; `distinct` different VINs drawn, repeated in turn."""
    drawn = [
        [(name, encode_png(image)) for name, image in sample_boxes(seed=1000 + i)] for i in range(distinct)
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(vins):
            for name, data in drawn[index % distinct]:
                archive.writestr(f"vin{index + 1:05d}/{name}", data)
    return buffer.getvalue()


async def upload_zip(browser, server: Server, path: Path, vins: int) -> float:
    """One session: Batch > Many VINs > ZIP, upload, wait for the table of `vins` VINs, close.
    Seconds from handing the file over to the count shown."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        await page.goto(server.url)
        await page.get_by_test_id("stSidebar").get_by_role("link", name="Batch", exact=True).click()
        await page.get_by_text("Many VINs", exact=True).click()
        await page.get_by_text(KIND_ZIP, exact=True).click()
        uploader = page.locator('input[data-testid="stFileUploaderDropzoneInput"][accept*=".zip"]')
        await uploader.wait_for(state="attached")
        await settle(page)
        start = time.perf_counter()
        await uploader.set_input_files(str(path))
        await page.wait_for_function(VINS_SHOWN, arg=str(vins), polling=500)
        seconds = time.perf_counter() - start
        await settle(page)
        return seconds
    finally:
        await context.close()


def rss(server: Server) -> float:
    """The server's RSS now, MB, rounded."""
    return round(server.rss_mb(), 1)


async def one_round(browser, server: Server, big: Path, small: Path, args: argparse.Namespace) -> dict:
    """The measured sessions at once, then the RSS after they closed and after they expired."""
    figures: dict = {}
    started = time.perf_counter()
    seconds = await asyncio.gather(
        *(upload_zip(browser, server, big, args.vins) for _ in range(args.sessions))
    )
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    figures["upload_to_table_s"] = [round(s, 1) for s in seconds]
    await asyncio.sleep(2)
    figures["rss_after_sessions_closed_mb"] = rss(server)
    await asyncio.sleep(args.ttl + 2)  # past the time Streamlit keeps a closed session
    await upload_zip(browser, server, small, 2)  # storing this one drops the expired ones
    await asyncio.sleep(5)
    figures["rss_after_sessions_expired_mb"] = rss(server)
    return figures


async def drive(server: Server, big: Path, small: Path, args: argparse.Namespace) -> dict:
    """Warm-up (the baseline), then `--rounds` rounds; the final RSS is the last round's."""
    from playwright.async_api import async_playwright

    figures: dict = {"rss_fresh_server_mb": rss(server)}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        await upload_zip(browser, server, small, 2)
        await asyncio.sleep(2)
        figures["rss_baseline_after_warmup_mb"] = baseline = rss(server)
        with MemoryWatch(server) as watch:
            figures["rounds"] = [
                await one_round(browser, server, big, small, args) for _ in range(args.rounds)
            ]
        figures["rss_peak_mb"] = round(watch.peak_mb, 1)
        await browser.close()
    end = figures["rounds"][-1]["rss_after_sessions_expired_mb"]
    figures["growth_over_baseline_mb"] = round(end - baseline, 1)
    figures["within_limit"] = end - baseline <= args.limit_mb
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=3, help="browser sessions at once (default 3)")
    parser.add_argument("--vins", type=int, default=1000, help="VIN folders in the ZIP (default 1,000)")
    parser.add_argument("--distinct", type=int, default=100, help="different VINs drawn (default 100)")
    parser.add_argument("--ttl", type=int, default=30, help="server.disconnectedSessionTTL, s (default 30)")
    parser.add_argument("--limit-mb", type=float, default=150.0, help="allowed growth (default 150 MB)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of sessions, one after the other (default 1)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / f"vins{args.vins}.zip", Path(tmp) / "vins2.zip"
        big.write_bytes(vin_zip(args.vins, min(args.distinct, args.vins)))
        small.write_bytes(vin_zip(2, 2))
        env = {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl)}
        with streamlit_server(ROOT / "artifacts" / "server_memory_server.log", env) as server:
            figures = asyncio.run(drive(server, big, small, args))
        report = {
            "sessions": args.sessions,
            "vins_per_zip": args.vins,
            "distinct_vins": min(args.distinct, args.vins),
            "zip_mb": round(big.stat().st_size / 1e6, 1),
            "disconnected_session_ttl_s": args.ttl,
            "limit_mb": args.limit_mb,
            **figures,
        }
    write_report(ARTIFACT, report)
    return 0 if report["within_limit"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
