"""The compliance suite: labelled marketing texts run through the compliance checker, scored by category.

Each case is a text written for the fictional bank 示例银行 on one channel (optionally about one product type),
labelled from the rule texts (``knowledge/rules/*.yaml`` and the rule catalog), never from what the checker
happens to output: the expected verdict, the expected finding categories (empty for a clean text) and, usually,
the rule ids expected to fire. Look-alike cases (``must_not_flag``: 不保本, quoted anti-fraud warnings, a
disclosed APR, masked numbers, fee floors, eligibility exclusions…) and fully ``clean`` texts measure false
positives. A case passes when the verdict matches and the category sets are equal.

Rules that need more than the words (send or call time, the audience expression, the product sheet, a paid
placement, a list's sort key, where a draft came from, a call policy) get them from the case's ``meta``
(``tools.compliance.meta.CheckMeta``), passed to ``check(..., meta=...)``. On the ``audience`` channel the text is
the audience description as a marketer wrote it and ``meta.audience`` is the expression the rules judge.

Metrics: ``verdict_accuracy``; ``category_precision`` and ``category_recall`` (micro over categories);
``block_recall`` (share of expected-block cases the checker blocks); ``false_positive_rate_max`` (share of
must_not_flag/clean cases with any finding; a maximum); ``exact_set_accuracy`` (share of cases whose fired rule
ids equal ``expected_rules``, or whose categories equal the expected ones where a case lists no rules);
``detection_recall`` (share of cases expecting a finding whose result has at least one expected category);
``false_block_rate_max`` (share of expected-pass cases the checker blocks; a maximum); ``min_category_recall``
(the lowest per-category recall over categories with at least ``MIN_CATEGORY_SUPPORT`` expected positives).
The per-category confusion (tp/fp/fn) feeds the report's chart.

Modes: ``offline`` runs the deterministic engine; ``llm`` runs every layer through
``tools.compliance.service.check_text`` — the same engine, then the LLM judge (catalog §2, layer 3) with its
retrieved clauses. A case whose judge call fails is still scored (on the deterministic result) and counted in
the ``judge_failed_rate_max`` metric, so an unreachable model cannot pass for a perfect one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from core.domain import CATEGORIES, Category, Channel, CheckResult, ProductType, Verdict
from evals.core import CaseResult, Confusion, EvalContext, Suite, ratio
from tools.compliance import RuleSet, check, default_rules
from tools.compliance.meta import CheckMeta
from tools.compliance.service import check_text

EVAL_DATE = date(2026, 12, 1)
"""The day whose rules apply when a case gives none. Pinned, not today, so the same dataset scores the same
every day; every shipped rule (the latest, FM-03, from 2026-09-30) is in force on it."""
DATASET_BANK = "示例银行"
"""The bank the texts are written for. Passed explicitly so that a deployment's MBRAIN_BANK_SHORT_NAME does
not turn every correctly signed SMS and call opening of the dataset into a finding."""
FLAG_FREE_TAGS = frozenset({"must_not_flag", "clean"})
"""Tags of cases on which any finding at all is a false positive."""
MIN_CATEGORY_SUPPORT = 3
"""``min_category_recall`` ignores categories with fewer expected positives: one miss in two is noise."""

CATALOG_RULES_BY_CATEGORY: dict[Category, tuple[str, ...]] = {
    "absolute_claim": ("AD-01",),
    "false_endorsement": ("AD-02", "AD-06"),
    "misleading_claim": ("AD-03", "FM-06"),
    "unsourced_data": ("AD-04",),
    "unfair_comparison": ("AD-05",),
    "guaranteed_return": ("FM-01", "WM-06"),
    "missing_risk_disclosure": ("FM-02", "WM-01", "WM-04", "WM-05"),
    "inducement": ("FM-03", "LN-04"),
    "product_confusion": ("FM-04",),
    "yield_display": ("WM-02", "WM-03", "WM-07"),
    "rate_disclosure": ("LN-01", "LN-02", "LN-07"),
    "fee_concealment": ("LN-03",),
    "approval_claim": ("LN-06",),
    "restricted_audience": ("FM-05", "LN-05"),
    "deposit_rule": ("DP-01", "DP-02", "DP-03"),
    "personal_data": ("PI-01", "PI-03", "PI-04"),
    "personalization_optout": ("PI-02",),
    "sms_rule": ("SMS-01", "SMS-02", "SMS-03", "SMS-04"),
    "call_rule": ("CALL-01", "CALL-02", "CALL-03", "CALL-05"),
    "ai_disclosure": ("CALL-04",),
    "ad_label": ("AD-07",),
    "unreviewed_content": ("FM-07",),
}
"""The rule catalog's §1.9 (/work/shared/reference/compliance-rules.md): every rule and its one category. Cases
are labelled against the catalog, not against knowledge/rules, so rules the engine does not ship yet can be
labelled (and missed) today; a test keeps the shipped rules' categories in step with this table."""
CATALOG_RULES: dict[str, Category] = {
    rule_id: category for category, rule_ids in CATALOG_RULES_BY_CATEGORY.items() for rule_id in rule_ids
}

RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}-\d{2}$")]


class ComplianceCase(BaseModel):
    """One labelled marketing text and what the compliance checker should say about it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable case id, e.g. fm01-pos-guarantee.")
    channel: Channel = Field(description="Where the text is published (core.domain Channel).")
    product_type: ProductType | None = Field(
        default=None,
        description="The product the text promotes; omitted = the checker infers it from the text.",
    )
    text: str = Field(min_length=1, description="The marketing text exactly as it would be published.")
    expected_verdict: Verdict = Field(description="block, warn or pass, from the rule texts.")
    expected_categories: list[Category] = Field(
        default_factory=list, description="Finding categories the text should get; empty for a clean text."
    )
    expected_rules: list[RuleId] | None = Field(
        default=None,
        description="Rule ids (knowledge/rules) expected to fire; omitted = not labelled by rule.",
    )
    tags: list[str] = Field(
        default_factory=list,
        description="Slicing labels: must_not_flag, clean, negation, quotation, pii, education, escalation…",
    )
    look_alike_of: list[RuleId] = Field(
        default_factory=list,
        description="For must_not_flag cases: the rules whose wording this text imitates.",
    )
    on_date: date | None = Field(
        default=None,
        description=f"Day whose rules apply (default {EVAL_DATE.isoformat()}); tests effective dates.",
    )
    meta: CheckMeta | None = Field(
        default=None,
        description="What the checker knows besides the text (send/call time, audience expression, product id…).",
    )
    note: str = Field(default="", description="Why the label is what it is, in one short sentence.")

    @model_validator(mode="after")
    def _labels_agree(self) -> ComplianceCase:
        """Refuse labels that contradict each other, so a typo cannot silently change a metric."""
        if (self.expected_verdict == "pass") != (not self.expected_categories):
            raise ValueError(f"case {self.id}: expected_verdict pass iff expected_categories is empty")
        if FLAG_FREE_TAGS & set(self.tags) and self.expected_verdict != "pass":
            raise ValueError(f"case {self.id}: a must_not_flag/clean case must expect pass")
        if self.look_alike_of and "must_not_flag" not in self.tags:
            raise ValueError(f"case {self.id}: look_alike_of is only for must_not_flag cases")
        if self.expected_rules is not None and bool(self.expected_rules) != bool(self.expected_categories):
            raise ValueError(f"case {self.id}: expected_rules and expected_categories disagree on emptiness")
        for name in ("expected_categories", "expected_rules", "tags", "look_alike_of"):
            values = getattr(self, name) or []
            if len(set(values)) != len(values):
                raise ValueError(f"case {self.id}: duplicate entries in {name}")
        if self.channel == "audience" and (self.meta is None or self.meta.audience is None):
            raise ValueError(
                f"case {self.id}: an audience case needs meta.audience (the expression to judge)"
            )
        self._check_against_catalog()
        return self

    def _check_against_catalog(self) -> None:
        """Rule ids must be catalog rules, and the categories must be exactly those of the labelled rules."""
        named = [*(self.expected_rules or []), *self.look_alike_of]
        unknown = [rule_id for rule_id in named if rule_id not in CATALOG_RULES]
        if unknown:
            raise ValueError(f"case {self.id}: rule ids not in the catalog: {unknown}")
        if self.expected_rules is not None:
            implied = {CATALOG_RULES[rule_id] for rule_id in self.expected_rules}
            if implied != set(self.expected_categories):
                raise ValueError(
                    f"case {self.id}: expected_categories {sorted(self.expected_categories)} are not the "
                    f"categories of expected_rules {sorted(implied)}"
                )


class Labels(BaseModel):
    """A verdict, categories and rule ids: what a case expects, or (with findings) what the checker said."""

    verdict: Verdict
    categories: list[Category]
    rules: list[str] | None = None


class Observed(Labels):
    """What the checker said, with one ``RULE severity 「quote」`` line per finding for the report."""

    findings: list[str] = Field(default_factory=list)
    judge_status: str | None = Field(default=None, description="llm mode only: how the judge took part.")


class ComplianceSuite:
    """Evaluator for ``evals/datasets/compliance.yaml``.

    ``rules`` replaces the shipped rule set (``None`` = knowledge/rules); tests pass a rule set with a rule
    removed to prove that a regression fails the thresholds.
    """

    name = "compliance"
    case_model = ComplianceCase

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules

    def prepare(self, ctx: EvalContext) -> None:
        """Load and compile the rule set up front, so a broken rule file fails before the first case."""
        if self.rules is None:
            default_rules()

    def run_case(self, case: ComplianceCase, ctx: EvalContext) -> CaseResult:
        """Check the case's text with the layers of the run's mode (see the module docstring)."""
        on_date = case.on_date or EVAL_DATE
        if ctx.mode != "llm":
            result = check(
                case.text, case.channel, case.product_type, bank_short_name=DATASET_BANK,
                on_date=on_date, rules=self.rules, meta=case.meta,
            )  # fmt: skip
            return score_case(case, result)
        outcome = check_text(
            case.text, case.channel, case.product_type, meta=case.meta, run_id=f"{ctx.run_id}-{case.id}",
            bank_short_name=DATASET_BANK, on_date=on_date, rules=self.rules,
        )  # fmt: skip
        scored = score_case(case, outcome.result)
        scored.actual["judge_status"] = outcome.judge_status
        return scored

    def aggregate(self, results: list[CaseResult]) -> tuple[dict[str, float], Confusion | None]:
        """Suite metrics (module docstring) and the per-category confusion."""
        pairs = [(Labels.model_validate(r.expected), Observed.model_validate(r.actual)) for r in results]
        confusion = category_confusion(pairs)
        tp, fp, fn = (sum(counts.values()) for counts in (confusion.tp, confusion.fp, confusion.fn))
        expected_blocks = [seen for want, seen in pairs if want.verdict == "block"]
        flag_free = [r for r in results if FLAG_FREE_TAGS & set(r.tags)]
        flagged = [r for r in flag_free if Observed.model_validate(r.actual).findings]
        metrics = {
            "verdict_accuracy": ratio(sum(want.verdict == seen.verdict for want, seen in pairs), len(pairs)),
            "category_precision": ratio(tp, tp + fp),
            "category_recall": ratio(tp, tp + fn),
            "block_recall": ratio(
                sum(seen.verdict == "block" for seen in expected_blocks), len(expected_blocks)
            ),
            # A rate that must stay low: with no flag-free cases nothing can have been flagged, so 0, not 1.
            "false_positive_rate_max": len(flagged) / len(flag_free) if flag_free else 0.0,
            "exact_set_accuracy": ratio(sum(r.scores["exact_set"] for r in results), len(results)),
            **detection_metrics(pairs, confusion),
        }
        judged = [seen.judge_status for _, seen in pairs if isinstance(seen, Observed) and seen.judge_status]
        if judged:  # llm mode: a judge that failed on some cases must show, not hide behind the engine
            metrics["judge_failed_rate_max"] = judged.count("failed") / len(judged)
        return metrics, confusion


def detection_metrics(pairs: Sequence[tuple[Labels, Labels]], confusion: Confusion) -> dict[str, float]:
    """The issue's three targets: is every violation caught at all, and is nothing innocent blocked?"""
    expected_findings = [(want, seen) for want, seen in pairs if want.verdict != "pass"]
    detected = sum(bool(set(want.categories) & set(seen.categories)) for want, seen in expected_findings)
    expected_passes = [seen for want, seen in pairs if want.verdict == "pass"]
    blocked = sum(seen.verdict == "block" for seen in expected_passes)
    return {
        "detection_recall": ratio(detected, len(expected_findings)),
        # A rate that must stay low: with no expected-pass cases nothing innocent can have been blocked.
        "false_block_rate_max": blocked / len(expected_passes) if expected_passes else 0.0,
        "min_category_recall": min(category_recalls(confusion).values(), default=1.0),
    }


