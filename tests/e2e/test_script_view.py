"""The reviewer's graph view of a call-script draft: routes (auth, 404, 409), HTML and Mermaid, and the page
in headless Chromium at 1280×900 (no sideways scroll, every node card visible).

The full-page screenshot lands in test-output/script-view/ for a human look (the folder is git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.browser import chromium_page
from tests.e2e.conftest import auth
from tools.call_script.model import CallScript

BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+外呼"
DESKTOP = (1280, 900)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "script-view"

# Per node card: is it displayed, with a size, inside the page's width?
_MEASURE_CARDS = """() => Array.from(document.querySelectorAll('article.card')).map((card) => {
  const style = getComputedStyle(card);
  const box = card.getBoundingClientRect();
  return {
    node: card.dataset.node, display: style.display, visibility: style.visibility,
    left: box.left + window.scrollX, right: box.right + window.scrollX, width: box.width, height: box.height,
  };
})"""


def _drafts(client, demo) -> dict[str, str]:
    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    return {d["channel"]: d["draft_id"] for d in response.json()["drafts"]}


def _script(client, demo, draft_id: str) -> CallScript:
    draft = client.get(f"/v1/drafts/{draft_id}", headers=auth(demo, "reviewer")).json()
    return CallScript.model_validate(draft["content"]["script"])


def test_html_and_mermaid_list_every_node(client, demo):
    draft_id = _drafts(client, demo)["call_script"]
    script = _script(client, demo, draft_id)

    page = client.get(f"/v1/drafts/{draft_id}/script", headers=auth(demo, "reviewer"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    for node in script.nodes:
        assert f'id="node-{node.id}"' in page.text and f'data-node="{node.id}"' in page.text

    mermaid = client.get(f"/v1/drafts/{draft_id}/script.mmd", headers=auth(demo, "marketer"))
    assert mermaid.status_code == 200 and mermaid.headers["content-type"].startswith("text/plain")
    assert mermaid.text.startswith("flowchart TD\n")
    for node in script.nodes:
        assert f"    n_{node.id}" in mermaid.text


def test_cli_prints_the_same_mermaid(client, demo):
    drafts = _drafts(client, demo)
    expected = client.get(
        f"/v1/drafts/{drafts['call_script']}/script.mmd", headers=auth(demo, "reviewer")
    ).text
    shown = CliRunner().invoke(app, ["review", "show", drafts["call_script"], "--mermaid"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == expected
    wrong = CliRunner().invoke(app, ["review", "show", drafts["sms"], "--mermaid"])
    assert wrong.exit_code == 2 and "not_call_script" in wrong.stderr


@pytest.mark.parametrize("suffix", ["script", "script.mmd"])
def test_errors_are_typed_and_auth_matches_draft_reads(client, demo, suffix):
    drafts = _drafts(client, demo)
    wrong = client.get(f"/v1/drafts/{drafts['sms']}/{suffix}", headers=auth(demo, "reviewer"))
    assert wrong.status_code == 409 and wrong.json()["reason"] == "not_call_script"
    missing = client.get(f"/v1/drafts/drf_000000000000/{suffix}", headers=auth(demo, "reviewer"))
    assert missing.status_code == 404 and missing.json()["reason"] == "unknown_draft"
    url = f"/v1/drafts/{drafts['call_script']}/{suffix}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(url, headers=auth(demo, "voicebot")).status_code == 403


def test_the_page_reads_well_on_a_desktop(client, demo, tmp_path):
    draft_id = _drafts(client, demo)["call_script"]
    script = _script(client, demo, draft_id)
    html = client.get(f"/v1/drafts/{draft_id}/script", headers=auth(demo, "reviewer")).text
    html_file = tmp_path / "script.html"
    html_file.write_text(html, encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with chromium_page(*DESKTOP) as page:
        page.goto(html_file.as_uri())
        page.screenshot(path=str(SCREENSHOTS / "call_script.png"), full_page=True)
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        cards = page.evaluate(_MEASURE_CARDS)
    assert scroll_width <= inner_width, f"horizontal scroll: {scroll_width} > {inner_width}"
    assert sorted(card["node"] for card in cards) == sorted(node.id for node in script.nodes)
    for card in cards:
        assert card["display"] != "none" and card["visibility"] == "visible", card
        assert card["width"] > 0 and card["height"] > 0, card
        assert 0 <= card["left"] and card["right"] <= inner_width, card
