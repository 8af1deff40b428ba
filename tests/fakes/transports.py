"""In-process HTTP clients for an ASGI app: no port, yet client timeouts behave as over a real socket.

``httpx.ASGITransport`` and Starlette's ``TestClient`` ignore timeouts, so an injected delay would simply make
a test slow. These transports enforce the request's read timeout (raising ``httpx.ReadTimeout``, which the
openai SDK turns into ``APITimeoutError``) and cancel the app's handler when the client gives up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

ResultT = TypeVar("ResultT")

DEFAULT_BASE_URL = "http://fake"


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return float(value) if value is not None else None


class _LoopThread:
    """A private event loop on a daemon thread that runs the app for synchronous callers."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-openai-loop", daemon=True)
        self._thread.start()

    def submit(self, coroutine: Coroutine[Any, Any, ResultT]) -> concurrent.futures.Future[ResultT]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class SyncASGITransport(httpx.BaseTransport):
    """Synchronous transport that runs an ASGI app on a background loop, honouring read timeouts."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._loop: _LoopThread | None = None
        self._lock = threading.Lock()

    def _runner(self) -> _LoopThread:
        with self._lock:  # started lazily so an unused client costs no thread
            if self._loop is None:
                self._loop = _LoopThread()
            return self._loop

    async def _round_trip(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._inner.handle_async_request(request)
        content = b"".join([part async for part in response.stream])  # type: ignore[union-attr]
        return response.status_code, response.headers.raw, content

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app; raise ``httpx.ReadTimeout`` when it takes longer than allowed."""
        body = request.read()
        inner_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=body, extensions=request.extensions
        )
        future = self._runner().submit(self._round_trip(inner_request))
        try:
            status, headers, content = future.result(timeout=_read_timeout(request))
        except concurrent.futures.TimeoutError as exc:
            future.cancel()  # cancels the handler inside the app, as a closed socket would
            raise httpx.ReadTimeout("fake server did not answer in time", request=request) from exc
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content), request=request)

    def close(self) -> None:
        """Stop the background loop."""
        with self._lock:
            if self._loop is not None:
                self._loop.close()
                self._loop = None


class AsyncASGITransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` that honours the request's read timeout."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app; raise ``httpx.ReadTimeout`` when it takes longer than allowed."""
        try:
            return await asyncio.wait_for(super().handle_async_request(request), _read_timeout(request))
        except TimeoutError as exc:
            raise httpx.ReadTimeout("fake server did not answer in time", request=request) from exc


def in_process_clients(app: Any, base_url: str = DEFAULT_BASE_URL) -> tuple[httpx.Client, httpx.AsyncClient]:
    """A sync and an async httpx client wired straight to ``app`` (close both when done)."""
    sync_client = httpx.Client(transport=SyncASGITransport(app), base_url=base_url)
    async_client = httpx.AsyncClient(transport=AsyncASGITransport(app=app), base_url=base_url)
    return sync_client, async_client
