"""The H5 page on a phone (375×812) in headless Chromium: no sideways scroll, disclosures readable, boxes unticked.

Full-page screenshots land in test-output/h5/ for a human look (the folder is git-ignored).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.browser import chromium_page
from tests.h5_plans import H5Plan, PlanWave
from tools.h5 import build_offline_h5, render_h5
from tools.products import default_catalog

PHONE = (375, 812)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "h5"
# One product per family the page copy distinguishes: credit, investment, deposit.
PRODUCTS = {"consumer_loan": "CL-001", "wealth": "WM-R2-001", "large_cd": "LCD-001"}
DISCLOSURES = ("#rate-and-fees", "#risk-disclosure")

# Per disclosure item: is it displayed, inside the page, at a readable size and in dark (not grey) text?
_MEASURE = """(selector) => Array.from(document.querySelectorAll(selector + ' li')).map((li) => {
  const style = getComputedStyle(li);
  const box = li.getBoundingClientRect();
  const [r, g, b] = style.color.match(/\\d+/g).map(Number);
  return {
    text: li.textContent.slice(0, 20), display: style.display, visibility: style.visibility,
    fontSize: parseFloat(style.fontSize), luminance: 0.2126 * r + 0.7152 * g + 0.0722 * b,
    left: box.left + window.scrollX, right: box.right + window.scrollX, top: box.top + window.scrollY,
    bottom: box.bottom + window.scrollY, width: box.width, height: box.height,
    pageWidth: document.documentElement.scrollWidth, pageHeight: document.documentElement.scrollHeight,
  };
})"""


@pytest.fixture(scope="module")
def phone():
    """One headless browser tab at phone size for the module: launching Chromium is the slow part."""
    with chromium_page(*PHONE) as browser_page:
        yield browser_page


@pytest.mark.parametrize("product_type", list(PRODUCTS))
def test_the_page_reads_well_on_a_phone(product_type, phone, tmp_path):
    product = default_catalog().get(PRODUCTS[product_type])
    page = build_offline_h5(H5Plan("acquisition", [PlanWave(date(2026, 12, 1), date(2026, 12, 31))]), product)
    html_file = tmp_path / f"{product_type}.html"
    html_file.write_text(render_h5(page, preview=False), encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    phone.goto(html_file.as_uri())
    phone.screenshot(path=str(SCREENSHOTS / f"{product_type}.png"), full_page=True)
    scroll_width, inner_width = phone.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"horizontal scroll: {scroll_width} > {inner_width}"
    for selector in DISCLOSURES:
        items = phone.evaluate(_MEASURE, selector)
        assert items, f"{selector} has no items"
        for item in items:
            assert item["display"] != "none" and item["visibility"] == "visible", item
            assert item["width"] > 0 and item["height"] > 0, item
            assert 0 <= item["left"] and item["right"] <= item["pageWidth"], item
            assert 0 <= item["top"] and item["bottom"] <= item["pageHeight"], item
            assert item["fontSize"] >= 12, item
            assert item["luminance"] < 100, f"disclosure text is grey: {item}"
    boxes = phone.evaluate(
        "() => Array.from(document.querySelectorAll('input[type=checkbox]')).map((b) => b.checked)"
    )
    assert boxes == [False] * len(page.lead_form.consents)
