"""The two servers the voice-bot load test compares, as uvicorn app factories.

- ``pinned``: the real application with the clock pinned (``MBRAIN_BENCH_CLOCK``, ISO time) so the run is inside
  calling hours whatever hour it starts; every worker process calls the factory, so each one pins its clock.
- ``bare``: FastAPI with one async route of the same path shape returning a constant JSON body of
  ``MBRAIN_BENCH_BODY_BYTES`` bytes: the framework's ceiling on this machine.
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from fastapi import FastAPI
from fastapi.responses import Response

CLOCK_ENV = "MBRAIN_BENCH_CLOCK"
BODY_BYTES_ENV = "MBRAIN_BENCH_BODY_BYTES"
_FILLER_OVERHEAD = len(json.dumps({"filler": ""}))


def pinned() -> FastAPI:
    """The real app, clock pinned to ``$MBRAIN_BENCH_CLOCK``."""
    from api.main import create_app
    from core.clock import set_clock

    raw = os.environ.get(CLOCK_ENV)
    if not raw:
        raise RuntimeError(f"set {CLOCK_ENV} to an ISO time with an offset")
    pinned_at = datetime.fromisoformat(raw)
    if pinned_at.tzinfo is None:
        raise RuntimeError(f"{CLOCK_ENV}={raw!r} needs a UTC offset")
    set_clock(lambda: pinned_at)
    return create_app(run_migrations=False)


def constant_body(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    if size < _FILLER_OVERHEAD:
        raise ValueError(f"a body must be at least {_FILLER_OVERHEAD} bytes, not {size}")
    return json.dumps({"filler": "x" * (size - _FILLER_OVERHEAD)}).encode("utf-8")


def bare() -> FastAPI:
    """One async route, same path shape as the pull, constant body: what FastAPI alone can serve."""
    body = constant_body(int(os.environ.get(BODY_BYTES_ENV, "0")))
    app = FastAPI()

    @app.get("/v1/call-scripts/{campaign_id}/leads/{lead_id}")
    async def constant(campaign_id: str, lead_id: int) -> Response:
        return Response(content=body, media_type="application/json")

    return app
