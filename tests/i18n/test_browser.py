"""In Debian's Chromium without any Tibetan system font, Dzongkha pages draw real glyphs from the bundled font."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicloop.consultations.models import Consultation
from civicloop.demo.foundation import DemoWorld

pytestmark = pytest.mark.browser
# Set to a folder to keep the screenshots (docs/img holds the ones the docs show).
SCREENSHOTS = os.environ.get("CIVICLOOP_SCREENSHOTS", "")


def _fonts_of(page, selector: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts: list[dict[str, object]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return fonts


def test_dzongkha_pages_draw_with_the_bundled_font(demo: DemoWorld, db: Session, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    installed = subprocess.run(["fc-list", ":lang=bo"], capture_output=True, text=True, check=False).stdout
    assert not installed.strip(), f"this test needs a machine without a Tibetan system font: {installed[:200]}"
    bus_stop = db.scalar(select(Consultation).where(Consultation.hashtag == "NorzinBusStop"))
    assert bus_stop is not None
    page.set_viewport_size({"width": 1000, "height": 1400})
    for name, path in [
        ("consultation", f"/c/{bus_stop.code}?lang=dz"),
        ("feedback", "/feedback/THROMDE?lang=dz"),
        ("transparency", "/transparency?lang=dz"),
    ]:
        page.goto(path)
        page.evaluate("document.fonts.ready.then(() => true)")
        fonts = _fonts_of(page, "h1")
        tibetan = [f for f in fonts if f["familyName"] == "Jomolhari"]
        assert tibetan and tibetan[0]["isCustomFont"] and int(tibetan[0]["glyphCount"]) > 5, (name, fonts)
        # The used font is a web font, never a system one: nothing else drew the Tibetan glyphs.
        assert all(f["isCustomFont"] or f["familyName"] != "Jomolhari" for f in fonts)
        folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
        page.screenshot(path=str(folder / f"dzongkha-{name}.png"), full_page=False)
