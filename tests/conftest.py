"""Project-wide test fixtures: the network guard and the shared fake LLM server (logic in tests/fakes/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.fakes.network_guard import NetworkGuard, guard_network

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeOpenAI, LoopbackFake


@pytest.fixture(autouse=True)
def network_guard() -> Iterator[NetworkGuard]:
    """Block non-loopback connections in every test; fail the test if one was attempted, even if swallowed."""
    with guard_network() as guard:
        yield guard
    guard.assert_clean()


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    """A fresh in-process fake OpenAI server: ``fake_llm.chat_model()`` or ``fake_llm.clients()``."""
    from tests.fakes.openai_server import FakeOpenAI  # imported lazily: most tests never need FastAPI

    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def fake_llm_url() -> Iterator[LoopbackFake]:
    """A fresh fake served on 127.0.0.1: ``.base_url`` (``http://127.0.0.1:PORT/v1``) and ``.fake``."""
    from tests.fakes.openai_server import loopback_fake

    with loopback_fake() as running:
        yield running
