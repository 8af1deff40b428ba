"""The compliance suite: its dataset is well-formed and covers every catalog rule, its metrics are computed as
documented, it meets its thresholds, and it fails when a rule is taken away."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from core.db import migrate
from core.domain import CATEGORIES, CHANNELS
from core.settings import get_settings
from evals.core import CaseResult, Confusion, DatasetFile, EvalContext, SuiteResult, threshold_failures
from evals.datasets_io import SCHEMAS_DIR, dataset_path, load_dataset, schema_for
from evals.runner import run_suite
from evals.suites import compliance
from evals.suites.compliance import (
    CATALOG_RULES,
    ComplianceCase,
    ComplianceSuite,
    Labels,
    Observed,
    category_recalls,
    detection_metrics,
)
from tools.compliance import RuleSet, default_rules
from tools.compliance.rules import CompiledRule
from tools.products import default_catalog
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.expression import ExpressionError, validate_expression


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("MBRAIN_BANK_SHORT_NAME", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture()
def ctx(tmp_path: Path) -> EvalContext:
    return EvalContext(mode="offline", work_dir=tmp_path / "work", run_id="eval_test")


@cache
def dataset() -> DatasetFile[ComplianceCase]:
    """The dataset, parsed once for the whole file (YAML parsing is most of this file's run time)."""
    return load_dataset("compliance", ComplianceCase)


def cases() -> list[ComplianceCase]:
    return list(dataset().cases)


def rules_without(rule_set: RuleSet, removed: set[str]) -> RuleSet:
    """The rule set minus ``removed``; other rules stop escalating with the removed ones (FM-03 names FM-01)."""
    kept = []
    for rule in rule_set:
        if rule.id in removed:
            continue
        escalate_with = tuple(rid for rid in rule.escalate_with if rid not in removed)
        kept.append(
            CompiledRule(
                rule=rule.model_copy(update={"escalate_with": escalate_with}),
                detector=rule_set.detector(rule.id),
                source=rule_set.source_of(rule.id),
            )
        )
    return RuleSet(kept)


def run_without(rule_ids: set[str], ctx: EvalContext, monkeypatch: pytest.MonkeyPatch) -> SuiteResult:
    """Run the registered suite, through the real runner, against the shipped rules minus ``rule_ids``."""
    broken = ComplianceSuite(rules=rules_without(default_rules(), rule_ids))
    monkeypatch.setattr(compliance, "SUITE", broken)
    return run_suite("compliance", ctx)


# ── the dataset ────────────────────────────────────────────────────────────────────────────────────


def test_schema_file_is_current() -> None:
    stored = json.loads((SCHEMAS_DIR / "compliance.schema.json").read_text(encoding="utf-8"))
    assert stored == schema_for(ComplianceCase), "regenerate with evals.datasets_io.write_schema"


def test_dataset_points_editors_at_its_schema() -> None:
    first_line = dataset_path("compliance").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schemas/compliance.schema.json"


def test_dataset_size_and_spread() -> None:
    all_cases = cases()
    assert len(all_cases) >= 260
    compliant = [c for c in all_cases if c.expected_verdict == "pass"]
    assert 3 * len(compliant) >= len(all_cases), (
        f"only {len(compliant)} of {len(all_cases)} cases are compliant"
    )
    assert sum("clean" in c.tags for c in all_cases) >= 15
    assert {c.channel for c in all_cases} == set(CHANNELS)
    assert len({c.product_type for c in all_cases if c.product_type}) >= 9


def test_every_catalog_rule_has_four_violations_and_two_look_alikes() -> None:
    all_cases = cases()
    positives = Counter(rule_id for c in all_cases for rule_id in c.expected_rules or [])
    look_alikes = Counter(rule_id for c in all_cases for rule_id in c.look_alike_of)
    thin = {rule_id: (positives[rule_id], look_alikes[rule_id]) for rule_id in CATALOG_RULES}
    thin = {rule_id: counts for rule_id, counts in thin.items() if counts[0] < 4 or counts[1] < 2}
    assert not thin, f"rule: (violations, look-alikes) below (4, 2): {thin}"


def test_every_category_has_six_positive_cases() -> None:
    positives: Counter[str] = Counter(category for c in cases() for category in c.expected_categories)
    assert {category: positives[category] for category in CATEGORIES if positives[category] < 6} == {}


def test_catalog_table_has_every_category_and_agrees_with_the_shipped_rules() -> None:
    assert set(CATALOG_RULES.values()) == set(CATEGORIES)
    disagreements = {
        rule.id: (rule.category, CATALOG_RULES.get(rule.id))
        for rule in default_rules()
        if CATALOG_RULES.get(rule.id) != rule.category
    }
    assert not disagreements, f"shipped rule category vs catalog table: {disagreements}"


def test_metadata_names_real_products_and_catalog_tags() -> None:
    """Product ids exist; every audience expression is valid, except for the sensitive tags PI-04 cases test."""
    products, tags = default_catalog(), TagCatalog.default()
    for case in cases():
        if case.meta is None:
            continue
        if case.meta.product_id is not None:
            products.get(case.meta.product_id)
        if case.meta.audience is None:
            continue
        try:
            validate_expression(case.meta.audience, tags)
        except ExpressionError as exc:
            assert "PI-04" in (case.expected_rules or []), f"{case.id}: {exc}"
            assert all("sensitive" in issue.message for issue in exc.issues), f"{case.id}: {exc}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expected_verdict": "pass", "expected_categories": ["absolute_claim"]}, "pass iff"),
        ({"expected_verdict": "warn", "expected_categories": []}, "pass iff"),
        (
            {"tags": ["clean"], "expected_verdict": "warn", "expected_categories": ["sms_rule"]},
            "must expect pass",
        ),
        ({"look_alike_of": ["FM-01"]}, "only for must_not_flag"),
        ({"expected_rules": [], "expected_verdict": "warn", "expected_categories": ["sms_rule"]}, "disagree"),
        ({"expected_categories": ["sms_rule", "sms_rule"], "expected_verdict": "block"}, "duplicate"),
        (
            {"expected_rules": ["fm-1"], "expected_verdict": "block", "expected_categories": ["sms_rule"]},
            "pattern",
        ),
        ({"channel": "fax"}, "channel"),
        ({"surprise": 1}, "surprise"),
        (
            {"expected_rules": ["XX-99"], "expected_verdict": "block", "expected_categories": ["sms_rule"]},
            "catalog",
        ),
        ({"look_alike_of": ["XX-99"], "tags": ["must_not_flag"]}, "catalog"),
        (
            {"expected_rules": ["SMS-01"], "expected_verdict": "block", "expected_categories": ["call_rule"]},
            "are not the categories",
        ),
        ({"channel": "audience"}, "needs meta.audience"),
        ({"meta": {"origin": "intern"}}, "origin"),
        ({"meta": {"call_policy": {"max_attempts_per_day": 0}}}, "max_attempts_per_day"),
        ({"meta": {"mood": "sunny"}}, "mood"),
    ],
)
def test_case_model_refuses_contradictory_labels(change: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"id": "x", "channel": "sms", "text": "你好", "expected_verdict": "pass"}
    with pytest.raises(ValidationError, match=message):
        ComplianceCase.model_validate(base | change)