def category_recalls(confusion: Confusion) -> dict[str, float]:
    """Recall per category, for categories with at least ``MIN_CATEGORY_SUPPORT`` expected positives."""
    recalls = {}
    for label in confusion.labels:
        support = confusion.tp[label] + confusion.fn[label]
        if support >= MIN_CATEGORY_SUPPORT:
            recalls[label] = confusion.tp[label] / support
    return recalls


def observe(result: CheckResult) -> Observed:
    """The checker's output reduced to what the dataset labels, plus a readable line per finding."""
    return Observed(
        verdict=result.verdict,
        categories=_ordered({f.category for f in result.findings}),
        rules=sorted({f.rule_id for f in result.findings}),
        findings=[
            f"{f.rule_id} {f.severity}" + (f" 「{f.span.quote}」" if f.span else "") for f in result.findings
        ],
    )


def score_case(case: ComplianceCase, result: CheckResult) -> CaseResult:
    """Compare one check result with the case's labels."""
    expected = Labels(
        verdict=case.expected_verdict,
        categories=_ordered(set(case.expected_categories)),
        rules=sorted(case.expected_rules) if case.expected_rules is not None else None,
    )
    seen = observe(result)
    want_categories, got_categories = set(expected.categories), set(seen.categories)
    verdict_ok = expected.verdict == seen.verdict
    categories_ok = want_categories == got_categories
    exact = expected.rules == seen.rules if expected.rules is not None else categories_ok
    scores = {
        "verdict_match": float(verdict_ok),
        "category_tp": float(len(want_categories & got_categories)),
        "category_fp": float(len(got_categories - want_categories)),
        "category_fn": float(len(want_categories - got_categories)),
        "exact_set": float(exact),
    }
    return CaseResult(
        case_id=case.id,
        passed=verdict_ok and categories_ok,
        scores=scores,
        expected=expected.model_dump(),
        actual=seen.model_dump(),
        detail=_explain(expected, seen),
        tags=case.tags,
    )


