"""The README's screenshot: the Recognize page reading the sample photo, taken in Debian's Chromium
(Playwright) from a real `streamlit run` server.

    python -m bench.screenshot                 # writes docs/recognize.png

The page is shot from its top to the VIN's accept-or-review verdict, at 1280 px wide, and saved
as a palette PNG scaled to OUT_WIDTH px (under 300 KB).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from bench.streamlit_server import CHROMIUM, CHROMIUM_ARGS, IDLE_FOR, ROOT, VIN, streamlit_server

VIEWPORT = {"width": 1280, "height": 900}
OUT_WIDTH = 960  # px of the saved image
# the page's y below the first alert under the VIN (the accept-or-review verdict), else the VIN
BELOW_VERDICT = """(vinSelector) => {
    const vin = document.querySelector(vinSelector).getBoundingClientRect();
    const alerts = [...document.querySelectorAll('[data-testid="stAlert"]')]
        .map(a => a.getBoundingClientRect());
    const verdict = alerts.find(r => r.top >= vin.bottom);
    return (verdict ? verdict.bottom : vin.bottom) + window.scrollY;
}"""


def take(url: str) -> bytes:
    """PNG bytes of the Recognize page after it read the sample photo, cut below the VIN."""
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport=VIEWPORT)
        tab.set_default_timeout(180_000)
        tab.goto(f"{url}/recognize")
        tab.get_by_role("button", name="Load the sample photo").click()
        tab.locator(VIN).wait_for(state="visible")
        tab.wait_for_function(IDLE_FOR, arg=1000, polling=100)
        bottom = tab.evaluate(BELOW_VERDICT, VIN)
        height = int(bottom) + 12
        tab.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
        tab.wait_for_function(IDLE_FOR, arg=500, polling=100)
        png = tab.screenshot(clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
        browser.close()
    return png


def shrink(png: bytes) -> bytes:
    """The shot scaled to OUT_WIDTH px wide, as a 128-colour palette PNG."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    height = round(image.height * OUT_WIDTH / image.width)
    small = image.resize((OUT_WIDTH, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "recognize.png", help="PNG to write")
    args = parser.parse_args(argv)
    with streamlit_server(Path(tempfile.gettempdir()) / "vinocr-screenshot-server.log") as server:
        data = shrink(take(server.url))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{args.out}: {len(data) / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