# ── the metrics ────────────────────────────────────────────────────────────────────────────────────


def _result(case_id: str, expected: Labels, seen: Observed, tags: list[str], exact: bool) -> CaseResult:
    return CaseResult(
        case_id=case_id, passed=exact, scores={"exact_set": float(exact)},
        expected=expected.model_dump(), actual=seen.model_dump(), tags=tags,
    )  # fmt: skip


def test_aggregate_computes_micro_metrics_and_confusion() -> None:
    results = [
        _result(
            "a", Labels(verdict="block", categories=["guaranteed_return", "inducement"]),
            Observed(verdict="warn", categories=["inducement"], findings=["FM-03 warn"]), [], False,
        ),
        _result(
            "b", Labels(verdict="pass", categories=[]),
            Observed(verdict="block", categories=["absolute_claim"], findings=["AD-01 block"]), ["must_not_flag"],
            False,
        ),
        _result("c", Labels(verdict="block", categories=["sms_rule"]),
                Observed(verdict="block", categories=["sms_rule"], findings=["SMS-01 block"]), [], True),
        _result("d", Labels(verdict="pass", categories=[]), Observed(verdict="pass", categories=[]), ["clean"], True),
        _result("e", Labels(verdict="warn", categories=["ad_label"]), Observed(verdict="pass", categories=[]), [], False),
    ]  # fmt: skip
    metrics, confusion = ComplianceSuite().aggregate(results)
    assert metrics == {
        "verdict_accuracy": 0.4,
        "category_precision": 2 / 3,
        "category_recall": 0.5,
        "block_recall": 0.5,
        "false_positive_rate_max": 0.5,
        "exact_set_accuracy": 0.4,
        "detection_recall": 2 / 3,  # a and c share a category with their labels; e found nothing
        "false_block_rate_max": 0.5,  # b of the expected passes b, d was blocked
        "min_category_recall": 1.0,  # no category has three expected positives here
    }
    assert confusion is not None
    assert confusion.labels == ["absolute_claim", "guaranteed_return", "inducement", "sms_rule", "ad_label"]
    assert confusion.tp == {
        "absolute_claim": 0,
        "guaranteed_return": 0,
        "inducement": 1,
        "sms_rule": 1,
        "ad_label": 0,
    }
    assert confusion.fp["absolute_claim"] == 1 and confusion.fn["guaranteed_return"] == 1


