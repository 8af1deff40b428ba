"""Audience estimates: count an expression, or draft one from a description, with every exclusion applied."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, model_validator

from agents.audience import draft_audience, estimate_audience
from api.deps import StaffDep
from core.domain import Channel, ProductType
from tools.tag_store.errors import ExpressionError, SelectionError, TagStoreError
from tools.tag_store.exclusions import RiskLevel

router = APIRouter(prefix="/v1/audiences", tags=["audiences"])


class EstimateRequest(BaseModel):
    """Exactly one of ``dsl`` (an audience expression) or ``description`` (Chinese text to draft from)."""

    dsl: dict[str, Any] | None = Field(default=None, description="Audience DSL JSON object.")
    description: str | None = Field(default=None, min_length=2, max_length=2000)
    product_type: ProductType | None = None
    channels: list[Channel] = Field(default_factory=list)
    product_risk_level: RiskLevel | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EstimateRequest:
        if (self.dsl is None) == (self.description is None):
            raise ValueError("give exactly one of 'dsl' or 'description'")
        return self


class EstimateResponse(BaseModel):
    """Size after exclusions, per-exclusion counts; drafts add the expression, explanation and mode."""

    size: int
    matched: int
    excluded: dict[str, int]
    engine: str | None = None
    elapsed_ms: float | None = None
    dsl: dict[str, Any] | None = None
    explanation: str | None = None
    mode: str | None = None
    notes: list[str] = Field(default_factory=list)


@router.post("/estimate")
def estimate(body: EstimateRequest, user: StaffDep) -> EstimateResponse:
    channels: list[str] = list(body.channels)
    try:
        if body.dsl is not None:
            counted = estimate_audience(body.dsl, product_type=body.product_type, channels=channels,
                                        product_risk_level=body.product_risk_level)  # fmt: skip
            return EstimateResponse(**counted.model_dump())
        assert body.description is not None  # the validator guarantees one source
        selection = draft_audience(body.description, product_type=body.product_type, channels=channels,
                                   product_risk_level=body.product_risk_level,
                                   run_id=f"audience-{user.username}-{uuid.uuid4().hex[:12]}")  # fmt: skip
    except ExpressionError as exc:
        issues = [issue.model_dump() for issue in exc.issues]
        raise HTTPException(
            422, detail={"reason": "invalid_expression", "detail": str(exc), "issues": issues}
        ) from exc
    except SelectionError as exc:
        raise HTTPException(422, detail={"reason": "invalid_selection", "detail": str(exc)}) from exc
    except TagStoreError as exc:
        raise HTTPException(503, detail={"reason": "tag_store_unavailable", "detail": str(exc)}) from exc
    return EstimateResponse(
        size=selection.size, matched=selection.matched, dsl=selection.expression,
        excluded={step["code"]: step["count"] for step in selection.exclusions},
        explanation=selection.explanation, mode=selection.mode, notes=selection.notes,
    )  # fmt: skip
