"""Voice-bot endpoints: pull the published script for a lead, report the call outcome.

The pull is the hot path (a bot pulls just before every dial), so it is an async route that reads the embedded
SQLite file inline on its thread's own connection, checks the key in the same statement as the live facts, and
sends the gate's pre-rendered JSON as is. The outcome post is an ordinary sync route: it writes.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.deps import SessionDep, VoicebotDep, api_key_from_headers
from core.clock import now
from core.db import get_engine
from core.security import hash_api_key
from core.settings import get_settings
from tools.campaign_api.call_gate import REFUSAL_REASONS, CallGate, PulledScript, Reads
from tools.campaign_api.campaigns import get_campaign_row
from tools.campaign_api.contacts import OutcomeReceipt, record_call_outcome
from tools.campaign_api.errors import NotFound
from tools.campaign_api.prepared_read import SqliteThreadReads
from tools.tag_store.store import TagStore


@asynccontextmanager
async def _freeze_startup_heap(_app: object) -> AsyncIterator[None]:
    """Exclude what start-up built (~300k objects: models, graphs, catalogs) from garbage collection.

    They live as long as the process, yet every full collection walks them: ~170 ms with the event loop stopped,
    which under load became the pull's p99. ``gc.freeze`` moves them to the permanent generation once; objects
    made later (requests, caches) are collected as usual. FastAPI merges a router's lifespan into the app's.
    """
    gc.freeze()
    yield


router = APIRouter(prefix="/v1", tags=["voicebot"], lifespan=_freeze_startup_heap)
_REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"description": "refused: " + ", ".join(r for r, s in REFUSAL_REASONS.items() if s == status)}
    for status in sorted(set(REFUSAL_REASONS.values()))
}
_REFUSALS[404] = {"description": "unknown_campaign or unknown_lead"}
_REFUSALS[401] = {"description": "missing_api_key or invalid_api_key"}


class CallOutcomeBody(BaseModel):
    call_id: str = Field(min_length=1, max_length=64)
    campaign_id: str = Field(min_length=1, max_length=40)
    lead_id: int = Field(ge=1)
    outcome: Literal["connected", "refused", "no_answer", "callback", "transfer"]


@dataclass(frozen=True)
class Runtime:
    """One deployment's engine and call gate, and on a SQLite file each thread's own read connection."""

    engine: Engine
    gate: CallGate
    thread_reads: SqliteThreadReads | None


@lru_cache(maxsize=8)
def _runtime(data_dir: Path, database_url: str | None) -> Runtime:
    """Looked up once (resolving the URL walks the filesystem), keyed by the settings it derives from, so
    settings pointed at another data dir (tests) get their own."""
    engine = get_engine()
    return Runtime(engine, CallGate(get_settings().tag_store_path), SqliteThreadReads.for_engine(engine))


def runtime() -> Runtime:
    settings = get_settings()
    return _runtime(settings.data_dir, settings.database_url)


@router.get(
    "/call-scripts/{campaign_id}/leads/{lead_id}", response_model=PulledScript, responses=_REFUSALS,
    openapi_extra={"parameters": [{"name": "Authorization", "in": "header", "required": True,
                                   "schema": {"type": "string"}, "description": "Bearer <voice bot API key>"}]},
)  # fmt: skip
async def pull(campaign_id: str, lead_id: int, request: Request) -> Response:
    """The published first-contact script rendered for this lead, or 403/409 with the reason it may not be called.

    The key is read from the headers here rather than through a dependency: solving dependencies costs about
    as much as the whole gate, and the gate checks the key in the same statement that reads the live facts.
    On a SQLite file that statement runs inline on this thread's own connection: an indexed read takes tens of
    microseconds and, in WAL mode, never waits for a writer, so a thread-pool hop would cost more than the read.
    Any other database is across a network, so there the pull goes to the thread pool with a pooled connection.
    """
    key = api_key_from_headers(request.headers.get("authorization"), request.headers.get("x-api-key"))
    current = runtime()
    if current.thread_reads is not None:
        body = _pull_json(current, current.thread_reads.connection(), key, campaign_id, lead_id)
    else:
        body = await run_in_threadpool(_pull_pooled, current, key, campaign_id, lead_id)
    return Response(content=body.encode("utf-8"), media_type="application/json")


def _pull_pooled(current: Runtime, key: str, campaign_id: str, lead_id: int) -> str:
    with current.engine.connect() as connection:
        return _pull_json(current, connection, key, campaign_id, lead_id)


def _pull_json(current: Runtime, reads: Reads, key: str, campaign_id: str, lead_id: int) -> str:
    return current.gate.pull_json(
        reads, campaign_id=campaign_id, lead_id=lead_id, at=now(), key_hash=hash_api_key(key)
    )


@router.post("/call-outcomes")
def post_outcome(body: CallOutcomeBody, session: SessionDep, bot: VoicebotDep) -> OutcomeReceipt:
    """Record a call outcome (idempotent by call_id); ``refused`` puts the lead on the do-not-call list."""
    get_campaign_row(session, body.campaign_id)
    if TagStore(get_settings().tag_store_path).lead(body.lead_id) is None:
        raise NotFound("unknown_lead", f"no lead {body.lead_id}")
    return record_call_outcome(
        session, call_id=body.call_id, campaign_id=body.campaign_id, lead_id=body.lead_id, outcome=body.outcome,
        at=now(), dnc_days=get_settings().dnc_days, actor=bot.username,
    )  # fmt: skip
