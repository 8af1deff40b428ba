"""The compliance suite: its dataset is well-formed and covers every rule, it meets its thresholds, and it fails
when a rule is taken away."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.domain import TEXT_CHANNELS
from core.settings import get_settings
from evals.core import CaseResult, EvalContext, SuiteResult
from evals.datasets_io import SCHEMAS_DIR, dataset_path, load_dataset, schema_for
from evals.runner import run_suite
from evals.suites import compliance
from evals.suites.compliance import ComplianceCase, ComplianceSuite, Labels, Observed
from tools.compliance import RuleSet, default_rules
from tools.compliance.rules import CompiledRule


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


def cases() -> list[ComplianceCase]:
    return list(load_dataset("compliance", ComplianceCase).cases)


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
    assert len(all_cases) >= 80
    assert sum("clean" in c.tags for c in all_cases) >= 15
    assert {c.channel for c in all_cases} == set(TEXT_CHANNELS)
    assert len({c.product_type for c in all_cases if c.product_type}) >= 8


def test_every_rule_has_two_positives_and_a_look_alike() -> None:
    all_cases = cases()
    for rule in default_rules():
        positives = [c.id for c in all_cases if rule.id in (c.expected_rules or [])]
        look_alikes = [c.id for c in all_cases if rule.id in c.look_alike_of]
        assert len(positives) >= 2, f"{rule.id}: only {positives}"
        assert look_alikes, f"{rule.id}: no must_not_flag look-alike"


def test_expected_rules_exist_and_match_their_categories() -> None:
    rule_set = default_rules()
    for case in cases():
        unknown = [rid for rid in [*(case.expected_rules or []), *case.look_alike_of] if rid not in rule_set]
        assert not unknown, f"{case.id}: unknown rule ids {unknown}"
        if case.expected_rules is not None:
            implied = {rule_set.get(rid).category for rid in case.expected_rules}
            assert implied == set(case.expected_categories), case.id


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
            Observed(verdict="warn", categories=["absolute_claim"], findings=["AD-01 warn"]), ["must_not_flag"], False,
        ),
        _result("c", Labels(verdict="block", categories=["sms_rule"]),
                Observed(verdict="block", categories=["sms_rule"], findings=["SMS-01 block"]), [], True),
        _result("d", Labels(verdict="pass", categories=[]), Observed(verdict="pass", categories=[]), ["clean"], True),
    ]  # fmt: skip
    metrics, confusion = ComplianceSuite().aggregate(results)
    assert metrics == {
        "verdict_accuracy": 0.5,
        "category_precision": 2 / 3,
        "category_recall": 2 / 3,
        "block_recall": 0.5,
        "false_positive_rate_max": 0.5,
        "exact_set_accuracy": 0.5,
    }
    assert confusion is not None
    assert confusion.labels == ["absolute_claim", "guaranteed_return", "inducement", "sms_rule"]
    assert confusion.tp == {"absolute_claim": 0, "guaranteed_return": 0, "inducement": 1, "sms_rule": 1}
    assert confusion.fp["absolute_claim"] == 1 and confusion.fn["guaranteed_return"] == 1


def test_case_passes_on_categories_while_exact_set_checks_rule_ids(ctx: EvalContext) -> None:
    case = ComplianceCase(
        id="t", channel="wechat", product_type="wealth", text="示例理财年化收益3.2%。",
        expected_verdict="block", expected_categories=["missing_risk_disclosure"], expected_rules=["WM-01"],
    )  # fmt: skip
    result = ComplianceSuite().run_case(case, ctx)
    # FM-02 fires too: same category (the case passes) but not the labelled rule set (exact_set fails).
    assert result.passed and result.scores["exact_set"] == 0.0
    assert "rules ['FM-02', 'WM-01'], expected ['WM-01']" in result.detail
    assert "FM-02 block 「年化收益3.2%」" in result.detail


# ── the suite against the real checker ────────────────────────────────────────────────────────────


def test_offline_suite_meets_its_thresholds(ctx: EvalContext) -> None:
    result = run_suite("compliance", ctx)
    assert result.ok, "\n".join(result.failures)
    assert result.confusion is not None and "guaranteed_return" in result.confusion.labels
    by_id = {c.case_id: c for c in result.cases}
    assert by_id["fm01-ok-not-principal-protected"].passed and by_id["fm01-pos-guarantee"].passed


def test_llm_mode_runs_the_same_engine(ctx: EvalContext) -> None:
    llm_ctx = EvalContext(mode="llm", work_dir=ctx.work_dir, run_id=ctx.run_id)
    sample = cases()[:10]
    offline = [compliance.SUITE.run_case(c, ctx).model_dump() for c in sample]
    assert [compliance.SUITE.run_case(c, llm_ctx).model_dump() for c in sample] == offline


def test_removing_fm01_fails_with_a_line_naming_suite_and_metric(
    ctx: EvalContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_without({"FM-01"}, ctx, monkeypatch)
    assert not result.ok
    recall = [line for line in result.failures if line.startswith("compliance.category_recall = ")]
    assert recall and recall[0].endswith(f"< threshold {result.thresholds['category_recall']}")
    assert any(line.startswith("compliance.block_recall = ") for line in result.failures)
    assert not {"fm01-pos-guarantee", "fm01-pos-never-lose"} & {c.case_id for c in result.cases if c.passed}


@pytest.mark.parametrize("rule_id", sorted(rule.id for rule in default_rules()))
def test_removing_any_shipped_rule_fails_the_suite(
    rule_id: str, ctx: EvalContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_without({rule_id}, ctx, monkeypatch)
    assert any(line.startswith("compliance.") for line in result.failures), f"{rule_id} is not load-bearing"
