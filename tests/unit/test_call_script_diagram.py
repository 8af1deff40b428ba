"""The reviewer's drawing of a call script: Mermaid source (snapshot, coverage, escaping) and the HTML page.

To accept a deliberate change to the drawing, regenerate the snapshot:
    .venv/bin/python -c "from tests.unit.test_call_script_diagram import build; from tools.call_script.diagram \
import to_mermaid; print(to_mermaid(build()), end='')" > tests/unit/snapshots/call_script_loan.mmd
"""

from __future__ import annotations

import re
from datetime import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from core.domain import Finding, Product, Span
from tools.call_script import Institution, build_first_contact_script, flatten_text, validate_script
from tools.call_script.catalog import FORBIDDEN_PHRASE
from tools.call_script.diagram import to_html, to_mermaid
from tools.call_script.diagram_view import place_findings, route_label
from tools.call_script.model import CallScript

SNAPSHOT = Path(__file__).parent / "snapshots" / "call_script_loan.mmd"
BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
WINDOW = (time(9, 0), time(21, 0))
LOAN = Product(
    id="CL-001", name="示例安心贷", type="consumer_loan", apr_min=3.6, apr_max=12.0, max_amount=200_000,
    term="最长36期", fees=["无提前还款违约金"], benefits=["线上申请，随借随还", "按日计息", "额度循环使用"],
)  # fmt: skip
HOSTILE = 'a"b[c]{d}(e)<b>|#&`'  # every Mermaid syntax character, short enough for the excerpt
# A quoted Mermaid label: opening shape, one pair of quotes around text without quotes, closing shape.
NODE_LINE = re.compile(r'^    n_[a-z0-9_]+(\[|\{\{|\(\[|\[\[|\[/|\[\()"[^"\n]*"(\]|\}\}|\]\)|\]\]|/\]|\)\])$')


def build() -> CallScript:
    """The offline first-contact script for the fictional consumer loan, as test_call_script_build builds it."""
    return build_first_contact_script(
        script_id="cs-loan-001", campaign_id="cmp-001", institution=BANK, product=LOAN,
        purpose="向您介绍我行的个人消费贷款产品", value_points=[], calling_window=WINDOW, dnc_days=180,
    )  # fmt: skip


def edited(script: CallScript, change: Any) -> CallScript:
    """A re-validated copy of ``script`` after ``change`` edits its JSON form in place."""
    data = script.model_dump(mode="json")
    change(data)
    return CallScript.model_validate(data)


def _node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["id"] == node_id)


def test_mermaid_matches_snapshot() -> None:
    assert to_mermaid(build()) == SNAPSHOT.read_text(encoding="utf-8")


def test_every_node_route_and_handler_is_drawn() -> None:
    script = build()
    mermaid = to_mermaid(script)
    lines = mermaid.splitlines()
    for node in script.nodes:
        assert any(NODE_LINE.match(line) and line.startswith(f"    n_{node.id}") for line in lines), node.id
        for route in node.routes:
            assert re.search(
                rf'n_{node.id} (-->|==>)\|"{re.escape(route_label(route.when))}"\| n_{route.to}\n', mermaid
            )
        if node.next and script.node(node.next):
            assert f'n_{node.id} -->|"next"| n_{node.next}\n' in mermaid
    handlers = mermaid.split('subgraph global_handlers["')[1].split("\n    end\n")[0]
    assert handlers.count('>"') == len(script.global_handlers) > 0
    assert f"start --> n_{script.start_node}\n" in mermaid


def test_refusal_node_is_visually_distinct() -> None:
    script = build()
    mermaid = to_mermaid(script)
    refusal = script.compliance.refusal_node
    assert f"    class n_{refusal} refusal\n" in mermaid and "classDef refusal " in mermaid
    assert f"h_0 ==> n_{refusal}\n" in mermaid  # the refuse handler's path is drawn thick
    assert "REFUSAL · do-not-call" in next(line for line in mermaid.splitlines() if f"n_{refusal}[(" in line)


def test_quotes_and_brackets_are_escaped() -> None:
    def hostile(data: dict[str, Any]) -> None:
        _node(data, "permission_check")["prompt"]["text"] = HOSTILE
        _node(data, "interest_check")["routes"][0]["when"]["condition"] = 'x == "y" || z[0] > 1'

    mermaid = to_mermaid(edited(build(), hostile))
    line = next(line for line in mermaid.splitlines() if line.startswith("    n_permission_check"))
    assert NODE_LINE.match(line), line
    assert "“a#quot;b#91;c#93;#123;d#125;#40;e#41;#lt;b#gt;#124;#35;#amp;#96;”" in line
    edge = next(line for line in mermaid.splitlines() if "condition:" in line)
    assert edge.count('"') == 2 and "#quot;y#quot;" in edge and "#124;#124;" in edge and "#91;0#93;" in edge


