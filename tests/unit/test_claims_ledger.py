"""The claims ledger: quantities are read with their units, compared numerically, linked to the field that states
them, and an unlinked one becomes a blocking FM-06 finding that sends the draft back to revise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import agents.compliance_check as compliance_check
from agents.drafts import DraftState
from agents.nodes import route_after_check
from agents.plan import CampaignPlan, Wave
from core.domain import Product
from core.settings import get_settings
from tools.claims import build_ledger, extract_quantities, stored_ledger, unlinked_findings
from tools.claims.kb import kb_sections
from tools.products import default_catalog

INVENTED = "【示例银行】您的示例e贷额度已可使用，年化利率（单利）2.88%起，最高可借20万元。详询400-000-0000。拒收请回复R"


@pytest.fixture(autouse=True)
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def plan(product_id: str = "CL-001", audience: str = "授信未借款客户") -> CampaignPlan:
    wave = Wave(name="第一波", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31), channels=["sms"])
    return CampaignPlan(
        objective="activation", product_ids=[product_id], audience_description=audience, channels=["sms"],
        waves=[wave], kpis=["用信客户数"], constraints=[], assumptions=[],
    )  # fmt: skip


def product(product_id: str) -> Product:
    return default_catalog().get(product_id)


# ── extraction ─────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("年化3.6%", "rate", "3.6", "%"),
        ("日利率万分之三", "rate", "万分之三", ""),
        ("最高可借20万元", "amount", "20万", "元"),
        ("额度200,000元", "amount", "200,000", "元"),
        ("可分12期", "term", "12", "期"),
        ("期限91天", "term", "91", "天"),
        ("存期3年", "term", "3", "年"),
        ("2026年12月31日前有效", "date", "2026年12月31日", ""),
        ("12月31日前", "date", "12月31日", ""),
        ("满十八周岁", "count", "十八", "周岁"),
        ("年费１００元", "amount", "１００", "元"),
    ],
)
def test_quantities_keep_value_as_written_unit_and_span(text, kind, value, unit):
    (quantity,) = extract_quantities(text)
    assert (quantity.kind, quantity.value, quantity.unit) == (kind, value, unit)
    assert text[quantity.start : quantity.end] == value


def test_keys_compare_numerically_after_unit_normalisation():
    def key(text: str) -> object:
        return extract_quantities(text)[0].key

    assert (
        key("20万元") == key("200000元") == key("200,000元") == key("二十万元") == ("amount", Decimal(200000))
    )
    assert key("3.60%") == key("3.6%")
    assert key("3年") == key("36个月") != key("36期")
    assert key("万分之五") == key("0.05%")


def test_a_range_start_takes_the_unit_of_its_end():
    assert [(q.value, q.unit) for q in extract_quantities("期限1至36期，可选3、6、12期")] == [
        ("1", "期"), ("36", "期"), ("3", "期"), ("6", "期"), ("12", "期"),
    ]  # fmt: skip


def test_list_numbering_and_words_with_numeral_characters_are_not_claims():
    assert extract_quantities("1. 手机银行办理\n2、网点办理\n统一年化口径") == []


# ── linking ────────────────────────────────────────────────────────────────────────────────────────────────


def test_every_fact_links_to_the_field_that_states_it():
    text = "年化利率（单利）3.60%起，额度200,000元，期限1至36期，提前还款不收取违约金，12月31日前申请"
    ledger = build_ledger(text, product("CL-001"), plan())
    assert [(e.value, e.source) for e in ledger] == [
        ("3.60", "product:CL-001.apr_min"),
        ("200,000", "product:CL-001.max_amount"),
        ("期限1至36期", "product:CL-001.benefits[1]"),  # a selling point quoted verbatim from the sheet
        ("1", "product:CL-001.benefits[1]"),
        ("36", "product:CL-001.term"),
        ("12月31日", "plan.waves[0].ends_on"),
    ]


def test_the_bank_hotline_is_not_a_claim_but_another_number_is():
    settings = get_settings()
    ledger = build_ledger(f"详询{settings.bank_hotline}或400-123-4567", product("CL-001"), plan())
    assert [(e.kind, e.value, e.source) for e in ledger] == [("phone", "400-123-4567", None)]


def test_a_plan_field_is_a_source():
    ledger = build_ledger(
        "本次面向近3个月有代发的客户", product("DP-001"), plan(audience="近3个月有代发工资的客户")
    )
    assert [(e.value, e.source) for e in ledger] == [("3", "plan.audience_description")]


def test_kb_section_links_a_regulation_number_only_in_its_context():
    bare = Product(id="DP-X", name="测试存款", type="deposit", rate=1.1)
    sections = kb_sections()
    linked = build_ledger("存款保险最高偿付限额为人民币50万元", bare, None, sections=sections)
    assert linked[0].source is not None and linked[0].source.startswith("kb:reg-deposit-insurance#第五条")
    unrelated = build_ledger("开户即赠50万元大奖", bare, None, sections=sections)
    assert [e.source for e in unrelated if e.kind == "amount"] == [None]


def test_benefits_named_on_the_sheet_link_and_invented_perks_do_not():
    card = product("CC-001")
    ledger = build_ledger("主卡首年免年费，消费交易享18至50天免息还款期，办卡再送红包", card, plan("CC-001"))
    benefits = {(e.value, e.source) for e in ledger if e.kind == "benefit"}
    assert ("免年费", "product:CC-001.fees[1]") in benefits
    assert ("消费交易享18至50天免息还款期（按期全额还款时）", None) not in benefits
    assert ("红包", None) in benefits


def test_an_invented_rate_is_a_blocking_finding_quoting_it_exactly():
    loan = product("CL-001")
    ledger = build_ledger(INVENTED, loan, plan())
    findings = unlinked_findings(ledger, loan)
    assert [f.span.quote for f in findings if f.span] == ["2.88"]
    (finding,) = findings
    assert (finding.rule_id, finding.category, finding.severity, finding.detector) == (
        "FM-06", "misleading_claim", "block", "claims_ledger",
    )  # fmt: skip
    assert INVENTED[finding.span.start : finding.span.end] == "2.88"
    assert "CL-001" in finding.fix and "政策知识库" in finding.citation


# ── the graph's check step ─────────────────────────────────────────────────────────────────────────────────


def test_check_step_stores_the_ledger_and_sends_an_invented_rate_to_revise(monkeypatch):
    monkeypatch.setattr(compliance_check, "with_sources", lambda findings: findings)  # no KB index needed
    draft = DraftState(channel="sms", content={"text": INVENTED, "meta": {"ai_generated": True}}, mode="llm")
    checked = compliance_check.check_draft(draft, plan())
    assert checked.verdict == "block" and "FM-06" in {f.rule_id for f in checked.findings}
    assert [e.value for e in stored_ledger(checked.content) if not e.linked] == ["2.88"]
    assert checked.content["meta"]["ai_generated"] is True
    state = {
        "campaign_id": "c1",
        "brief": "b",
        "author": "a",
        "drafts": {"sms": checked.model_dump(mode="json")},
    }
    assert route_after_check(state) == "revise"


def test_check_step_passes_a_clean_offline_draft(monkeypatch):
    monkeypatch.setattr(compliance_check, "with_sources", lambda findings: findings)
    clean = INVENTED.replace("2.88", "3.6")
    checked = compliance_check.check_draft(
        DraftState(channel="sms", content={"text": clean}, mode="llm"), plan()
    )
    assert checked.verdict != "block", checked.findings
    assert all(entry.linked for entry in stored_ledger(checked.content))
