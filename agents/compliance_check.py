"""Compliance node logic: every draft that changed since its last check is checked by the rule engine.

Call scripts get the structural validator (opening, AI disclosure, refusal handling, calling window) plus the
text rules over their flattened prompts. The LLM judge joins here when a model is configured (issue 5).
"""

from __future__ import annotations

from agents.drafts import DraftState, checkable_text
from agents.finding_sources import with_sources
from agents.plan import CampaignPlan
from core.domain import Finding, ProductType, verdict_of
from core.settings import get_settings
from tools.call_script.model import CallScript
from tools.call_script.render import flatten_text
from tools.call_script.validate import validate_script
from tools.compliance.engine import check
from tools.products import default_catalog

NEEDS_CHECK = frozenset({"generated", "revised", "edited"})


def check_draft(draft: DraftState, plan: CampaignPlan) -> DraftState:
    """Check one draft and return it with findings, verdict and its next phase."""
    product_type = default_catalog().get(plan.product_ids[0]).type
    findings = with_sources(_findings(draft, product_type))
    verdict = verdict_of(findings)
    return draft.model_copy(update={"findings": findings, "verdict": verdict, "phase": "checked"})


def _findings(draft: DraftState, product_type: ProductType) -> list[Finding]:
    settings = get_settings()
    if draft.channel == "call_script":
        script = CallScript.model_validate(draft.content["script"])
        structural = validate_script(
            script, bank_short_name=settings.bank_short_name, calling_window=settings.calling_window
        )
        textual = check(flatten_text(script), "call_script", product_type,
                        bank_short_name=settings.bank_short_name).findings  # fmt: skip
        return _dedupe([*structural, *textual])
    text = checkable_text(draft.channel, draft.content)
    return check(text, draft.channel, product_type).findings


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
