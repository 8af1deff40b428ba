"""Run the fake server as a separate process (``python -m tests.fakes.openai_server``).

End-to-end tests that start the CLI or the API as a subprocess point it at this server and drive it through
the ``/_fake`` admin endpoints. The server prints ``FAKE_OPENAI_URL=...`` once its socket listens; that line,
not a sleep, is what this helper waits for.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
URL_PREFIX = "FAKE_OPENAI_URL="
STARTUP_DEADLINE_S = 30.0


class FakeProcessError(RuntimeError):
    """The fake server process did not announce its URL."""


def _read_url(process: subprocess.Popen[str], deadline_s: float) -> str:
    assert process.stdout is not None  # guaranteed by stdout=PIPE
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + deadline_s
        while (remaining := deadline - time.monotonic()) > 0:
            if not selector.select(remaining):
                break
            line = process.stdout.readline()
            if not line:  # EOF: the process died
                raise FakeProcessError(f"fake server exited with {process.wait()} before listening")
            if line.startswith(URL_PREFIX):
                return line[len(URL_PREFIX) :].strip()
    raise FakeProcessError(f"fake server printed no {URL_PREFIX} line within {deadline_s:g} s")


@contextmanager
def fake_server_process(script: Path | None = None, port: int = 0) -> Iterator[str]:
    """Start the fake in a subprocess (optionally with a ``--script`` file); yield its base URL; stop it."""
    command = [sys.executable, "-m", "tests.fakes.openai_server", "--port", str(port)]
    if script is not None:
        command += ["--script", str(script)]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        yield _read_url(process, STARTUP_DEADLINE_S)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
