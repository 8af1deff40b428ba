"""Ad-hoc compliance check of a text on a channel: every layer (deterministic, then the LLM judge if configured)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import StaffDep
from core.domain import Channel, CheckResult, ProductType
from tools.compliance.judge import JudgeStatus
from tools.compliance.meta import CheckMeta
from tools.compliance.service import check_text

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


class CheckRequest(BaseModel):
    channel: Channel
    text: str = Field(min_length=1, max_length=20000)
    product_type: ProductType | None = None
    meta: CheckMeta | None = Field(
        default=None,
        description="Send/call time, audience expression, product id, placement… (all optional).",
    )


class CheckResponse(CheckResult):
    """The merged result plus how the LLM judge took part (same shape as ``mbrain check --json``)."""

    judge_status: JudgeStatus
    judge_notes: list[str] = Field(default_factory=list)


@router.post("/check")
def check(body: CheckRequest, _user: StaffDep) -> CheckResponse:
    """Verdict, product type and findings (each with span, citation and fix), and the judge's status."""
    outcome = check_text(body.text, body.channel, body.product_type, meta=body.meta)
    return CheckResponse(
        **outcome.result.model_dump(), judge_status=outcome.judge_status, judge_notes=outcome.notes
    )