def test_category_recall_ignores_categories_with_fewer_than_three_positives() -> None:
    confusion = Confusion(
        labels=["absolute_claim", "sms_rule", "call_rule", "ad_label"],
        tp={"absolute_claim": 3, "sms_rule": 1, "call_rule": 4, "ad_label": 0},
        fp={"absolute_claim": 0, "sms_rule": 0, "call_rule": 2, "ad_label": 5},
        fn={"absolute_claim": 1, "sms_rule": 1, "call_rule": 0, "ad_label": 0},
    )
    # sms_rule has 2 expected positives and ad_label none (only false positives): both are left out.
    assert category_recalls(confusion) == {"absolute_claim": 0.75, "call_rule": 1.0}
    assert detection_metrics([], confusion)["min_category_recall"] == 0.75


def test_detection_metrics_with_nothing_to_measure() -> None:
    empty = Confusion(labels=[], tp={}, fp={}, fn={})
    assert detection_metrics([], empty) == {
        "detection_recall": 1.0, "false_block_rate_max": 0.0, "min_category_recall": 1.0,
    }  # fmt: skip


def test_case_passes_on_categories_while_exact_set_checks_rule_ids(ctx: EvalContext) -> None:
    case = ComplianceCase(
        id="t", channel="h5", product_type="insurance", text="示例鑫享两全保险（分红型），分红可达每年2万元。",
        expected_verdict="block", expected_categories=["missing_risk_disclosure"], expected_rules=["FM-02"],
    )  # fmt: skip
    result = ComplianceSuite().run_case(case, ctx)
    # WM-05 (no insurer or distributor statement) fires too: same category as FM-02, so the case passes, but
    # the rule set differs from the labelled one, so exact_set fails.
    assert result.passed and result.scores["exact_set"] == 0.0
    assert "rules ['FM-02', 'WM-05'], expected ['FM-02']" in result.detail
    assert "FM-02 block" in result.detail and "WM-05 warn" in result.detail


def test_case_metadata_reaches_the_checker(ctx: EvalContext) -> None:
    """The same SMS passes at 20:55 and is blocked at 22:40: the send time comes from the case's meta."""
    text = "【示例银行】一年期定期存款年利率1.10%，50元起存，手机银行即可办理。拒收请回复R"
    base = {"id": "t", "channel": "sms", "product_type": "deposit", "text": text}
    late = ComplianceCase.model_validate(
        base | {"meta": {"send_at": "2026-12-03T22:40:00"}, "expected_verdict": "block",
                "expected_categories": ["sms_rule"], "expected_rules": ["SMS-04"]}
    )  # fmt: skip
    on_time = ComplianceCase.model_validate(
        base | {"meta": {"send_at": "2026-12-03T20:55:00"}, "expected_verdict": "pass"}
    )
    suite = ComplianceSuite()
    assert suite.run_case(late, ctx).actual["rules"] == ["SMS-04"]
    assert suite.run_case(on_time, ctx).actual["rules"] == []


# ── the suite against the real checker ────────────────────────────────────────────────────────────


def test_offline_suite_meets_its_thresholds(ctx: EvalContext) -> None:
    result = run_suite("compliance", ctx)
    assert result.ok, "\n".join(result.failures)
    assert result.confusion is not None and "guaranteed_return" in result.confusion.labels
    by_id = {c.case_id: c for c in result.cases}
    assert by_id["fm01-ok-not-principal-protected"].passed and by_id["fm01-pos-guarantee"].passed


