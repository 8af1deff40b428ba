"""Revise node logic: blocked drafts are rewritten against their findings, then checked again.

Deterministic auto-fixes (signature, opt-out, mandatory disclosures, the annualised-rate sentence) always run;
with a model the writer first rewrites the copy with the findings as instructions.
"""

from __future__ import annotations

from agents.content import write_content
from agents.drafts import DraftState
from agents.plan import CampaignPlan
from agents.variants import variant_of
from core.domain import Product
from core.settings import get_settings
from tools.compliance.fixes import auto_fix
from tools.products import default_catalog

# The field that carries the body of each channel: fixes that append a sentence append it there.
BODY_FIELD = {"sms": "text", "push": "text", "wecom": "text", "wechat": "body"}


def revise_draft(draft: DraftState, plan: CampaignPlan, *, run_id: str) -> DraftState:
    """One revise round for one blocked draft."""
    product = default_catalog().get(plan.product_ids[0])
    notes = list(draft.notes)
    if draft.channel not in BODY_FIELD:
        # An H5 page or a call script has no single body to append a disclosure to: a person revises it.
        notes.append(f"第{draft.revisions + 1}轮修订：{draft.channel} 无自动修订方法，保留原稿交人工审核")
        return draft.model_copy(update={"revisions": draft.revisions + 1, "phase": "revised", "notes": notes})
    current = draft
    if not get_settings().offline:
        instructions = "；".join(f"{f.rule_id} {f.message}（建议：{f.fix}）" for f in draft.findings)
        # The current draft goes along so the model fixes what the findings name and keeps the rest (and its angle).
        current = write_content(
            plan, draft.channel, run_id=run_id, comment=f"请按以下合规意见修改：{instructions}",
            variant=variant_of(draft.content), current=draft.content,
        )  # fmt: skip
        notes.extend(current.notes)
    content = dict(current.content)
    field = BODY_FIELD[draft.channel]
    fixed = auto_fix(
        content[field], draft.channel, product.type, list(draft.findings),
        sms_signature=get_settings().sms_signature, apr_text=apr_sentence(product), issuer=product.issuer,
        bank_short_name=get_settings().bank_short_name,
    )  # fmt: skip
    content[field] = fixed.text
    if fixed.applied:
        notes.append(f"第{draft.revisions + 1}轮修订：自动补全 {', '.join(fixed.applied)}")
    return draft.model_copy(
        update={"content": content, "mode": current.mode, "revisions": draft.revisions + 1, "phase": "revised",
                "notes": notes}
    )  # fmt: skip


def apr_sentence(product: Product) -> str | None:
    """The annualised-rate sentence for credit products, from the product sheet only."""
    if product.apr_min is None:
        return None
    upper = f"–{product.apr_max:g}%" if product.apr_max is not None else "起"
    return f"年化利率（单利）{product.apr_min:g}%{upper}"
