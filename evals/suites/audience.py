"""The audience suite: does a marketer's description become the audience a careful analyst would select?

Each case is a Chinese description of who to reach, labelled by hand with the audience DSL expression an analyst
would write over the tag catalog. The produced and expected expressions are compared by the customers they
match (Jaccard of the id sets) on a pinned demo tag store, before policy exclusions: the store applies the same
exclusions to both, so they would only blur the difference. Comparing sets, not JSON, means equivalent
spellings (``not is_overdue`` vs ``is_overdue = false``) agree, and a near miss (近7天 read as ≤7 instead of
≤6 days) costs a little, not everything.

Where the expression comes from:
- offline: ``agents.audience_parse.parse_audience`` (the agent's deterministic path);
- llm: ``agents.audience._expression`` with a minimal ``CampaignPlan`` built from the case — the agent's own
  step, which asks the model (``_ask_model``), validates the answer and falls back to the offline parser
  exactly as the agent does; the mode it reports (llm / offline_fallback) is kept in each case's result.
"""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.audience import _expression as agent_expression
from agents.audience_parse import parse_audience
from agents.plan import CampaignPlan, DeliverableChannel, Wave
from core.domain import GenerationMode
from evals.core import CaseResult, Confusion, EvalContext, ratio
from tools.products import default_catalog
from tools.tag_store import (
    AudienceExpression,
    ExpressionError,
    ParamBag,
    TagCatalog,
    build_demo_tag_store,
    compile_where,
    validate_expression,
)

STORE_CUSTOMERS = 20_000
STORE_SEED = 7
STORE_AS_OF = date(2026, 11, 1)
"""The day the demo data is generated for and time windows count back from; pinned so that "近7天未触达"
selects the same customers on every run (the generated contact history is anchored to this day)."""
PASS_JACCARD = 0.9
_CACHE_KEY = "audience.store_path"


class AudienceCase(BaseModel):
    """A marketer's description and the audience expression a careful analyst would write for it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Stable case id, e.g. aud-young-granted-undrawn.")
    description: str = Field(min_length=2, description="Who to reach, in the marketer's own Chinese words.")
    channels: list[DeliverableChannel] = Field(
        min_length=1, description="The campaign's channels (used for 近N天触达 without a named channel)."
    )
    product_id: str | None = Field(
        default=None, description="Product marketed, from knowledge/products.yaml."
    )
    expected_expression: dict[str, Any] = Field(
        description="The audience DSL JSON an analyst would write; must validate against knowledge/tags.yaml."
    )
    tags: list[str] = Field(default_factory=list, description="Free labels for slicing results.")

    @field_validator("product_id")
    @classmethod
    def _known_product(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                default_catalog().get(value)
            except KeyError as exc:
                raise ValueError(str(exc.args[0])) from None
        return value

    @field_validator("expected_expression")
    @classmethod
    def _valid_expression(cls, value: dict[str, Any]) -> dict[str, Any]:
        validate_expression(value, TagCatalog.default())  # ExpressionError is a ValueError: names the node
        return value


class AudienceStoreError(RuntimeError):
    """The evaluation tag store cannot be queried."""


class AudienceSuite:
    """Evaluator for ``evals/datasets/audience.yaml``."""

    name = "audience"
    case_model = AudienceCase

    def prepare(self, ctx: EvalContext) -> None:
        """Build the 20k-customer store under the work dir unless this run or an earlier one already did."""
        ctx.cache[_CACHE_KEY] = ensure_store(ctx.work_dir)

    def run_case(self, case: AudienceCase, ctx: EvalContext) -> CaseResult:
        catalog = TagCatalog.default()
        path: Path = ctx.cache.get(_CACHE_KEY) or ensure_store(ctx.work_dir)
        raw, mode, understood = produce_expression(case, catalog, ctx)
        expected_ids = matching_ids(path, validate_expression(case.expected_expression, catalog), catalog)
        try:
            actual_ids = matching_ids(path, validate_expression(raw, catalog), catalog)
        except ExpressionError as exc:
            return _scored(case, raw, mode, understood, parsed=False, score=0.0, detail=f"invalid: {exc}")
        score = jaccard(expected_ids, actual_ids)
        detail = (
            f"jaccard {score:.3f}: expected {len(expected_ids)} customers, got {len(actual_ids)} ({mode})"
        )
        return _scored(case, raw, mode, understood, parsed=True, score=score, detail=detail)

    def aggregate(self, results: list[CaseResult]) -> tuple[dict[str, float], Confusion | None]:
        total = len(results)
        metrics = {
            "mean_jaccard": ratio(sum(r.scores["jaccard"] for r in results), total),
            "exact_match_rate": ratio(sum(r.scores["jaccard"] == 1.0 for r in results), total),
            "parse_success_rate": ratio(sum(r.scores["parsed"] for r in results), total),
        }
        return metrics, condition_confusion(results)


# ---- where the expression comes from ----------------------------------------------------------------------


def produce_expression(
    case: AudienceCase, catalog: TagCatalog, ctx: EvalContext
) -> tuple[dict[str, Any], GenerationMode, list[str]]:
    """(expression JSON, generation mode, what was understood) from the path the mode selects."""
    channels: list[str] = list(case.channels)
    if ctx.mode == "offline":
        parsed = parse_audience(case.description, catalog, channels=channels)
        return parsed.expression, "offline", parsed.understood
    raw, understood, mode, notes = agent_expression(plan_for(case), catalog, channels, run_id=ctx.run_id)
    return raw, mode, understood + notes


def plan_for(case: AudienceCase) -> CampaignPlan:
    """The smallest valid plan carrying the case: the audience step reads only its description and channels.

    A case without a product gets the catalog's first one, only to fill the plan's required field.
    """
    product_id = case.product_id or default_catalog().all()[0].id
    channels = list(case.channels)
    return CampaignPlan(
        objective="activation", product_ids=[product_id], audience_description=case.description,
        channels=channels, waves=[Wave(name="评测", starts_on=STORE_AS_OF, ends_on=STORE_AS_OF, channels=channels)],
        kpis=[], constraints=[], assumptions=[],
    )  # fmt: skip


# ---- the store and set comparison ---------------------------------------------------------------------


def store_path(work_dir: Path) -> Path:
    """Where the store lives for these parameters: another size, seed or day is another file."""
    return work_dir / "audience" / f"tags-{STORE_CUSTOMERS}-seed{STORE_SEED}-{STORE_AS_OF.isoformat()}.duckdb"


def ensure_store(work_dir: Path) -> Path:
    """The store's path, built first when missing (about a second); an existing file is reused as is."""
    path = store_path(work_dir)
    if not path.is_file():
        build_demo_tag_store(path, customers=STORE_CUSTOMERS, seed=STORE_SEED, as_of=STORE_AS_OF)
    return path


