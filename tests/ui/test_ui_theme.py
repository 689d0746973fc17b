"""ui.theme is the one home of the app's colours; .streamlit/config.toml must repeat them exactly."""

import re
import tomllib
from pathlib import Path

from ui import theme

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_theme_uses_the_theme_module_colours():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert config["primaryColor"] == theme.PRIMARY
    assert config["textColor"] == theme.TEXT
    assert config["secondaryBackgroundColor"] == theme.SIDEBAR_BG


def test_no_colour_literal_outside_the_theme_module():
    found = []
    for path in [*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        if path.name == "theme.py":
            continue
        for colour in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text()):
            found.append(f"{path.name}: {colour}")
    assert found == []
