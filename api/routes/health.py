"""Liveness and mode."""

from __future__ import annotations

from fastapi import APIRouter

from core.settings import get_settings

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    settings = get_settings()
    return {
        "status": "ok",
        "mode": "offline" if settings.offline else "llm",
        "bank": settings.bank_short_name,
    }
