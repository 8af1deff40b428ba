"""Serve an ASGI app with uvicorn on 127.0.0.1 in a background thread, for code that needs a real URL.

The listening socket is bound before uvicorn starts (port 0 → a free port chosen by the kernel), so the URL is
known at once and there is no port race; startup is then awaited by polling ``server.started`` with a
deadline, and a crash during startup is reported instead of hanging.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

LOOPBACK_HOST = "127.0.0.1"
STARTUP_DEADLINE_S = 10.0
SHUTDOWN_DEADLINE_S = 10.0
_POLL_INTERVAL_S = 0.005


class LoopbackServerError(RuntimeError):
    """The loopback server did not start or stop in time."""


def bind_loopback_socket(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 (``port=0``: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK_HOST, port))
    sock.listen(128)
    return sock


def _wait_until(condition: Any, thread: threading.Thread, deadline_s: float, what: str) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        if not thread.is_alive():
            raise LoopbackServerError(f"loopback server thread exited before it {what}")
        if time.monotonic() > deadline:
            raise LoopbackServerError(f"loopback server has not {what} after {deadline_s:g} s")
        time.sleep(_POLL_INTERVAL_S)


@contextmanager
def serve_loopback(app: Any, port: int = 0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 while the block runs; yield its root URL ``http://127.0.0.1:PORT``."""
    sock = bind_loopback_socket(port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="fake-openai-http", daemon=True
    )
    thread.start()
    try:
        _wait_until(lambda: server.started, thread, STARTUP_DEADLINE_S, "started")
        yield f"http://{LOOPBACK_HOST}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_DEADLINE_S)
        sock.close()
        if thread.is_alive():
            raise LoopbackServerError(f"loopback server did not stop within {SHUTDOWN_DEADLINE_S:g} s")
