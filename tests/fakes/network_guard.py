"""Fail any test that tries to reach the network beyond this machine.

Tests must never reach a real LLM provider (DESIGN §5). The guard patches ``socket.socket.connect``,
``socket.socket.connect_ex`` and ``socket.create_connection`` so that TCP/UDP connections are allowed only to
loopback addresses (127.0.0.0/8, ::1, ``localhost``); Unix sockets and other non-IP families pass. A blocked
attempt raises :class:`NetworkAccessBlocked` *and* is recorded, because the code under test may swallow the
error (offline mode degrades gracefully on connection errors) — the fixture then fails the test at teardown.
Host names other than ``localhost`` are refused before any DNS lookup happens.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_IP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class NetworkAccessBlocked(RuntimeError):
    """A test tried to open a connection to a non-loopback address."""


def is_loopback_host(host: Any) -> bool:
    """True for loopback IP literals (v4, v6, v4-mapped v6) and the ``localhost`` names."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()  # drop IPv6 brackets and zone ids
    if name in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a host name: refusing it here avoids a DNS query
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


class NetworkGuard:
    """Records blocked connection attempts; see :func:`guard_network`."""

    def __init__(self) -> None:
        self._violations: list[str] = []
        self._lock = threading.Lock()

    def check(self, family: int, address: Any) -> None:
        """Raise :class:`NetworkAccessBlocked` (and record it) unless ``address`` is local."""
        if family not in _IP_FAMILIES:
            return
        host = address[0] if isinstance(address, tuple) and address else address
        if is_loopback_host(host):
            return
        message = (
            f"test tried to connect to {address!r}: network access is blocked in tests "
            "(only 127.0.0.0/8, ::1, localhost and Unix sockets are allowed); "
            "use the fake_llm / fake_llm_url fixtures instead of a real endpoint"
        )
        with self._lock:
            self._violations.append(message)
        raise NetworkAccessBlocked(message)

    def take_violations(self) -> list[str]:
        """Return and forget the recorded attempts (for tests that provoke the guard on purpose)."""
        with self._lock:
            taken, self._violations = self._violations, []
        return taken

    def assert_clean(self) -> None:
        """Raise AssertionError listing every blocked attempt that was not taken."""
        violations = self.take_violations()
        if violations:
            raise AssertionError("blocked network access during the test:\n" + "\n".join(violations))


def _guarded_method(guard: NetworkGuard, original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(sock: socket.socket, address: Any) -> Any:
        guard.check(sock.family, address)
        return original(sock, address)

    return guarded


def _guarded_create_connection(guard: NetworkGuard, original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(address: tuple[Any, ...], *args: Any, **kwargs: Any) -> Any:
        guard.check(socket.AF_INET, address)  # checked before resolution, so no DNS query leaves either
        return original(address, *args, **kwargs)

    return guarded


@contextmanager
def guard_network() -> Iterator[NetworkGuard]:
    """Block non-loopback connections while the block runs; restore the socket module afterwards."""
    guard = NetworkGuard()
    saved = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection)
    socket.socket.connect = _guarded_method(guard, saved[0])  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_method(guard, saved[1])  # type: ignore[method-assign]
    socket.create_connection = _guarded_create_connection(guard, saved[2])
    try:
        yield guard
    finally:
        socket.socket.connect, socket.socket.connect_ex = saved[0], saved[1]  # type: ignore[method-assign]
        socket.create_connection = saved[2]
