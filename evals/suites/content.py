"""The content suite: a brief is planned, one channel draft is written, and the draft is checked.

Deterministic checks first, per case: the plan picked the expected product; the draft fits its channel
(channel-formats §5); it carries the product type's required disclosures; the rule engine finds nothing that
blocks; every number in it is traced to the product sheet, the settings or the plan; the graph's gate before
compliance passes (channel validators, ``validator_pass_rate``) and the claims ledger links every claim
(``unlinked_claims`` total, ``unlinked_claims_rate_max`` share of drafts with one); ``blocking_rate`` is the share
of drafts any gate blocks. H5 pages are checked on their visible text; their channel format is the page schema
and clauses that resolve. With a model configured, an LLM judge then scores the copy channels' tone, clarity and
faithfulness (``judge_mean``); offline there is no judge, and H5 pages are never judged.
"""

from __future__ import annotations

from statistics import mean
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.content import write_content
from agents.drafts import checkable_text
from agents.plan import CampaignPlan, ClarificationNeeded, plan_campaign, plan_offline
from core.domain import Product
from core.llm import LLMUnavailable
from core.settings import get_settings
from evals.checks.channels import channel_violations
from evals.checks.disclosures import missing_disclosures
from evals.checks.tracing import draft_sources, trace_numbers
from evals.core import CaseResult, Confusion, EvalContext, ratio
from evals.judge import judge_draft
from tools.channel_rules.validators import validate_channel
from tools.claims import build_ledger
from tools.compliance.engine import check
from tools.h5 import page_from_content, unresolved_clauses
from tools.products import default_catalog

ContentChannel = Literal["sms", "push", "wechat", "wecom", "h5"]
# Per-case check → the suite metric that averages it.
CHECK_METRICS = {
    "product_match": "product_match_rate",
    "constraints": "constraint_pass_rate",
    "disclosures": "disclosure_pass_rate",
    "traced_numbers": "traced_numbers_rate",
    "compliance": "compliance_pass_rate",
    "validators": "validator_pass_rate",
}
CHECKS = tuple(CHECK_METRICS)
JUDGE_SCORE = "judge"
UNLINKED = "unlinked_claims"  # per case: how many ledger entries no source states
JUDGED_CHANNELS = frozenset({"sms", "push", "wechat", "wecom"})
BLOCKED = "blocked"  # per case: 1 when any gate (validators, ledger, rule engine) blocks the draft


class ContentCase(BaseModel):
    """One brief drafted on one channel, with the product the planner must pick."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Unique case id, e.g. cl-sms-activation.")
    brief: str = Field(min_length=1, description="The marketer's brief, in Chinese.")
    channel: ContentChannel = Field(description="The channel to draft for.")
    product_id: str = Field(description="The product the plan must put first (knowledge/products.yaml id).")
    required_phrases: list[str] = Field(
        default_factory=list, description="Extra phrases the draft must contain, verbatim."
    )
    tags: list[str] = Field(default_factory=list, description="Free labels for slicing results.")

    @field_validator("product_id")
    @classmethod
    def _known_product(cls, value: str) -> str:
        try:
            default_catalog().get(value)
        except KeyError as exc:  # pydantic reports ValueError, so a bad id becomes a dataset error
            raise ValueError(exc.args[0]) from None
        return value


def _plan(case: ContentCase, ctx: EvalContext) -> CampaignPlan | ClarificationNeeded:
    if ctx.mode == "llm":
        plan, _, _ = plan_campaign(case.brief, run_id=ctx.run_id)
        return plan
    return plan_offline(case.brief, default_catalog())


def _check_draft(
    case: ContentCase, plan: CampaignPlan, product: Product, content: dict[str, Any]
) -> tuple[dict[str, float], list[str]]:
    """The four draft checks as 1/0 scores, with a problem line per failed check."""
    settings = get_settings()
    text = checkable_text(case.channel, content)
    problems: dict[str, list[str]] = {
        "constraints": _constraint_problems(case.channel, content, settings.sms_signature),
        "disclosures": [
            f"missing disclosure: {label}" for label in missing_disclosures(product, case.channel, text)
        ]
        + [f"missing required phrase: {p}" for p in case.required_phrases if p not in text],
    }
    trace = trace_numbers(text, draft_sources(product, settings, plan))
    problems["traced_numbers"] = [] if trace.ok else [trace.describe()]
    blocks = [f for f in check(text, case.channel, product.type).findings if f.severity == "block"]
    problems["compliance"] = [f"compliance block {f.rule_id}: {f.message}" for f in blocks]
    gate = _gate_problems(case.channel, content, text, product, plan)
    problems["validators"] = gate["validators"]
    scores = {name: float(not lines) for name, lines in problems.items()}
    scores[UNLINKED] = float(len(gate["ledger"]))
    scores[BLOCKED] = float(bool(blocks or gate["validators"] or gate["ledger"]))
    return scores, [line for lines in [*problems.values(), gate["ledger"]] for line in lines]


def _constraint_problems(channel: str, content: dict[str, Any], sms_signature: str) -> list[str]:
    """Channel-format violations; an H5 page's format is its page schema plus benefits that cite real clauses."""
    if channel != "h5":
        return channel_violations(channel, content, sms_signature=sms_signature)
    try:
        page = page_from_content(content)
    except ValueError as exc:  # pydantic's ValidationError: a length limit, a pre-ticked box, 最终解释权…
        return [f"h5 page invalid: {exc}"]
    return [f"h5 {problem}" for problem in unresolved_clauses(page)]


