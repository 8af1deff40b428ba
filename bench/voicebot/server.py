"""Start a uvicorn server on loopback for the length of a ``with`` block, and stop it after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0
_POLL_S = 0.2


class ServerError(RuntimeError):
    """The server did not come up (its output is in the message)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def uvicorn_command(factory: str, port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", HOST, "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip


@contextmanager
def serving(
    factory: str, *, workers: int, env: dict[str, str], probe_path: str, log_path: Path
) -> Iterator[str]:
    """Run ``factory`` under uvicorn (output to ``log_path``); yields the base URL once ``probe_path`` answers."""
    port = free_port()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            uvicorn_command(factory, port, workers), env={**os.environ, **env}, stdout=log,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        _wait_until_up(process, base + probe_path, log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(process: subprocess.Popen[str], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_path.read_text(encoding="utf-8")
            raise ServerError(f"server exited with {process.returncode}:\n{output}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(_POLL_S)  # polling a starting server; bounded by START_TIMEOUT_S
    raise ServerError(f"server did not answer {url} within {START_TIMEOUT_S:.0f} s")
