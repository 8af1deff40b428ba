"""The eval report: Markdown and one self-contained HTML page, checked in headless Chromium."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.settings import get_settings
from evals.core import Confusion
from evals.report import ReportError, write_report
from evals.runner import EvalRun, load_history, run_evals, save_run
from tests.browser import chromium_page


@pytest.fixture()
def history(tmp_path, monkeypatch) -> list[EvalRun]:
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    first = run_evals(["call_script", "compliance"])
    # A second stored run with one metric lower, so the trend chart has a line to draw.
    second = first.model_copy(deep=True)
    second.metadata.run_id += "_b"
    second.metadata.started_at = (
        datetime.fromisoformat(first.metadata.started_at) + timedelta(minutes=5)
    ).isoformat()
    second.suites[0].metrics = {k: v * 0.9 for k, v in second.suites[0].metrics.items()}
    save_run(second)
    yield load_history()
    get_settings.cache_clear()


def test_markdown_and_html_are_written(history, tmp_path):
    markdown, html = write_report(history, tmp_path / "report")
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")  # self-contained
    assert text.count("<svg") >= 4  # metric bars per suite, a trend, the confusion chart
    assert "compliance" in markdown.read_text(encoding="utf-8")


def test_no_history_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match="mbrain eval run"):
        write_report([], tmp_path)


def test_confusion_chart_escapes_labels():
    from evals.charts import confusion_bars

    svg = confusion_bars(Confusion(labels=["<b>x"], tp={"<b>x": 1}, fp={}, fn={}))
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_report_renders_in_chromium(history, tmp_path):
    _, html = write_report(history, tmp_path / "report")
    shot = tmp_path / "report.png"
    with chromium_page(1280, 900) as page:
        page.goto(Path(html).as_uri())  # type: ignore[attr-defined]
        assert "eval report" in page.title()  # type: ignore[attr-defined]
        charts = page.locator("svg.chart")  # type: ignore[attr-defined]
        assert charts.count() >= 4
        box = charts.first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 50  # drawn, not collapsed
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0
        page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]
    assert shot.stat().st_size > 10_000
