"""Compliance node logic: every draft that changed since its last check is checked by the rule engine.

Call scripts get the structural validator (opening, AI disclosure, refusal handling, calling window) plus the
text rules over their flattened prompts. The product sheet goes in as metadata (figures are checked against
it), and the LLM judge joins through ``check_text`` when a model is configured.
"""

from __future__ import annotations

from agents.drafts import DraftState, checkable_text
from agents.finding_sources import with_sources
from agents.plan import CampaignPlan
from core.domain import Finding, Product, verdict_of
from core.settings import get_settings
from tools.call_script.model import CallScript
from tools.call_script.render import flatten_text
from tools.call_script.validate import validate_script
from tools.channel_rules.validators import validate_channel
from tools.claims import build_ledger, unlinked_findings
from tools.compliance.meta import CallPolicy, CheckMeta
from tools.compliance.service import CheckOutcome, check_text
from tools.products import default_catalog

NEEDS_CHECK = frozenset({"generated", "revised", "edited"})


def check_draft(draft: DraftState, plan: CampaignPlan, *, run_id: str = "compliance") -> DraftState:
    """Check one draft and return it with findings, verdict and its next phase (judge notes added)."""
    product = default_catalog().get(plan.product_ids[0])
    draft, gate_findings = channel_rules_and_ledger(draft, plan, product)
    engine_findings, notes = _findings(draft, product, run_id)
    findings = with_sources(_merge_gate(gate_findings, engine_findings))
    verdict = verdict_of(findings)
    update = {
        "findings": findings,
        "verdict": verdict,
        "phase": "checked",
        "notes": _add_notes(draft.notes, notes),
    }
    return draft.model_copy(update=update)


def _add_notes(existing: list[str], new: list[str]) -> list[str]:
    return [*existing, *(note for note in new if note not in existing)]


def channel_rules_and_ledger(
    draft: DraftState, plan: CampaignPlan, product: Product
) -> tuple[DraftState, list[Finding]]:
    """The gate before the rule engine: channel validators, then the claims ledger (stored on the draft).

    Returns the draft with ``content.meta.ledger`` set and the findings: channel violations and one FM-06 per
    claim no source states. Call scripts have their own structural validator and carry no ledger.
    """
    if draft.channel == "call_script":
        return draft, []
    text = checkable_text(draft.channel, draft.content)
    violations = validate_channel(draft.channel, draft.content, text, product.type,
                                  sms_signature=get_settings().sms_signature)  # fmt: skip
    ledger = build_ledger(text, product, plan)
    meta = {**(draft.content.get("meta") or {}), "ledger": [entry.model_dump() for entry in ledger]}
    stored = draft.model_copy(update={"content": {**draft.content, "meta": meta}})
    return stored, [*violations, *unlinked_findings(ledger, product)]


def _merge_gate(gate: list[Finding], engine: list[Finding]) -> list[Finding]:
    """Gate findings first, minus those the rule engine reports too (same category at the same place)."""

    def overlaps(a: Finding, b: Finding) -> bool:
        if a.span is None or b.span is None:
            return a.span is None and b.span is None
        return a.span.start < b.span.end and b.span.start < a.span.end

    kept = [g for g in gate if not any(g.category == e.category and overlaps(g, e) for e in engine)]
    return [*kept, *engine]


def _findings(draft: DraftState, product: Product, run_id: str) -> tuple[list[Finding], list[str]]:
    """Rule-engine (and, with a model, judge) findings of the draft, with the product sheet as metadata."""
    settings = get_settings()
    meta = CheckMeta(product_id=product.id)
    if draft.channel == "call_script":
        script = CallScript.model_validate(draft.content["script"])
        structural = validate_script(
            script, bank_short_name=settings.bank_short_name, calling_window=settings.calling_window
        )
        policy = CallPolicy(max_attempts_per_day=script.call_policy.max_attempts_per_day,
                            max_duration_s=script.call_policy.max_call_duration_s)  # fmt: skip
        outcome = check_text(flatten_text(script), "call_script", product.type, run_id=run_id,
                             meta=meta.model_copy(update={"call_policy": policy}))  # fmt: skip
        return _dedupe([*structural, *outcome.result.findings]), _judge_notes(outcome)
    text = checkable_text(draft.channel, draft.content)
    outcome = check_text(text, draft.channel, product.type, meta=meta, run_id=run_id)
    return outcome.result.findings, _judge_notes(outcome)


def _judge_notes(outcome: CheckOutcome) -> list[str]:
    """What the reviewer should know about the LLM layer; skipped offline or out of scope is normal, no note."""
    if outcome.judge_status == "failed":
        return ["智能合规审查（大模型）未能完成，仅依据规则引擎结果", *outcome.notes]
    if outcome.judge_status == "applied":
        return list(outcome.notes)
    return []


def _dedupe(findings: list[Finding]) -> list[Finding]:
    # The structural validator and the text rules can both report CALL-02/CALL-04 for the same node.
    seen: set[tuple[str, str, str]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.rule_id, finding.span.quote if finding.span else "", finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