def matching_ids(path: Path, expression: AudienceExpression, catalog: TagCatalog) -> frozenset[int]:
    """Ids of the customers ``expression`` matches before any policy exclusion, over a read-only connection."""
    params = ParamBag()
    where = compile_where(expression, catalog, params, today=STORE_AS_OF)
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as connection:
            rows = connection.execute(
                f"SELECT c.customer_id FROM customers AS c WHERE {where}", params.values
            )
            return frozenset(int(row[0]) for row in rows.fetchall())
    except duckdb.Error as exc:
        raise AudienceStoreError(f"audience query on {path} failed: {exc}") from exc


def jaccard(expected: frozenset[int], actual: frozenset[int]) -> float:
    """|A ∩ B| / |A ∪ B|; two empty audiences agree perfectly (1.0)."""
    union = len(expected | actual)
    return 1.0 if union == 0 else len(expected & actual) / union


# ---- results ----------------------------------------------------------------------------------------------


def _scored(
    case: AudienceCase,
    raw: dict[str, Any],
    mode: GenerationMode,
    understood: list[str],
    *,
    parsed: bool,
    score: float,
    detail: str,
) -> CaseResult:
    return CaseResult(
        case_id=case.id,
        passed=parsed and score >= PASS_JACCARD,
        scores={"jaccard": score, "parsed": float(parsed)},
        expected=case.expected_expression,
        actual={"expression": raw, "mode": mode, "understood": understood},
        detail=detail,
        tags=case.tags,
    )


def condition_labels(node: Any) -> set[str]:
    """What an expression conditions on: tag codes, and ``not_contacted:<channel>`` for contact windows."""
    if not isinstance(node, dict):
        return set()
    if "tag" in node:
        return {str(node["tag"])}
    if "not_contacted" in node:
        window = node["not_contacted"]
        return {f"not_contacted:{window.get('channel') if isinstance(window, dict) else '?'}"}
    labels: set[str] = set()
    for key in ("and", "or"):
        for item in node.get(key) or []:
            labels |= condition_labels(item)
    return labels | condition_labels(node.get("not"))


def condition_confusion(results: list[CaseResult]) -> Confusion:
    """Per tag: used by both (tp), only by the produced expression (fp), only by the expected one (fn)."""
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for result in results:
        expected = condition_labels(result.expected)
        produced = result.actual.get("expression") if isinstance(result.actual, dict) else None
        actual = condition_labels(produced)
        for names, counts in ((expected & actual, tp), (actual - expected, fp), (expected - actual, fn)):
            for name in names:
                counts[name] = counts.get(name, 0) + 1
    labels = sorted({*tp, *fp, *fn})
    return Confusion(
        labels=labels,
        tp={label: tp.get(label, 0) for label in labels},
        fp={label: fp.get(label, 0) for label in labels},
        fn={label: fn.get(label, 0) for label in labels},
    )


SUITE = AudienceSuite()
