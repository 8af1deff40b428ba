"""Deterministic offline builder of a first-contact call script (the graph is described in build_nodes).

``with_value_texts`` (edit.py) is re-exported here: it is the builder's companion for the LLM path.
"""

from __future__ import annotations

from datetime import time

from core.domain import Product
from tools.call_script.build_nodes import ending_nodes, opening_nodes, pitch_nodes, service_nodes
from tools.call_script.check_text import BASELINE_FORBIDDEN_PHRASES
from tools.call_script.edit import editable_node_ids, with_value_texts
from tools.call_script.errors import ScriptBuildError
from tools.call_script.facts import chosen_value_points, value_text
from tools.call_script.hashing import with_content_hash
from tools.call_script.model import CallPolicy, CallScript, CampaignRef, Compliance, Institution, TimeWindow
from tools.call_script.terms import PROMPT_MAX_CHARS
from tools.call_script.vocab import (
    FIRST_CONTACT_HANDLERS,
    FIRST_CONTACT_INTENTS,
    FIRST_CONTACT_VARIABLES,
    REFUSAL_NODE,
)

__all__ = ["Institution", "build_first_contact_script", "editable_node_ids", "with_value_texts"]

MIN_DNC_DAYS = 180  # ≥ 6 months on the do-not-call list (compliance-rules CALL-03)
MAX_PURPOSE_CHARS = 60
MAX_CALL_DURATION_S = 180  # channel-formats §4 (5): max call 3 min
ATTEMPTS_PER_DAY, ATTEMPTS_TOTAL = 1, 3  # compliance-rules CALL-05 example: ≤ 1 a day, ≤ 3 in all


def _checked_purpose(purpose: str) -> str:
    cleaned = purpose.strip().rstrip("。.！!")
    if not cleaned or len(cleaned) > MAX_PURPOSE_CHARS:
        raise ScriptBuildError(f"purpose must be 1–{MAX_PURPOSE_CHARS} characters, got {len(cleaned)}")
    if "${" in cleaned:
        raise ScriptBuildError("purpose must be plain text, without ${variables}")
    return cleaned


def _fitting_points(product: Product, bank_short_name: str, points: list[str]) -> list[str]:
    """The longest prefix of ``points`` whose value turn fits one prompt (later points are dropped, in order)."""
    for count in range(len(points), -1, -1):
        if len(value_text(product, bank_short_name, points[:count])) <= PROMPT_MAX_CHARS:
            return points[:count]
    raise ScriptBuildError(f"product {product.id}: its facts alone exceed {PROMPT_MAX_CHARS} characters")


def _call_policy(calling_window: tuple[time, time]) -> CallPolicy:
    if calling_window[0] >= calling_window[1]:
        raise ScriptBuildError(
            f"calling window {calling_window[0]}-{calling_window[1]} must start before it ends"
        )
    return CallPolicy(
        allowed_windows=[TimeWindow(start=calling_window[0], end=calling_window[1])],
        max_call_duration_s=MAX_CALL_DURATION_S,
        max_attempts_per_day=ATTEMPTS_PER_DAY,
        max_attempts_total=ATTEMPTS_TOTAL,
    )


def build_first_contact_script(
    *,
    script_id: str,
    campaign_id: str,
    institution: Institution,
    product: Product,
    purpose: str,
    value_points: list[str],
    calling_window: tuple[time, time],
    dnc_days: int,
) -> CallScript:
    """A complete, valid version-1 draft for a first call about ``product`` (content hash set, AI-labelled).

    ``value_points`` must be benefits from the product sheet (empty: its first two); raises
    ``ScriptBuildError`` naming the problem for anything the script could not state truthfully or legally.
    """
    if dnc_days < MIN_DNC_DAYS:
        raise ScriptBuildError(f"dnc_days must be at least {MIN_DNC_DAYS} (six months), got {dnc_days}")
    policy = _call_policy(calling_window)
    points = _fitting_points(product, institution.short_name, chosen_value_points(product, value_points))
    script = CallScript(
        script_id=script_id,
        version=1,
        institution=institution,
        campaign=CampaignRef(campaign_id=campaign_id, product_type=product.type, product_name=product.name),
        call_policy=policy,
        variables=list(FIRST_CONTACT_VARIABLES),
        intents=list(FIRST_CONTACT_INTENTS),
        global_handlers=list(FIRST_CONTACT_HANDLERS),
        nodes=[
            *opening_nodes(institution, _checked_purpose(purpose)),
            *pitch_nodes(institution, product, points),
            *service_nodes(institution, product),
            *ending_nodes(institution, dnc_days),
        ],
        start_node="opening",
        compliance=Compliance(
            refusal_node=REFUSAL_NODE,
            dnc_cooldown_days=dnc_days,
            forbidden_phrases=list(BASELINE_FORBIDDEN_PHRASES),
        ),
    )
    return with_content_hash(script)
