"""The call_script suite: built scripts must be valid, and planted faults must be caught.

generated: a brief naming the product is planned (plan_offline) and the call-script agent builds the script; it
passes with no blocking finding from the checks the graph runs (validator + text rules, agents.compliance_check)
and the structural invariants of evals.checks.script_invariants. broken: one fault from
evals.checks.script_mutations is planted in the built script; it passes when every expected rule id is reported
as block. The confusion counts rule ids over the broken cases.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.call_script import write_call_script
from agents.compliance_check import check_draft
from agents.drafts import DraftState
from agents.plan import CampaignPlan, ClarificationNeeded, Objective, plan_offline
from core.domain import GenerationMode
from core.settings import get_settings
from evals.checks.script_invariants import invariant_violations
from evals.checks.script_mutations import MutationError, MutationName, mutate
from evals.core import CaseResult, Confusion, EvalContext, ratio
from tools.call_script.model import CallScript
from tools.products import default_catalog

# A word agents.plan reads as each objective, so the brief states the objective the case asks for.
OBJECTIVE_BRIEF_WORDS: dict[str, str] = {
    "activation": "促活", "acquisition": "拉新", "cross_sell": "交叉销售", "retention": "挽留",
    "reactivation": "唤醒", "education": "投教",
}  # fmt: skip


class CallScriptCase(BaseModel):
    """A script the agent builds for a product and objective, optionally with one planted fault."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Unique case id, e.g. cl-activation or broken-otp-fund.")
    kind: Literal["generated", "broken"] = Field(
        description="generated: must be valid; broken: must be caught."
    )
    product_id: str = Field(description="The product the script is about (knowledge/products.yaml id).")
    objective: Objective = Field(
        default="activation", description="The campaign objective the plan must take."
    )
    mutation: MutationName | None = Field(default=None, description="broken only: the fault to plant.")
    expected_rules: list[str] = Field(
        default_factory=list, description="broken only: rule ids the checks must report as block."
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

    @model_validator(mode="after")
    def _kind_fields(self) -> CallScriptCase:
        if self.kind == "broken" and (self.mutation is None or not self.expected_rules):
            raise ValueError("a broken case needs a mutation and expected_rules")
        if self.kind == "generated" and (self.mutation is not None or self.expected_rules):
            raise ValueError("a generated case takes no mutation or expected_rules")
        return self


def case_brief(case: CallScriptCase) -> str:
    """The marketer's brief for a case: the objective word and the product's catalog name, on outbound calls."""
    product = default_catalog().get(case.product_id)
    return f"{OBJECTIVE_BRIEF_WORDS[case.objective]}：外呼推广{product.name}"


def _block_rules(script: CallScript, plan: CampaignPlan, mode: GenerationMode) -> set[str]:
    """Rule ids reported as block by the graph's own check of a call-script draft."""
    draft = DraftState(channel="call_script", content={"script": script.model_dump(mode="json")}, mode=mode)
    return {f.rule_id for f in check_draft(draft, plan).findings if f.severity == "block"}


def _result(case: CallScriptCase, passed: bool, actual: Any, detail: str) -> CaseResult:
    return CaseResult(
        case_id=case.id, passed=passed, scores={case.kind: float(passed)},
        expected={"kind": case.kind, "rules": sorted(case.expected_rules)}, actual=actual, detail=detail,
        tags=[case.kind, *case.tags],
    )  # fmt: skip


def _generated(
    case: CallScriptCase, script: CallScript, plan: CampaignPlan, mode: GenerationMode
) -> CaseResult:
    blocks = _block_rules(script, plan, mode)
    broken = invariant_violations(script, get_settings().bank_short_name)
    problems = [f"block findings: {', '.join(sorted(blocks))}"] if blocks else []
    actual = {"block_rules": sorted(blocks), "invariant_violations": broken, "mode": mode}
    return _result(case, not problems and not broken, actual, "; ".join(problems + broken))


def _broken(case: CallScriptCase, script: CallScript, plan: CampaignPlan, mode: GenerationMode) -> CaseResult:
    if case.mutation is None:  # the case model rejects this; kept so a hand-built case fails clearly
        raise ValueError(f"broken case {case.id!r} has no mutation")
    try:
        mutated = mutate(script, case.mutation)
    except MutationError as exc:
        return _result(case, False, {"block_rules": []}, f"could not plant {case.mutation}: {exc}")
    reported = _block_rules(mutated, plan, mode)
    missed = sorted(set(case.expected_rules) - reported)
    detail = f"{case.mutation}: missed {', '.join(missed)}" if missed else f"{case.mutation}: caught"
    return _result(
        case, not missed, {"block_rules": sorted(reported)}, f"{detail} (reported: {sorted(reported)})"
    )


def _confusion(results: list[CaseResult]) -> Confusion:
    pairs = [(set(r.expected["rules"]), set(r.actual["block_rules"])) for r in results]
    labels = sorted(set().union(*(expected | reported for expected, reported in pairs)))
    return Confusion(
        labels=labels,
        tp={label: sum(label in e and label in r for e, r in pairs) for label in labels},
        fp={label: sum(label not in e and label in r for e, r in pairs) for label in labels},
        fn={label: sum(label in e and label not in r for e, r in pairs) for label in labels},
    )


class CallScriptSuite:
    """Build → check per case; broken cases plant one fault first."""

    name = "call_script"
    case_model = CallScriptCase

    def prepare(self, ctx: EvalContext) -> None:
        """Nothing to build: the catalog, the builder and the validator are the fixtures."""

    def run_case(self, case: CallScriptCase, ctx: EvalContext) -> CaseResult:
        plan = plan_offline(case_brief(case), default_catalog())
        if isinstance(plan, ClarificationNeeded):
            return _result(
                case, False, {"block_rules": []}, f"planner asked instead of planning: {plan.question}"
            )
        if (plan.product_ids[0], plan.objective) != (case.product_id, case.objective):
            wrong = f"plan took {plan.product_ids[0]}/{plan.objective}, expected {case.product_id}/{case.objective}"
            return _result(case, False, {"block_rules": []}, wrong)
        draft = write_call_script(plan, campaign_id=f"eval-{case.id}", run_id=ctx.run_id)
        script = CallScript.model_validate(draft.content["script"])
        run = _generated if case.kind == "generated" else _broken
        return run(case, script, plan, draft.mode)

    def aggregate(self, results: list[CaseResult]) -> tuple[dict[str, float], Confusion | None]:
        generated = [r for r in results if r.expected["kind"] == "generated"]
        broken = [r for r in results if r.expected["kind"] == "broken"]
        metrics = {
            "pass_rate": ratio(sum(r.passed for r in results), len(results)),
            "generated_valid_rate": ratio(sum(r.passed for r in generated), len(generated)),
            "broken_detection_rate": ratio(sum(r.passed for r in broken), len(broken)),
        }
        return metrics, _confusion(broken) if broken else None


SUITE = CallScriptSuite()
