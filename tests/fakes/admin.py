"""HTTP admin endpoints mirroring the Python API, for a fake running in another process.

``POST /_fake/script|fail|delay|malformed`` queue one entry (body: the spec plus ``key``), ``POST /_fake/load``
queues a whole script file, ``POST /_fake/reset`` clears everything, ``GET /_fake/requests`` returns the log.
Invalid bodies get FastAPI's 422 with the offending field named.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tests.fakes.specs import KeyedDelay, KeyedFail, KeyedMalformed, KeyedReply, ScriptFile
from tests.fakes.state import FakeState


def admin_router(state: FakeState) -> APIRouter:
    """The ``/_fake`` router for ``state``."""
    router = APIRouter(prefix="/_fake", tags=["fake-admin"])

    @router.post("/script")
    async def script(reply: KeyedReply) -> dict[str, dict[str, int]]:
        state.add_reply(reply.key, reply)
        return state.pending()

    @router.post("/fail")
    async def fail(fault: KeyedFail) -> dict[str, dict[str, int]]:
        state.add_fault(fault.key, fault)
        return state.pending()

    @router.post("/delay")
    async def delay(fault: KeyedDelay) -> dict[str, dict[str, int]]:
        state.add_fault(fault.key, fault)
        return state.pending()

    @router.post("/malformed")
    async def malformed(fault: KeyedMalformed) -> dict[str, dict[str, int]]:
        state.add_fault(fault.key, fault)
        return state.pending()

    @router.post("/load")
    async def load(script_file: ScriptFile) -> dict[str, dict[str, int]]:
        state.load(script_file)
        return state.pending()

    @router.post("/reset")
    async def reset() -> dict[str, dict[str, int]]:
        state.reset()
        return state.pending()

    @router.get("/requests")
    async def requests() -> list[dict[str, Any]]:
        return [record.as_json() for record in state.snapshot()]

    return router