def test_output_is_stable_and_ids_are_prefixed() -> None:
    def rename(data: dict[str, Any]) -> None:
        _node(data, "closing")["id"] = "end"
        for node in data["nodes"]:
            for route in node["routes"]:
                route["to"] = "end" if route["to"] == "closing" else route["to"]
        for handler in data["global_handlers"]:
            handler["to"] = "end" if handler["to"] == "closing" else handler["to"]

    script = edited(build(), rename)
    assert to_mermaid(script) == to_mermaid(script)
    assert "    n_end[(" in to_mermaid(script)
    assert not re.search(r"^\s+end\[", to_mermaid(script), re.MULTILINE)  # `end` alone closes a subgraph


def test_pseudo_and_undeclared_targets_get_their_own_nodes() -> None:
    script = edited(build(), lambda d: _node(d, "permission_check")["routes"][1].update(to="nowhere"))
    mermaid = to_mermaid(script)
    assert "x_" in mermaid and "nowhere · undeclared" in mermaid and "class x_" in mermaid
    assert "@return" in mermaid and "@repeat" in mermaid


# ---- HTML page -------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Ids, hrefs, data-node cards and tags of the rendered page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.cards: list[str] = []
        self.tags: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.add(tag)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if attributes.get("href"):
            self.hrefs.append(str(attributes["href"]))
        if tag == "article" and attributes.get("data-node"):
            self.cards.append(str(attributes["data-node"]))


def _card_html(html: str, node_id: str) -> str:
    return html.split(f'id="node-{node_id}"')[1].split("</article>")[0]


def test_page_has_one_card_per_node_and_every_link_lands() -> None:
    script = build()
    html = to_html(script, findings=[])
    page = _Page(html)
    assert sorted(page.cards) == sorted(n.id for n in script.nodes)
    internal = [href for href in page.hrefs if href.startswith("#")]
    assert internal and all(href[1:] in page.ids for href in internal)
    assert all(href.startswith("#") for href in page.hrefs)  # nothing external
    assert "script" not in page.tags and "link" not in page.tags
    assert "<details" in html and "flowchart TD" in html


def test_prompt_text_is_escaped_and_pii_variables_marked() -> None:
    script = edited(build(), lambda d: _node(d, "permission_check")["prompt"].update(text=HOSTILE))
    html = to_html(script, findings=[])
    assert "<b>|" not in html and "a&#34;b[c]{d}(e)&lt;b&gt;|#&amp;`" in html
    opening = _card_html(html, "opening")
    assert 'class="var pii-personal"' in opening and "<sup>PII</sup>" in opening
    assert "披露/告知措辞" in opening  # disclosure stages: fixed wording highlighted
    assert "badge refusal" in _card_html(html, "refusal_dnc")


def test_findings_are_pinned_to_their_node_handler_or_script() -> None:
    def break_it(data: dict[str, Any]) -> None:
        _node(data, "value_proposition")["prompt"]["text"] += "稳赚不赔。"
        data["global_handlers"][0]["to"] = "closing"
        data["call_policy"].update(max_attempts_per_day=3, max_attempts_total=5)

    script = edited(build(), break_it)
    findings = validate_script(script, bank_short_name="示例银行", calling_window=WINDOW)
    flat = flatten_text(script)
    start = flat.index("按日计息")  # a text-checker finding: span into the flattened text, no node named
    findings.append(
        findings[0].model_copy(
            update={"message": "unsourced", "span": Span(start=start, end=start + 4, quote="按日计息")}
        )
    )
    placement = place_findings(script, findings)
    assert {f.rule_id for f in placement.by_node["value_proposition"]} >= {
        FORBIDDEN_PHRASE.rule_id,
        findings[-1].rule_id,
    }
    assert any("global handler #0" in f.message for f in placement.by_handler[0])
    assert any(f.rule_id == "CALL-05" for f in placement.general)
    html = to_html(script, findings=findings)
    card = _card_html(html, "value_proposition")
    assert '<mark class="flag">稳赚不赔</mark>' in card and '<mark class="flag">按日计息</mark>' in card
    assert "CALL-05" not in card and "CALL-05" in html


def test_unplaceable_span_falls_back_to_the_whole_script() -> None:
    script = build()
    stray = Finding(
        rule_id="X-1", category="call_rule", severity="warn", span=Span(start=0, end=3, quote="不存在"),
        message="somewhere", citation="c", fix="f", detector="test",
    )  # fmt: skip
    assert place_findings(script, [stray]).general == [stray]
