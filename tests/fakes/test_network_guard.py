"""The autouse network guard (tests/conftest.py) blocks non-loopback connections and records them."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from tests.fakes.network_guard import NetworkAccessBlocked, NetworkGuard, guard_network, is_loopback_host

# 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never routed, so even an unguarded attempt could not reach anyone.
UNROUTABLE = "203.0.113.7"


def test_connect_to_remote_address_is_blocked_and_recorded(network_guard: NetworkGuard) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(NetworkAccessBlocked, match=UNROUTABLE),
    ):
        sock.connect((UNROUTABLE, 443))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkAccessBlocked):
        sock.connect_ex((UNROUTABLE, 443))
    assert len(network_guard.take_violations()) == 2


def test_create_connection_refuses_host_names_before_dns(network_guard: NetworkGuard) -> None:
    with pytest.raises(NetworkAccessBlocked, match="api.openai.com"):
        socket.create_connection(("api.openai.com", 443), timeout=1)
    assert network_guard.take_violations()


def test_real_provider_call_is_blocked_with_a_clear_error(network_guard: NetworkGuard) -> None:
    llm = ChatOpenAI(model="gpt-4o-mini", api_key="sk-test", use_responses_api=False, max_retries=0)
    with pytest.raises(NetworkAccessBlocked, match="use the fake_llm"):
        llm.invoke("hi")
    [violation] = network_guard.take_violations()
    assert "api.openai.com" in violation


def test_swallowed_attempt_still_fails_the_test() -> None:
    with guard_network() as guard:
        try:
            socket.create_connection((UNROUTABLE, 80))
        except NetworkAccessBlocked:
            pass  # code under test that "degrades gracefully"
        with pytest.raises(AssertionError, match="blocked network access"):
            guard.assert_clean()
        guard.assert_clean()  # reported once, then clean


def test_loopback_and_unix_sockets_are_allowed(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            assert client.connect_ex(("localhost", server.getsockname()[1])) == 0
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix_server:
        unix_server.bind(path)
        unix_server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix_client:
            unix_client.connect(path)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        (b"127.0.0.1", True),
        ("10.0.0.1", False),
        ("0.0.0.0", False),
        ("::ffff:8.8.8.8", False),
        ("example.com", False),
        ("localhost.evil.example", False),
        (None, False),
    ],
)
def test_is_loopback_host(host: object, allowed: bool) -> None:
    assert is_loopback_host(host) is allowed


def test_guard_restores_socket_functions() -> None:
    before = (socket.socket.connect, socket.create_connection)
    with guard_network():
        assert socket.socket.connect is not before[0]
    assert (socket.socket.connect, socket.create_connection) == before
