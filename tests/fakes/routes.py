"""The OpenAI-compatible endpoints of the fake: chat completions, embeddings, models.

Each request is logged first, then the next injected fault for its key (if any) is applied, then the next
scripted reply (if any) or a generated one is sent. A delayed request whose client gave up (timeout) stops
without consuming a scripted reply, so the SDK's retry gets the reply the test scripted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from tests.fakes.chat_request import EMBEDDINGS_KEY, InvalidRequestError, parse_chat_request
from tests.fakes.embeddings import embeddings_body
from tests.fakes.replies import ScriptMismatchError, plan_turn
from tests.fakes.schema_scalars import SchemaGenerationError
from tests.fakes.specs import DelayFault, FailFault, Fault, MalformedFault
from tests.fakes.state import WILDCARD_KEY, FakeState, RecordedRequest
from tests.fakes.wire import CREATED_AT, completion_body, error_body, sse_events, usage_block

# Status recorded when the client went away during an injected delay (nginx's "client closed request").
CLIENT_CLOSED = 499


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An OpenAI-style error response."""
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


def _describe(fault: Fault | None) -> str | None:
    if isinstance(fault, FailFault):
        return f"fail {fault.status}"
    if isinstance(fault, DelayFault):
        return f"delay {fault.seconds:g}"
    return None if fault is None else "malformed"


def _fail_response(fault: FailFault, key: str) -> JSONResponse:
    headers = {} if fault.retry_after_ms is None else {"retry-after-ms": str(fault.retry_after_ms)}
    message = fault.message or f"injected {fault.status} for {key!r} by the fake server"
    return error_response(fault.status, message, headers)


async def _until_disconnected(request: Request) -> None:
    # Once the body is read, the next ASGI message is http.disconnect, sent when the client hangs up.
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _delay_unless_client_leaves(request: Request, seconds: float) -> bool:
    """Sleep ``seconds``; return False early if the client disconnected meanwhile (it timed out)."""
    sleeper = asyncio.ensure_future(asyncio.sleep(seconds))
    watcher = asyncio.ensure_future(_until_disconnected(request))
    try:
        done, _ = await asyncio.wait({sleeper, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
        watcher.cancel()
    return sleeper in done


async def _read_json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except json.JSONDecodeError as exc:
        raise InvalidRequestError(f"request body is not valid JSON: {exc}") from exc


class OpenAIRoutes:
    """Route handlers bound to one :class:`FakeState`."""

    def __init__(self, state: FakeState, models: Sequence[str]) -> None:
        self._state = state
        self._models = list(models)

    def router(self) -> APIRouter:
        """An APIRouter with the ``/v1`` endpoints."""
        router = APIRouter()
        router.add_api_route("/v1/chat/completions", self.chat_completions, methods=["POST"])
        router.add_api_route("/v1/embeddings", self.embeddings, methods=["POST"])
        router.add_api_route("/v1/models", self.list_models, methods=["GET"])
        return router

    def _record(self, request: Request, key: str, body: Any) -> RecordedRequest:
        headers = {name.lower(): value for name, value in request.headers.items()}
        return self._state.record(RecordedRequest(request.url.path, key, body, headers))

    async def _apply_fault(
        self, request: Request, record: RecordedRequest, keys: list[str]
    ) -> Response | Fault | None:
        """Apply the next fault for ``keys``: a Response ends the request, a Fault/None lets it continue."""
        fault = self._state.take_fault(keys)
        record.fault = _describe(fault)
        if isinstance(fault, FailFault):
            return _fail_response(fault, record.key)
        if isinstance(fault, DelayFault) and not await _delay_unless_client_leaves(request, fault.seconds):
            return Response(status_code=CLIENT_CLOSED)
        return fault

    async def chat_completions(self, request: Request) -> Response:
        """``POST /v1/chat/completions`` (JSON or SSE)."""
        try:
            body = await _read_json(request)
            chat = parse_chat_request(body)
        except InvalidRequestError as exc:
            return error_response(400, str(exc))
        record = self._record(request, chat.key, body)
        keys = chat.candidate_keys()
        outcome = await self._apply_fault(request, record, keys)
        if isinstance(outcome, Response):
            return outcome
        scripted = self._state.take_reply(keys)
        record.reply_key = None if scripted is None else scripted[0]
        try:
            turn = plan_turn(chat, scripted, malformed=isinstance(outcome, MalformedFault))
        except (ScriptMismatchError, SchemaGenerationError) as exc:
            return error_response(400, f"fake server cannot answer {chat.key!r}: {exc}")
        usage = usage_block(chat.messages, turn)
        completion_id = f"chatcmpl-fake{len(self._state.snapshot())}"
        if chat.stream:
            events = sse_events(
                turn,
                model=chat.model,
                completion_id=completion_id,
                usage=usage if chat.include_usage else None,
            )
            return StreamingResponse(events, media_type="text/event-stream")
        return JSONResponse(completion_body(turn, model=chat.model, completion_id=completion_id, usage=usage))

    async def embeddings(self, request: Request) -> Response:
        """``POST /v1/embeddings`` (float or base64 vectors)."""
        try:
            body = await _read_json(request)
            record = self._record(request, EMBEDDINGS_KEY, body)
            outcome = await self._apply_fault(request, record, [EMBEDDINGS_KEY, WILDCARD_KEY])
            if isinstance(outcome, Response):
                return outcome
            if isinstance(outcome, MalformedFault):
                return Response('{"object": "list", "data": [', media_type="application/json")
            return JSONResponse(embeddings_body(body))
        except InvalidRequestError as exc:
            return error_response(400, str(exc))

    async def list_models(self) -> dict[str, Any]:
        """``GET /v1/models``."""
        data = [
            {"id": name, "object": "model", "created": CREATED_AT, "owned_by": "fake"}
            for name in self._models
        ]
        return {"object": "list", "data": data}
