"""Token and cost totals per run, from the LLM usage ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import LlmUsage


def usage_summary(session: Session, run_id: str) -> dict[str, Any]:
    """Totals and a per-role breakdown; an offline run has zero calls."""
    rows = list(session.scalars(select(LlmUsage).where(LlmUsage.run_id == run_id)))
    by_role: dict[str, dict[str, Any]] = {}
    for row in rows:
        role = by_role.setdefault(
            row.role, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "failed": 0}
        )
        role["calls"] += 1
        role["prompt_tokens"] += row.prompt_tokens
        role["completion_tokens"] += row.completion_tokens
        role["failed"] += 0 if row.outcome == "ok" else 1
    return {
        "calls": len(rows),
        "prompt_tokens": sum(r.prompt_tokens for r in rows),
        "completion_tokens": sum(r.completion_tokens for r in rows),
        "cost_usd": round(sum(r.cost_usd for r in rows), 6),
        "by_role": by_role,
    }
