"""The content suite: offline thresholds hold, a broken template or product fact fails it by name, and the
deterministic checks it is built on (number tracer, channel constraints, disclosures) catch what they must."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import agents.content as content_agent
from agents.plan import CampaignPlan, Wave
from core.settings import get_settings
from evals.checks.channels import channel_violations
from evals.checks.disclosures import missing_disclosures
from evals.checks.numbers import extract_numbers
from evals.checks.tracing import FactSources, draft_sources, trace_numbers
from evals.core import EvalContext, SuiteResult
from evals.datasets_io import SCHEMAS_DIR, dataset_path, schema_for
from evals.judge import judge_prompt
from evals.runner import run_suite
from evals.suites.content import SUITE
from tools.channel_rules.limits import hanzi_width
from tools.cn_numerals import chinese_integer
from tools.products import ProductCatalog, default_catalog


@pytest.fixture(autouse=True)
def offline_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(tmp_path: Path) -> SuiteResult:
    return run_suite("content", EvalContext(mode="offline", work_dir=tmp_path, run_id="eval_test"))


def plan_for(product_id: str, *, audience: str = "代发工资客户") -> CampaignPlan:
    wave = Wave(name="第一波", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31), channels=["sms"])
    return CampaignPlan(
        objective="activation", product_ids=[product_id], audience_description=audience, channels=["sms"],
        waves=[wave], kpis=["触达后7日转化率"], constraints=[], assumptions=[],
    )  # fmt: skip


# ── the suite ──────────────────────────────────────────────────────────────────────────────────────────────


def test_offline_run_meets_thresholds_without_a_judge_score(tmp_path):
    result = run(tmp_path)
    assert result.ok, result.failures
    assert len(result.cases) >= 40 and "judge_mean" not in result.metrics
    assert all("no judge score (offline mode" in case.detail for case in result.cases)
    channels = {case.tags[-2] for case in result.cases}
    products = {case.expected["product_id"] for case in result.cases}
    assert channels == {"sms", "push", "wechat", "wecom", "h5"}
    assert products == {p.id for p in default_catalog()}


def test_template_without_opt_out_fails_constraints_and_compliance(tmp_path, monkeypatch):
    original = content_agent.write_offline

    def no_opt_out(plan, channel, product):
        copy = original(plan, channel, product)
        if channel == "sms":
            copy["text"] = copy["text"].replace("拒收请回复R", "")
        return copy

    monkeypatch.setattr(content_agent, "write_offline", no_opt_out)
    failures = "\n".join(run(tmp_path).failures)
    assert "content.constraint_pass_rate = " in failures and "< threshold 0.93" in failures
    assert "content.compliance_pass_rate = " in failures


def test_template_inventing_a_rate_fails_traced_numbers(tmp_path, monkeypatch):
    original = content_agent.write_offline

    def invented(plan, channel, product):
        copy = original(plan, channel, product)
        if channel == "wecom":
            copy["text"] += "本周限时加息至4.88%。"
        return copy

    monkeypatch.setattr(content_agent, "write_offline", invented)
    result = run(tmp_path)
    assert any(line.startswith("content.traced_numbers_rate = ") for line in result.failures), result.failures
    wecom = [case for case in result.cases if "wecom" in case.tags]
    assert wecom and all("untraced numbers: 4.88" in case.detail for case in wecom)


def test_writer_using_a_wrong_product_fact_is_caught(tmp_path, monkeypatch):
    wrong = [p.model_copy(update={"apr_min": 2.9}) if p.id == "CL-001" else p for p in default_catalog()]
    monkeypatch.setattr(content_agent, "default_catalog", lambda: ProductCatalog(wrong))
    result = run(tmp_path)
    failures = "\n".join(result.failures)
    assert "content.traced_numbers_rate" in failures and "content.disclosure_pass_rate" in failures
    loan_cases = [case for case in result.cases if case.expected["product_id"] == "CL-001"]
    assert loan_cases and all("2.9" in case.detail for case in loan_cases)


def test_dataset_header_and_schema_are_current():
    first_line = dataset_path("content").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schemas/content.schema.json"
    stored = json.loads((SCHEMAS_DIR / "content.schema.json").read_text(encoding="utf-8"))
    assert stored == schema_for(SUITE.case_model)


# ── the number tracer ──────────────────────────────────────────────────────────────────────────────────────


def test_tracer_catches_an_invented_rate():
    sources = draft_sources(default_catalog().get("CL-001"), get_settings(), plan_for("CL-001"))
    faithful = (
        "【示例银行】示例e贷年化利率（单利）3.6%起，最高可借20万元，最长36期。详询400-000-0000。拒收请回复R"
    )
    assert trace_numbers(faithful, sources).ok
    invented = trace_numbers(faithful.replace("3.6%起", "3.2%起"), sources)
    assert [t.text for t in invented.untraced] == ["3.2"] and "3.2" in invented.describe()


@pytest.mark.parametrize(
    ("text", "untraced"),
    [
        ("额度最高200000元，或写作二十万元、20万", []),
        ("日息低至万分之三", ["万分之三"]),
        ("最高可借30万元", ["30万"]),
        ("详询400-000-0000或13800138000", ["13800138000"]),
        ("请拨打400-123-4567", ["400-123-4567"]),
        ("活动时间2026年12月1日至12月31日", []),
        ("活动截至2027年1月15日", ["2027年1月15日"]),
        ("1. 额度可循环使用\n2. 按日计息", []),
        ("面向代发工资客户，7日内转化", []),
        ("风险等级R4", ["R4"]),
    ],
)
def test_tracer_cases(text, untraced):
    sources = draft_sources(default_catalog().get("CL-001"), get_settings(), plan_for("CL-001"))
    assert [t.text for t in trace_numbers(text, sources).untraced] == untraced


def test_tokeniser_reads_units_dates_and_chinese_numerals():
    tokens = {t.text: t for t in extract_numbers("二十万元，5亿元，万分之三，2026-12-01，09:00，Au99.99")}
    assert tokens["二十万"].value == 200_000 and tokens["5亿"].value == 500_000_000
    assert float(tokens["万分之三"].value) == pytest.approx(0.03)
    assert tokens["2026-12-01"].date == (2026, 12, 1) and tokens["09:00"].time == (9, 0)
    assert tokens["Au99.99"].code == "AU99.99"
    assert [chinese_integer(t) for t in ("十二", "三千五百", "二〇二六")] == [12, 3500, 2026]
    with pytest.raises(ValueError, match="not a Chinese numeral"):
        chinese_integer("壹")


def test_sources_match_partial_dates_and_hotlines_without_hyphens():
    sources = FactSources.collect(["热线400-000-0000"], dates=[date(2026, 12, 1)])
    assert trace_numbers("12月1日起，拨打4000000000，2026年", sources).ok
    assert not trace_numbers("12月2日起", sources).ok


# ── channel constraints and disclosures ───────────────────────────────────────────────────────────────────


def test_channel_constraints():
    assert hanzi_width("示例e贷") == 3.5
    ok_sms = {"text": "【示例银行】示例e贷年化利率（单利）3.6%起。拒收请回复R"}
    assert channel_violations("sms", ok_sms, sms_signature="示例银行") == []
    bad_sms = {"text": "示例e贷【限时】" + "好" * 140}
    problems = channel_violations("sms", bad_sms, sms_signature="示例银行")
    assert any("【示例银行】" in p for p in problems) and any("opt-out" in p for p in problems)
    assert any("over 134" in p for p in problems)
    assert channel_violations("push", {"title": "标" * 21, "text": ""}, sms_signature="x") == [
        "text is empty",
        "push title has 21 汉字, over 20",
    ]
    assert channel_violations("wecom", {"text": "字" * 4001}, sms_signature="x") == [
        "wecom text has 4001 chars, over 4000"
    ]
    with pytest.raises(ValueError, match="no channel constraints"):
        channel_violations("h5", {}, sms_signature="x")


def test_disclosures_per_product_type_and_channel():
    wealth, loan = default_catalog().get("WM-R2-001"), default_catalog().get("CL-001")
    assert missing_disclosures(wealth, "sms", "稳健理财，1元起购。") == [
        "理财非存款、产品有风险、投资须谨慎。"
    ]
    assert missing_disclosures(wealth, "sms", "1元起购。理财非存款，产品有风险，投资须谨慎") == []
    assert len(missing_disclosures(wealth, "wechat", "理财非存款、产品有风险、投资须谨慎。")) == 3
    assert missing_disclosures(loan, "push", "年化利率（单利）3.6%起") == []
    assert missing_disclosures(loan, "push", "年化利率（单利）2.9%起") == ["年化利率（3.6%、18%）"]


def test_judge_prompt_carries_the_draft_and_the_sheet():
    prompt = judge_prompt(
        "push", {"title": "示例e贷", "text": "年化利率3.6%起", "meta": {}}, default_catalog().get("CL-001")
    )
    assert "年化利率3.6%起" in prompt and "必须披露：贷款年化利率" in prompt and "meta" not in prompt
    with pytest.raises(ValueError, match="not 'h5'"):
        judge_prompt("h5", {"text": "x"}, default_catalog().get("CL-001"))


# ── llm mode: the agents and the judge talk to the fake OpenAI-compatible server ─────────────────────────────

LLM_DATASET = """\
kind: content
version: 1
description: one loan SMS on the LLM path
thresholds: {pass_rate: 1.0, traced_numbers_rate: 1.0}
cases:
  - {id: cl-sms, brief: 下月给授信未借款的客户做消费贷促活，短信, channel: sms, product_id: CL-001}
