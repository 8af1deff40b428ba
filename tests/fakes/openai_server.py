"""The shared fake OpenAI-compatible server every LLM-path test uses (DESIGN §5).

In-process (no port)::

    fake = FakeOpenAI()
    fake.script("CampaignPlan", json={...})
    llm = fake.chat_model()                      # ChatOpenAI wired to the app, max_retries=0
    # or: http_client, http_async_client = fake.clients()

On a loopback port (for code that only takes a URL)::

    with fake.serve() as base_url:               # "http://127.0.0.1:PORT/v1"
        ...

In another process: ``python -m tests.fakes.openai_server --port 8011 --script replies.json`` and the HTTP
admin endpoints under ``/_fake`` (see :mod:`tests.fakes.admin`).

Requests are addressed by *key*: the ``json_schema`` name, the forced tool's name, or ``chat``
(``embeddings`` for embeddings); ``*`` matches any key. Replies and faults are consumed FIFO per key.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from fastapi import FastAPI

from tests.fakes.admin import admin_router
from tests.fakes.loopback import bind_loopback_socket, serve_loopback
from tests.fakes.routes import OpenAIRoutes
from tests.fakes.specs import DelayFault, FailFault, MalformedFault, ReplySpec, ScriptFile, ToolCallSpec
from tests.fakes.state import FakeState, RecordedRequest
from tests.fakes.transports import DEFAULT_BASE_URL, in_process_clients

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

DEFAULT_MODELS = ("fake-chat", "fake-embedding")
FAKE_API_KEY = "sk-fake-key-for-tests"


class FakeOpenAI:
    """A scripted, fault-injecting OpenAI-compatible server (a FastAPI app plus its Python controls)."""

    def __init__(self, models: Sequence[str] = DEFAULT_MODELS) -> None:
        self._state = FakeState()
        self.app: FastAPI = FastAPI(title="fake-openai", docs_url=None, redoc_url=None)
        self.app.include_router(OpenAIRoutes(self._state, models).router())
        self.app.include_router(admin_router(self._state))
        self._clients: list[tuple[httpx.Client, httpx.AsyncClient]] = []

    # -- scripting -------------------------------------------------------------------------------------------
    def script(
        self,
        key: str,
        *,
        text: str | None = None,
        json: Any = None,
        tool_args: dict[str, Any] | None = None,
        tool_calls: Sequence[tuple[str, dict[str, Any]]] | None = None,
        times: int | None = 1,
    ) -> None:
        """Queue a reply for requests with ``key``; give exactly one of text/json/tool_args/tool_calls.

        ``tool_calls`` is a list of ``(tool_name, args)``; ``times=None`` repeats the reply until :meth:`reset`.
        """
        calls = (
            None if tool_calls is None else [ToolCallSpec(name=name, args=args) for name, args in tool_calls]
        )
        reply = ReplySpec(text=text, json_value=json, tool_args=tool_args, tool_calls=calls, times=times)
        self._state.add_reply(key, reply)

    def fail(
        self,
        key: str,
        *,
        status: int,
        times: int | None = 1,
        retry_after_ms: int | None = 1,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests for ``key`` with HTTP ``status`` (``times=None``: until reset).

        ``retry_after_ms`` (default 1 ms, so SDK retries are immediate) is sent as the ``retry-after-ms`` header;
        None sends no header and the SDK falls back to its exponential backoff.
        """
        fault = FailFault(status=status, times=times, retry_after_ms=retry_after_ms, message=message)
        self._state.add_fault(key, fault)

    def delay(self, key: str, seconds: float, *, times: int | None = 1) -> None:
        """Hold the next ``times`` requests for ``key`` for ``seconds`` before answering normally."""
        self._state.add_fault(key, DelayFault(seconds=seconds, times=times))

    def malformed(self, key: str, *, times: int | None = 1) -> None:
        """Answer the next ``times`` requests for ``key`` with content/arguments that are not valid JSON."""
        self._state.add_fault(key, MalformedFault(times=times))

    def load_script(self, path: Path) -> None:
        """Queue the replies and faults of a JSON script file (:class:`tests.fakes.specs.ScriptFile`)."""
        self._state.load(ScriptFile.model_validate_json(path.read_text(encoding="utf-8")))

    def reset(self) -> None:
        """Clear scripts, faults and the request log."""
        self._state.reset()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        return self._state.snapshot()

    def requests_for(self, key: str) -> list[RecordedRequest]:
        """The logged requests whose key is ``key``."""
        return [record for record in self._state.snapshot() if record.key == key]

    # -- wiring ----------------------------------------------------------------------------------------------
    def clients(self, base_url: str = DEFAULT_BASE_URL) -> tuple[httpx.Client, httpx.AsyncClient]:
        """``(http_client, http_async_client)`` talking to the app in-process; closed by :meth:`close`."""
        pair = in_process_clients(self.app, base_url)
        self._clients.append(pair)
        return pair

    def chat_model(self, **overrides: Any) -> ChatOpenAI:
        """A ``langchain_openai.ChatOpenAI`` wired in-process (Chat Completions API, no retries by default)."""
        from langchain_openai import ChatOpenAI  # heavy import, only for tests that ask for a model

        http_client, http_async_client = self.clients()
        settings: dict[str, Any] = {
            "model": DEFAULT_MODELS[0],
            "base_url": f"{DEFAULT_BASE_URL}/v1",
            "api_key": FAKE_API_KEY,
            "use_responses_api": False,
            "max_retries": 0,
            "http_client": http_client,
            "http_async_client": http_async_client,
        }
        return ChatOpenAI(**{**settings, **overrides})

    @contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Serve on 127.0.0.1 while the block runs; yield the base URL ``http://127.0.0.1:PORT/v1``."""
        with serve_loopback(self.app, port) as root_url:
            yield f"{root_url}/v1"

    def close(self) -> None:
        """Close the in-process clients handed out so far."""
        # Only the sync client owns a resource (its event-loop thread); an AsyncClient over an ASGI transport
        # holds no socket, and awaiting its aclose() here would need an event loop the caller may be running.
        for sync_client, _ in self._clients:
            sync_client.close()
        self._clients.clear()

    def __enter__(self) -> FakeOpenAI:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class LoopbackFake:
    """A fake served on a loopback port: its base URL (``http://127.0.0.1:PORT/v1``) and its controls."""

    base_url: str
    fake: FakeOpenAI


@contextmanager
def loopback_fake() -> Iterator[LoopbackFake]:
    """A fresh fake served on 127.0.0.1 for the duration of the block."""
    with FakeOpenAI() as fake, fake.serve() as base_url:
        yield LoopbackFake(base_url=base_url, fake=fake)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a fake on 127.0.0.1 until interrupted; print ``FAKE_OPENAI_URL=<base url>`` once listening."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.openai_server", description="Fake OpenAI-compatible server for tests."
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--script", type=Path, help="JSON file of replies/faults to queue at start")
    args = parser.parse_args(argv)
    fake = FakeOpenAI()
    if args.script is not None:
        try:
            fake.load_script(args.script)
        except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            parser.error(f"cannot load --script {args.script}: {exc}")
    sock = bind_loopback_socket(args.port)
    # The socket already listens, so the URL is valid as soon as it is printed.
    sys.stdout.write(f"FAKE_OPENAI_URL=http://127.0.0.1:{sock.getsockname()[1]}/v1\n")
    sys.stdout.flush()
    uvicorn.Server(uvicorn.Config(fake.app, log_level="warning", lifespan="off")).run(sockets=[sock])


if __name__ == "__main__":
    main()
