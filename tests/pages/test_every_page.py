"""Every page renders in AppTest without an exception; the Home page."""

from __future__ import annotations

import pytest

from vinocr.synth.samples import SAMPLE_VIN

PAGES = ["pages/home.py", "pages/recognize.py", "pages/draw.py", "pages/batch.py", "pages/metrics.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page, open_page, texts):
    at = open_page(page)
    assert at.title, f"{page} has no title"
    assert not at.error, texts(at.error)


def test_home_has_links_metrics_and_a_sample_button(open_page, vin_shown, matches):
    at = open_page()
    assert len(at.main.get("page_link")) == 4
    assert len(at.sidebar.get("page_link")) == 5  # the menu every page draws (ui/navigation.py)
    assert [m.label for m in at.metric][:3] == ["Test accuracy", "Macro recall", "Model file"]
    at.button(key="home_sample").click().run()
    assert not at.exception
    assert at.title[0].value == "Recognize a VIN"
    vin = vin_shown(at)
    assert vin == SAMPLE_VIN, vin  # the sample boxes read 17 of 17