"""
LLM_PLAN = {
    "objective": "activation", "product_ids": ["CL-001"], "audience_description": "授信未借款的客户",
    "channels": ["sms"], "waves": [{"name": "第一波", "starts_on": "2026-12-01", "ends_on": "2026-12-31",
    "channels": ["sms"]}], "kpis": ["用信客户数"], "constraints": [], "assumptions": [],
}  # fmt: skip
LLM_SMS = {
    "text": "【示例银行】示例e贷额度已可使用，年化利率（单利）3.6%起，最高20万元。详询400-000-0000。拒收请回复R"
}


def test_llm_mode_scores_with_the_judge(tmp_path, monkeypatch, fake_llm_url):
    from core.db import migrate, session_scope
    from tools.campaign_api.usage import usage_summary

    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    get_settings.cache_clear()
    migrate()
    fake = fake_llm_url.fake
    fake.script("CampaignPlan", json=LLM_PLAN)
    fake.script("SmsCopy", json=LLM_SMS)
    fake.script(
        "JudgeRubric", json={"tone": 5, "clarity": 4, "faithfulness": 3, "reasons": ["未提及审批条件"]}
    )
    dataset = tmp_path / "content.yaml"
    dataset.write_text(LLM_DATASET, encoding="utf-8")

    result = run_suite(
        "content", EvalContext(mode="llm", work_dir=tmp_path, run_id="eval_llm"), dataset=dataset
    )
    assert result.ok, result.failures
    assert result.metrics["judge_mean"] == pytest.approx(4.0)
    assert result.cases[0].actual["mode"] == "llm" and "judge 5/4/3" in result.cases[0].detail
    assert "未提及审批条件" in result.cases[0].detail
    with session_scope() as session:
        assert usage_summary(session, "eval_llm")["calls"] >= 3  # plan, copy and judge count for the eval run
