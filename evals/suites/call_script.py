"""The call_script suite: built scripts must be valid, and planted faults must be caught.

generated: a brief naming the product is planned (plan_offline) and the call-script agent builds the script; it
passes with no blocking finding from the checks the graph runs (validator + text rules, agents.compliance_check)
and the structural invariants of evals.checks.script_invariants. broken: one fault is planted in the built
script, either a named mutation from evals.checks.script_mutations or ``edits`` written in the dataset itself
(``ScriptEdit``: replace a prompt, set a policy field, add a node or route, drop the refusal handlers); it passes
when every expected rule id is reported as block. Metrics: ``broken_reject_rate`` is the share of broken scripts
the checks reject at all (any blocking finding), ``broken_detection_rate`` the share caught by the expected rule.
The confusion counts rule ids over the broken cases.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agents.call_script import write_call_script
from agents.compliance_check import check_draft
from agents.drafts import DraftState
from agents.plan import CampaignPlan, ClarificationNeeded, Objective, plan_offline
from core.domain import GenerationMode
from core.settings import get_settings
from evals.checks.script_invariants import invariant_violations
from evals.checks.script_mutations import MutationError, MutationName, mutate
from evals.core import CaseResult, Confusion, EvalContext, ratio
from tools.call_script.hashing import with_content_hash
from tools.call_script.model import CallScript
from tools.products import default_catalog

# A word agents.plan reads as each objective, so the brief states the objective the case asks for.
OBJECTIVE_BRIEF_WORDS: dict[str, str] = {
    "activation": "促活", "acquisition": "拉新", "cross_sell": "交叉销售", "retention": "挽留",
    "reactivation": "唤醒", "education": "投教",
}  # fmt: skip


class ScriptEdit(BaseModel):
    """One change to a built script's JSON document: a planted fault written as data."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["set_text", "prepend_text", "set_field", "add_node", "add_route", "drop_refusal_handlers"] = (
        Field(
            description="set_text/prepend_text: a node's prompt; set_field: a dotted document field (call_policy.x, "
            "start_node); add_node: append value as a node; add_route: append value as a route of node; "
            "drop_refusal_handlers: remove the global handlers for refusal intents."
        )
    )
    node: str | None = Field(
        default=None, description="The node id set_text, prepend_text and add_route edit."
    )
    field: str | None = Field(
        default=None, description="set_field only: dotted path, e.g. call_policy.timezone."
    )
    value: Any = Field(default=None, description="The text, field value, node or route.")


class EditError(ValueError):
    """An edit names what the built script does not have, or leaves a document that no longer loads."""


def _node_doc(document: dict[str, Any], node_id: str | None) -> dict[str, Any]:
    found: dict[str, Any] | None = next((n for n in document["nodes"] if n["id"] == node_id), None)
    if found is None:
        raise EditError(f"the built script has no node {node_id!r}")
    return found


def _apply(document: dict[str, Any], edit: ScriptEdit) -> None:
    if edit.op in ("set_text", "prepend_text"):
        prompt = _node_doc(document, edit.node)["prompt"]
        prompt["text"] = str(edit.value) + (prompt["text"] if edit.op == "prepend_text" else "")
    elif edit.op == "set_field":
        *parents, last = (edit.field or "").split(".")
        target = document
        for part in parents:
            target = target[part]
        if last not in target:
            raise EditError(f"the built script has no field {edit.field!r}")
        target[last] = edit.value
    elif edit.op == "add_node":
        document["nodes"].append(edit.value)
    elif edit.op == "add_route":
        _node_doc(document, edit.node)["routes"].append(edit.value)
    else:
        refuse = {i["id"] for i in document["intents"] if i["category"] == "refuse"}
        document["global_handlers"] = [
            h for h in document["global_handlers"] if h["when"].get("intent") not in refuse
        ]


def apply_edits(script: CallScript, edits: list[ScriptEdit]) -> CallScript:
    """A copy of ``script`` with ``edits`` applied and its content hash recomputed (only the fault is planted)."""
    document = script.model_dump(mode="json")
    for edit in edits:
        try:
            _apply(document, edit)
        except (KeyError, TypeError) as exc:
            raise EditError(f"cannot apply {edit.model_dump(exclude_none=True)}: {exc!r}") from exc
    try:
        return with_content_hash(CallScript.model_validate(document))
    except ValidationError as exc:
        raise EditError(f"the edited script no longer loads: {exc}") from exc


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
    mutation: MutationName | None = Field(default=None, description="broken only: a named fault to plant.")
    edits: list[ScriptEdit] = Field(
        default_factory=list, description="broken only, instead of mutation: the fault written as edits."
    )
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
        planted = (self.mutation is not None) + bool(self.edits)
        if self.kind == "broken" and (planted != 1 or not self.expected_rules):
            raise ValueError("a broken case needs a mutation (or edits, not both) and expected_rules")
        if self.kind == "generated" and (planted or self.expected_rules):
            raise ValueError("a generated case takes no mutation, edits or expected_rules")
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
    if (
        case.mutation is None and not case.edits
    ):  # the case model rejects this; a hand-built case fails clearly
        raise ValueError(f"broken case {case.id!r} has no mutation or edits")
    fault = case.mutation or "edits"
    try:
        mutated = mutate(script, case.mutation) if case.mutation else apply_edits(script, case.edits)
    except (MutationError, EditError) as exc:
        return _result(case, False, {"block_rules": []}, f"could not plant {fault}: {exc}")
    reported = _block_rules(mutated, plan, mode)
    missed = sorted(set(case.expected_rules) - reported)
    detail = f"{fault}: missed {', '.join(missed)}" if missed else f"{fault}: caught"
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
            "broken_reject_rate": ratio(sum(bool(r.actual["block_rules"]) for r in broken), len(broken)),
        }
        return metrics, _confusion(broken) if broken else None


SUITE = CallScriptSuite()
