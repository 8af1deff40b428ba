"""Call-script agent: a first-contact dialogue graph for the campaign's outbound calls.

The graph's skeleton (opening with bank, AI and recording disclosure, refusal → do-not-call, transfer,
closing) is always built deterministically and locked; a model may only rewrite the pitch and answer texts,
which keeps every disclosure verbatim whatever the model does.
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.drafts import DraftState
from agents.plan import CampaignPlan
from core.llm import LLMUnavailable, invoke_structured
from core.settings import get_settings
from prompts.loader import render
from tools.call_script.build import build_first_contact_script, with_value_texts
from tools.call_script.model import CallScript, Institution
from tools.products import default_catalog

PURPOSES = {
    "activation": "告知您名下的产品额度与使用方式",
    "acquisition": "向您介绍一款产品",
    "cross_sell": "向您介绍一款可能适合您的产品",
    "retention": "提醒您资金到期后的配置选择",
    "reactivation": "向您介绍近期的产品与服务",
    "education": "向您介绍金融知识与风险提示",
}


class ScriptTexts(BaseModel):
    """New wording for the script's editable (non-verbatim, unlocked) nodes, keyed by node id."""

    texts: dict[str, str] = Field(
        description="node id → new prompt text, only for the editable nodes listed."
    )


def write_call_script(plan: CampaignPlan, *, campaign_id: str, run_id: str) -> DraftState:
    settings = get_settings()
    product = default_catalog().get(plan.product_ids[0])
    script = build_first_contact_script(
        script_id=f"{campaign_id}-first-contact",
        campaign_id=campaign_id,
        institution=Institution(
            legal_name=settings.bank_name, short_name=settings.bank_short_name, hotline=settings.bank_hotline
        ),  # fmt: skip
        product=product,
        purpose=PURPOSES[plan.objective],
        value_points=list(product.benefits[:3]),
        calling_window=settings.calling_window,
        dnc_days=settings.dnc_days,
    )
    if settings.offline:
        return _draft(script, "offline", [])
    try:
        return _draft(_rewrite_with_llm(script, plan, run_id=run_id), "llm", [])
    except LLMUnavailable as exc:
        return _draft(script, "offline_fallback", [f"外呼脚本：大模型不可用，已降级为离线模板（{exc}）"])


def editable_nodes(script: CallScript) -> dict[str, str]:
    return {
        node.id: node.prompt.text
        for node in script.nodes
        if node.prompt is not None and node.prompt.mode != "verbatim" and not node.locked
    }


def _rewrite_with_llm(script: CallScript, plan: CampaignPlan, *, run_id: str) -> CallScript:
    editable = editable_nodes(script)
    product = default_catalog().get(plan.product_ids[0])
    messages = [
        SystemMessage(render("call_script/system.j2", bank=get_settings().bank_short_name)),
        HumanMessage(render("call_script/request.j2", nodes=editable, product=product,
                            plan=plan.model_dump(mode="json"))),
    ]  # fmt: skip
    answer = invoke_structured("call_script", ScriptTexts, messages, run_id=run_id)
    unknown = sorted(set(answer.texts) - set(editable))
    if unknown:
        raise LLMUnavailable(f"model tried to rewrite non-editable nodes {unknown}")
    return with_value_texts(script, {k: v for k, v in answer.texts.items() if v.strip()})


def _draft(script: CallScript, mode: str, notes: list[str]) -> DraftState:
    return DraftState.model_validate(
        {"channel": "call_script", "content": {"script": script.model_dump(mode="json")}, "mode": mode,
         "notes": notes}
    )  # fmt: skip