def category_confusion(pairs: Sequence[tuple[Labels, Labels]]) -> Confusion:
    """Per category: expected and found (tp), found but not expected (fp), expected but missed (fn)."""
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for expected, seen in pairs:
        want, got = set(expected.categories), set(seen.categories)
        for category in want & got:
            tp[category] = tp.get(category, 0) + 1
        for category in got - want:
            fp[category] = fp.get(category, 0) + 1
        for category in want - got:
            fn[category] = fn.get(category, 0) + 1
    labels = _ordered({*tp, *fp, *fn})
    return Confusion(
        labels=labels,
        tp={label: tp.get(label, 0) for label in labels},
        fp={label: fp.get(label, 0) for label in labels},
        fn={label: fn.get(label, 0) for label in labels},
    )


def _explain(expected: Labels, seen: Observed) -> str:
    """One line saying what differed (empty parts omitted), or what fired when everything matched."""
    parts = []
    if expected.verdict != seen.verdict:
        parts.append(f"verdict {seen.verdict}, expected {expected.verdict}")
    missed = [c for c in expected.categories if c not in seen.categories]
    extra = [c for c in seen.categories if c not in expected.categories]
    if missed:
        parts.append("missed " + ", ".join(missed))
    if extra:
        parts.append("unexpected " + ", ".join(extra))
    if expected.rules is not None and expected.rules != seen.rules:
        parts.append(f"rules {seen.rules or '[]'}, expected {expected.rules or '[]'}")
    findings = "; ".join(seen.findings) or "no findings"
    return ("; ".join(parts) + " | " if parts else "") + findings


def _ordered(categories: set[Any]) -> list[Any]:
    """Categories in core.domain's fixed order, so results and charts list them the same way every run."""
    return [c for c in CATEGORIES if c in categories]


SUITE: Suite[ComplianceCase] = ComplianceSuite()