def _gate_problems(
    channel: str, content: dict[str, Any], text: str, product: Product, plan: CampaignPlan
) -> dict[str, list[str]]:
    """What the graph's gate before compliance blocks on: channel-validator blocks and unlinked claims."""
    settings = get_settings()
    violations = validate_channel(channel, content, text, product.type, sms_signature=settings.sms_signature)
    ledger = build_ledger(text, product, plan, settings=settings)
    return {
        "validators": [f"validator {f.rule_id}: {f.message}" for f in violations if f.severity == "block"],
        "ledger": [f"unlinked claim {e.kind} {e.value}{e.unit}" for e in ledger if not e.linked],
    }


def _judge(
    case: ContentCase, content: dict[str, Any], product: Product, ctx: EvalContext
) -> tuple[float | None, str]:
    if ctx.mode != "llm":
        return None, "no judge score (offline mode: no model configured)"
    if case.channel not in JUDGED_CHANNELS:
        # The judge's rubric reads copy fields; a page is judged by its schema, clause and disclosure checks.
        return None, f"no judge score ({case.channel} pages are not judged)"
    try:
        rubric = judge_draft(case.channel, content, product, run_id=ctx.run_id)
    except LLMUnavailable as exc:
        return None, f"no judge score (judge unavailable: {exc})"
    return (
        rubric.mean,
        f"judge {rubric.tone}/{rubric.clarity}/{rubric.faithfulness}: {'；'.join(rubric.reasons)}",
    )


def _failed(case: ContentCase, detail: str) -> CaseResult:
    return CaseResult(
        case_id=case.id, passed=False, scores={name: 0.0 for name in CHECKS}, expected={"product_id": case.product_id},
        actual=None, detail=detail, tags=[*case.tags, case.channel],
    )  # fmt: skip


class ContentSuite:
    """Plan → draft → deterministic checks (→ judge in llm mode) per case."""

    name = "content"
    case_model = ContentCase

    def prepare(self, ctx: EvalContext) -> None:
        """Nothing to build: the product catalog and the templates are the fixtures."""

    def run_case(self, case: ContentCase, ctx: EvalContext) -> CaseResult:
        plan = _plan(case, ctx)
        if isinstance(plan, ClarificationNeeded):
            return _failed(case, f"planner asked instead of planning: {plan.question}")
        picked = plan.product_ids[0]
        draft = write_content(plan, case.channel, run_id=ctx.run_id)
        product = default_catalog().get(picked)
        scores, problems = _check_draft(case, plan, product, draft.content)
        scores["product_match"] = float(picked == case.product_id)
        if picked != case.product_id:
            problems.insert(0, f"plan picked {picked}, expected {case.product_id}")
        judge_score, judge_note = _judge(case, draft.content, product, ctx)
        if judge_score is not None:
            scores[JUDGE_SCORE] = judge_score
        fields = {k: v for k, v in draft.content.items() if k != "meta"}
        return CaseResult(
            case_id=case.id, passed=all(scores[name] == 1.0 for name in CHECKS), scores=scores,
            expected={"product_id": case.product_id},
            actual={"product_id": picked, "mode": draft.mode, "content": fields},
            detail="; ".join([*problems, judge_note]), tags=[*case.tags, case.channel, product.type],
        )  # fmt: skip

    def aggregate(self, results: list[CaseResult]) -> tuple[dict[str, float], Confusion | None]:
        total = len(results)
        metrics = {
            "pass_rate": ratio(sum(r.passed for r in results), total),
            **{
                metric: ratio(sum(r.scores.get(name, 0.0) for r in results), total)
                for name, metric in CHECK_METRICS.items()
            },
        }
        metrics[UNLINKED] = sum(r.scores.get(UNLINKED, 0.0) for r in results)
        metrics["unlinked_claims_rate_max"] = ratio(
            sum(r.scores.get(UNLINKED, 0.0) > 0 for r in results), total
        )
        metrics["blocking_rate"] = ratio(sum(r.scores.get(BLOCKED, 1.0) for r in results), total)
        # The runner treats *_rate_max thresholds as maxima, so the zero-tolerance gates are guarded under that name.
        metrics["blocking_rate_max"] = metrics["blocking_rate"]
        judged = [r.scores[JUDGE_SCORE] for r in results if JUDGE_SCORE in r.scores]
        if judged:  # llm mode only: offline there is no judge, so no judge_mean at all
            metrics["judge_mean"] = mean(judged)
        return metrics, None


SUITE = ContentSuite()
