"""The LLM judge layer against the shared fake OpenAI server: spans, discarded quotes, exemptions, degradation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from core.db import migrate
from core.domain import CheckResult, Span
from core.settings import get_settings
from tests.fakes.openai_server import FakeOpenAI, LoopbackFake, loopback_fake
from tools.compliance import check, default_rules, load_rules
from tools.compliance.judge import JUDGE_DETECTOR, JudgeCatalogError, judge, load_semantic_specs
from tools.compliance.judge.catalog import SEMANTIC_RULES_FILE, rules_in_scope
from tools.compliance.judge.locate import quote_occurrences
from tools.compliance.rules import default_rules_dir
from tools.policy_kb import HashingEmbedder, KnowledgeBase, Passage

SCHEMA = "JudgeVerdict"
WEALTH_SMS = (
    "【示例银行】稳享理财新品上线，拿着就行，安心睡大觉！理财非存款、产品有风险、投资须谨慎。拒收请回复R"
)
SERVICE_TEXT = "示例银行始终以最好的服务陪伴每一位客户，欢迎到网点咨询。"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database once per module: every model call records its token usage there."""
    root = tmp_path_factory.mktemp("judge-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MBRAIN_DATA_DIR", str(root))
        get_settings.cache_clear()
        migrate()
    get_settings.cache_clear()
    return root


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The shipped policy corpus indexed with the fast hashing embedder (no model download)."""
    knowledge_base = KnowledgeBase(
        tmp_path_factory.mktemp("judge-kb") / "kb", embedder=HashingEmbedder(), include_product_sheets=False
    )
    knowledge_base.ingest()
    return knowledge_base


@pytest.fixture()
def settings_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(data_dir))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def fake_server() -> Iterator[LoopbackFake]:
    """One fake server on a loopback port for the module; each test resets its scripts and request log."""
    with loopback_fake() as running:
        yield running


@pytest.fixture()
def llm(settings_env: pytest.MonkeyPatch, fake_server: LoopbackFake) -> FakeOpenAI:
    fake_server.fake.reset()
    settings_env.setenv("MBRAIN_LLM_BASE_URL", fake_server.base_url)
    settings_env.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    settings_env.setenv("MBRAIN_LLM_MAX_RETRIES", "0")
    settings_env.setenv("MBRAIN_LLM_TIMEOUT_S", "5")
    get_settings.cache_clear()
    return fake_server.fake


def verdict(findings: list[dict[str, str]] | None = None, confirmations: list[dict[str, str]] | None = None):
    return {"findings": findings or [], "confirmations": confirmations or []}


def violation(rule_id: str, quote: str, reason: str = "隐含承诺") -> dict[str, str]:
    return {"rule_id": rule_id, "quote": quote, "decision": "violation", "reason": reason}


def confirm(hint_id: str, rule_id: str, decision: str, ground: str, reason: str = "理由") -> dict[str, str]:
    return {"hint_id": hint_id, "rule_id": rule_id, "decision": decision, "ground": ground, "reason": reason}


def sent_prompt(llm: FakeOpenAI) -> str:
    requests = llm.requests_for(SCHEMA)
    assert len(requests) == 1
    return "\n".join(str(message["content"]) for message in requests[0].body["messages"])


def rule_ids(result: CheckResult) -> list[str]:
    return [finding.rule_id for finding in result.findings]


# ---- the LLM path ------------------------------------------------------------------------------------------


def test_implicit_promise_becomes_an_fm01_finding_with_the_exact_span(llm, kb):
    deterministic = check(WEALTH_SMS, "sms", "wealth")
    assert "FM-01" not in rule_ids(deterministic)  # the lexicon cannot see an implicit promise
    llm.script(SCHEMA, json=verdict([violation("FM-01", "拿着就行，安心睡大觉")]))

    judged = judge(WEALTH_SMS, "sms", "wealth", deterministic, run_id="run-1", clause_search=kb)

    assert judged.judge_status == "applied"
    [added] = [f for f in judged.result.findings if f.detector == JUDGE_DETECTOR]
    start = WEALTH_SMS.index("拿着就行")
    assert added.span == Span(
        start=start, end=start + len("拿着就行，安心睡大觉"), quote="拿着就行，安心睡大觉"
    )
    assert WEALTH_SMS[added.span.start : added.span.end] == added.span.quote
    fm01 = default_rules().get("FM-01")
    assert (added.rule_id, added.severity, added.category) == ("FM-01", "block", "guaranteed_return")
    assert added.citation == fm01.citation and added.fix == fm01.fix and "隐含承诺" in added.message
    assert judged.result.verdict == "block"


def test_a_quote_that_is_not_in_the_text_is_discarded_and_counted(llm, kb):
    deterministic = check(WEALTH_SMS, "sms", "wealth")
    llm.script(
        SCHEMA,
        json=verdict(
            [violation("FM-01", "保证年年赚钱"), violation("FM-01", "安心睡大觉"), violation("FM-01", "  ")]
        ),
    )

    judged = judge(WEALTH_SMS, "sms", "wealth", deterministic, run_id="run-2", clause_search=kb)

    assert judged.discarded_quotes == 2
    assert [f.span.quote for f in judged.result.findings if f.detector == JUDGE_DETECTOR] == ["安心睡大觉"]
    assert any("2处引文在原文中找不到" in note for note in judged.notes)


def test_an_ad01_hit_on_a_service_ideal_is_dropped_as_exempt(llm, kb):
    deterministic = check(SERVICE_TEXT, "wechat", "deposit")
    assert rule_ids(deterministic) == ["AD-01"]
    llm.script(
        SCHEMA, json=verdict(confirmations=[confirm("H1", "AD-01", "drop", "own_ideal", "表达服务追求")])
    )

    judged = judge(SERVICE_TEXT, "wechat", "deposit", deterministic, run_id="run-3", clause_search=kb)

    assert judged.result.findings == [] and judged.result.verdict == "pass"
    [dropped] = judged.dropped
    assert dropped.finding == deterministic.findings[0] and dropped.ground == "own_ideal"
    assert "H1 · AD-01 · 原文“最好”" in sent_prompt(llm)


def test_a_drop_on_a_ground_the_rule_does_not_allow_is_refused(llm, kb):
    deterministic = check(SERVICE_TEXT, "wechat", "deposit")
    llm.script(SCHEMA, json=verdict(confirmations=[confirm("H1", "AD-01", "drop", "quotation")]))

    judged = judge(SERVICE_TEXT, "wechat", "deposit", deterministic, run_id="run-4", clause_search=kb)

    assert judged.result == deterministic and judged.dropped == []
    assert any("不允许以此理由豁免" in note for note in judged.notes)


def test_a_pi01_finding_can_never_be_dropped(llm, kb):
    text = "示例银行始终以最好的服务陪伴您，专属顾问电话13800138000。"
    deterministic = check(text, "wechat", "deposit")
    assert set(rule_ids(deterministic)) == {"AD-01", "PI-01"}
    llm.script(
        SCHEMA,
        json=verdict(
            confirmations=[
                confirm("H1", "AD-01", "drop", "own_ideal"),
                confirm("H2", "PI-03", "drop", "quotation"),  # no such hint: PI-01 is never shown as one
                confirm("H1", "PI-03", "drop", "quotation"),  # a real hint id, but not that hint's rule
            ]
        ),
    )

    judged = judge(text, "wechat", "deposit", deterministic, run_id="run-5", clause_search=kb)

    assert rule_ids(judged.result) == ["PI-01"] and judged.result.verdict == "block"
    assert "PI-01" not in sent_prompt(llm).split("<hints>")[1]
    assert sum("与给出的提示不符" in note for note in judged.notes) == 2


def test_malformed_output_degrades_to_failed_with_the_deterministic_result(llm, kb):
    deterministic = check(WEALTH_SMS, "sms", "wealth")
    llm.malformed(SCHEMA, times=2)

    judged = judge(WEALTH_SMS, "sms", "wealth", deterministic, run_id="run-6", clause_search=kb)

    assert judged.judge_status == "failed" and judged.result == deterministic
    assert any("调用失败" in note for note in judged.notes)
    assert len(llm.requests_for(SCHEMA)) == 2  # core.llm retries an unparsable answer once


def test_a_server_error_degrades_to_failed(llm, kb):
    deterministic = check(SERVICE_TEXT, "wechat", "deposit")
    llm.fail(SCHEMA, status=500, times=1)

    judged = judge(SERVICE_TEXT, "wechat", "deposit", deterministic, run_id="run-7", clause_search=kb)

    assert judged.judge_status == "failed" and judged.result == deterministic


def test_the_prompt_is_masked_and_carries_the_retrieved_clause_citations(llm, kb):
    text = "示例银行始终以最好的服务陪伴您，专属顾问电话13800138000。"
    deterministic = check(text, "wechat", "deposit")
    llm.script(SCHEMA, json=verdict([violation("PI-03", "顾问电话138****8000", "暴露联系方式")]))

    judged = judge(text, "wechat", "deposit", deterministic, run_id="run-8", clause_search=kb)

    prompt = sent_prompt(llm)
    assert "13800138000" not in prompt and "138****8000" in prompt
    assert "《广告绝对化用语执法指南》" in prompt.split("<clauses>")[1].split("</clauses>")[0]
    assert "广告法第九条(三) [V]" in prompt  # the hinted rule's own citation
    # The model quoted the masked passage; the finding points at the original characters.
    [added] = [f for f in judged.result.findings if f.detector == JUDGE_DETECTOR]
    assert added.span is not None and added.span.quote == "顾问电话13800138000"
    assert text[added.span.start : added.span.end] == added.span.quote


def test_product_facts_reach_the_prompt(llm, kb):
    from tools.products import default_catalog

    product = next(p for p in default_catalog() if p.type == "consumer_loan")
    text = "【示例银行】想买就买，先花后还，拒收请回复R"
    llm.script(SCHEMA, json=verdict())

    judge(
        text, "sms", None, check(text, "sms", "consumer_loan"), run_id="r", product=product, clause_search=kb
    )

    prompt = sent_prompt(llm)
    assert f"名称：{product.name}" in prompt and "[LN-04]" in prompt


def test_a_violation_already_reported_is_not_duplicated_and_escalation_is_reapplied(llm, kb):
    text = "限时抢购！稳享理财拿着就行，安心睡大觉。理财非存款、产品有风险、投资须谨慎。"
    deterministic = check(text, "wechat", "wealth")
    fm03 = [f for f in deterministic.findings if f.rule_id == "FM-03"]
    assert fm03 and fm03[0].severity == "warn"
    llm.script(
        SCHEMA,
        json=verdict(
            [violation("FM-03", fm03[0].span.quote), violation("FM-01", "拿着就行，安心睡大觉")],
            [confirm("H1", "FM-03", "keep", "none")],
        ),
    )

    judged = judge(text, "wechat", "wealth", deterministic, run_id="run-9", clause_search=kb)

    assert rule_ids(judged.result).count("FM-03") == 1
    assert {f.rule_id: f.severity for f in judged.result.findings}["FM-03"] == "block"  # FM-03 with FM-01


def test_rules_out_of_scope_and_negative_decisions_add_nothing(llm, kb):
    deterministic = check(WEALTH_SMS, "sms", "wealth")
    not_violation = {**violation("FM-01", "安心睡大觉"), "decision": "not_violation"}
    llm.script(SCHEMA, json=verdict([violation("CALL-03", "拿着就行"), not_violation]))

    judged = judge(WEALTH_SMS, "sms", "wealth", deterministic, run_id="run-10", clause_search=kb)

    assert judged.result == deterministic
    assert any("CALL-03" in note for note in judged.notes)
    assert "[CALL-03]" not in sent_prompt(llm)  # only call scripts are judged for CALL-03


def test_a_broken_knowledge_base_costs_the_clauses_not_the_judgment(llm):
    class BrokenKnowledgeBase:
        def search(self, query: str, k: int = 5, **filters: str | None) -> list[Passage]:
            raise OSError("index folder is gone")

    llm.script(SCHEMA, json=verdict([violation("FM-01", "安心睡大觉")]))
    deterministic = check(WEALTH_SMS, "sms", "wealth")

    judged = judge(
        WEALTH_SMS, "sms", "wealth", deterministic, run_id="r", clause_search=BrokenKnowledgeBase()
    )

    assert judged.judge_status == "applied" and "FM-01" in rule_ids(judged.result)
    assert any("知识库检索失败" in note for note in judged.notes)
    assert "本次未检索到相关条款" in sent_prompt(llm)


# ---- offline and bad input ---------------------------------------------------------------------------------


def test_offline_the_model_is_never_called(settings_env, fake_server):
    fake_server.fake.reset()
    deterministic = check(WEALTH_SMS, "sms", "wealth")

    judged = judge(WEALTH_SMS, "sms", "wealth", deterministic, run_id="run-off")

    assert judged.judge_status == "skipped_offline" and judged.result == deterministic
    assert judged.notes and fake_server.fake.requests == []


@pytest.mark.parametrize(
    ("text", "channel", "product_type", "run_id", "error", "match"),
    [
        ("   ", "sms", None, "r", ValueError, "empty"),
        (42, "sms", None, "r", TypeError, "text must be str"),
        ("你好", "fax", None, "r", ValueError, "unknown channel"),
        ("你好", "audience", None, "r", ValueError, "audience"),
        ("你好", "sms", "gold", "r", ValueError, "unknown product type"),
        ("你好", "sms", None, " ", ValueError, "run_id"),
    ],
)
def test_bad_input_is_a_clear_error(settings_env, text, channel, product_type, run_id, error, match):
    with pytest.raises(error, match=match):
        judge(text, channel, product_type, CheckResult(verdict="pass"), run_id=run_id)


# ---- quotes and the semantic-rule catalog ------------------------------------------------------------------


def test_quote_occurrences_are_exact_or_through_the_prompt_mask():
    text = "最好的服务，最好的陪伴；电话13800138000，证件11010519491231002X"
    assert [s.start for s in quote_occurrences(text, "最好")] == [0, 6]
    assert quote_occurrences(text, " 最好的陪伴 ")[0].quote == "最好的陪伴"
    assert quote_occurrences(text, "电话138****8000")[0].quote == "电话13800138000"
    assert quote_occurrences(text, "110***********002X")[0].quote == "11010519491231002X"
    assert quote_occurrences(text, "电话139****8000") == []
    assert quote_occurrences(text, "电话1380013****") == []  # stars that masking would not produce
    assert quote_occurrences(text, "") == [] and quote_occurrences(text, "最差") == []


def test_only_the_catalog_exemptions_can_drop_a_hint():
    rules = {
        r.id: r
        for r in rules_in_scope(
            load_semantic_specs(), default_rules(), "call_script", "consumer_loan", date(2026, 12, 1)
        )
    }
    assert rules["AD-01"].may_drop("own_ideal") and not rules["AD-01"].may_drop("quotation")
    assert rules["FM-03"].may_drop("quotation") and rules["LN-04"].may_drop("investor_education")
    for rule_id in ("FM-04", "AD-03", "AD-05", "PI-03", "CALL-03"):
        if rule_id in rules:
            assert rules[rule_id].droppable_on == frozenset()
    assert "PI-01" not in rules and "CALL-03" in rules and "LN-04" in rules


def test_a_semantic_rule_the_rule_set_lacks_is_not_offered():
    financial_only = load_rules(default_rules_dir() / "financial.yaml")
    offered = [
        r.id
        for r in rules_in_scope(load_semantic_specs(), financial_only, "wechat", "wealth", date(2026, 12, 1))
    ]
    assert "FM-01" in offered and "AD-01" not in offered
    assert all(rule_id in financial_only for rule_id in offered)


def test_a_semantic_rule_file_missing_a_rule_fails_loudly(tmp_path):
    entries = yaml.safe_load(SEMANTIC_RULES_FILE.read_text(encoding="utf-8"))
    broken = tmp_path / "semantic_rules.yaml"
    broken.write_text(yaml.safe_dump([e for e in entries if e["id"] != "PI-03"], allow_unicode=True), "utf-8")
    with pytest.raises(JudgeCatalogError, match="PI-03"):
        load_semantic_specs(broken)
    entries[0]["droppable_on"] = ["none"]
    broken.write_text(yaml.safe_dump(entries, allow_unicode=True), "utf-8")
    with pytest.raises(JudgeCatalogError, match="none"):
        load_semantic_specs(broken)