def test_llm_mode_adds_the_judge_on_top_of_the_engine(
    ctx: EvalContext, fake_llm_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An implicit promise the offline engine misses (到时候自然有惊喜) is caught in llm mode by the scripted judge."""
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(ctx.work_dir / "var"))
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    migrate()
    # No clause index in this test: the judge is told there are no clauses, which it notes and goes on.
    monkeypatch.setattr("tools.compliance.judge.service.default_clause_search", lambda: _NoClauses())
    # Built here rather than taken from the dataset: every implicit promise in the dataset is now also caught
    # offline, and this test is about the judge adding what the rules cannot see.
    implicit = ComplianceCase.model_validate(
        {
            "id": "judge-only-implicit-promise",
            "channel": "wechat",
            "product_type": "fund",
            "text": "示例成长优选混合基金支持10元起定投。您就安心放着，到时候自然有惊喜。基金有风险，投资须谨慎。"
            "本基金由示例基金管理有限公司发行与管理，示例银行仅作为代理销售机构，不承担产品的投资、兑付和风险管理责任。",
            "expected_verdict": "block",
            "expected_categories": ["guaranteed_return"],
            "expected_rules": ["FM-01"],
            "note": "到时候自然有惊喜 implies a certain gain without a word the rules know.",
        }
    )
    fake_llm_url.fake.script("JudgeVerdict", json={
        "findings": [{"rule_id": "FM-01", "quote": "到时候自然有惊喜", "decision": "violation",
                      "reason": "暗示无需考虑风险即可获益，构成隐性保本承诺"}],
        "confirmations": [],
    })  # fmt: skip
    llm_ctx = EvalContext(mode="llm", work_dir=ctx.work_dir, run_id=ctx.run_id)
    try:
        assert not compliance.SUITE.run_case(implicit, ctx).passed
        judged = compliance.SUITE.run_case(implicit, llm_ctx)
    finally:
        get_settings.cache_clear()
    assert judged.passed, judged.detail
    assert judged.actual["judge_status"] == "applied"
    metrics, _ = compliance.SUITE.aggregate([judged])
    assert metrics["judge_failed_rate_max"] == 0.0


class _NoClauses:
    def search(self, query: str, k: int = 5, **filters: Any) -> list[Any]:
        return []


def test_removing_fm01_fails_with_a_line_naming_suite_and_metric(
    ctx: EvalContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_without({"FM-01"}, ctx, monkeypatch)
    assert not result.ok
    recall = [line for line in result.failures if line.startswith("compliance.category_recall = ")]
    assert recall and recall[0].endswith(f"< threshold {result.thresholds['category_recall']}")
    assert any(line.startswith("compliance.block_recall = ") for line in result.failures)
    assert not {"fm01-pos-guarantee", "fm01-pos-never-lose"} & {c.case_id for c in result.cases if c.passed}


@cache
def full_run() -> tuple[tuple[ComplianceCase, CaseResult], ...]:
    """Every case checked once against the shipped rules (offline; the result depends on nothing ambient)."""
    ctx = EvalContext(mode="offline", work_dir=Path("unused"), run_id="eval_baseline")
    return tuple((case, ComplianceSuite().run_case(case, ctx)) for case in cases())


@pytest.mark.parametrize("rule_id", sorted(rule.id for rule in default_rules()))
def test_removing_any_shipped_rule_fails_the_suite(rule_id: str, ctx: EvalContext) -> None:
    """Without the rule, some case the full rule set gets right goes wrong, and the thresholds fail.

    Only the cases on which the rule fired are re-checked: a rule that did not fire on a case cannot change
    that case's result by its absence (escalations need it to fire too), and re-running all ~330 cases for
    each of ~44 rules would make this file slow.
    """
    broken = ComplianceSuite(rules=rules_without(default_rules(), {rule_id}))
    results = [
        broken.run_case(case, ctx) if rule_id in (result.actual["rules"] or []) else result
        for case, result in full_run()
    ]
    regressed = [
        new.case_id for (_, old), new in zip(full_run(), results, strict=True) if old.passed > new.passed
    ]
    assert regressed, f"{rule_id} is not load-bearing: removing it turns no passing case into a failing one"
    metrics, _ = broken.aggregate(results)
    thresholds = dataset().thresholds
    assert threshold_failures("compliance", metrics, thresholds), (
        f"{rule_id}: the suite still passes without it"
    )
