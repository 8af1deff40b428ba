"""Ad-hoc compliance check of a text on a channel."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import StaffDep
from core.domain import Channel, CheckResult, ProductType
from tools.compliance.engine import check

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


class CheckRequest(BaseModel):
    channel: Channel
    text: str = Field(min_length=1, max_length=20000)
    product_type: ProductType | None = None


@router.post("/check")
def check_text(body: CheckRequest, _user: StaffDep) -> CheckResult:
    result: CheckResult = check(body.text, body.channel, body.product_type)
    return result
