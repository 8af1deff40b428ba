"""Mutable state of one fake server: keyed FIFO queues of replies and faults, and the request log.

The app may be driven from several threads at once (the sync in-process bridge, a uvicorn thread, the test
itself), so every access goes through one lock; nothing here is held across an ``await``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tests.fakes.specs import Fault, ReplySpec, ScriptFile

ItemT = TypeVar("ItemT")

WILDCARD_KEY = "*"


@dataclass
class RecordedRequest:
    """One request the fake received.

    Attributes:
        path: URL path, e.g. ``/v1/chat/completions``.
        key: the request key (json_schema name, forced tool name, ``chat`` or ``embeddings``).
        body: the parsed JSON body.
        headers: request headers, lower-cased names.
        fault: the injected fault that applied (``fail 429``, ``delay 2.0``, ``malformed``) or None.
        reply_key: the key of the scripted reply that answered it, or None when the reply was generated.
    """

    path: str
    key: str
    body: dict[str, Any]
    headers: dict[str, str]
    fault: str | None = None
    reply_key: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The record as plain JSON (for ``GET /_fake/requests``)."""
        return {
            "path": self.path,
            "key": self.key,
            "body": self.body,
            "headers": self.headers,
            "fault": self.fault,
            "reply_key": self.reply_key,
        }


@dataclass
class _Queued(Generic[ItemT]):
    item: ItemT
    remaining: int | None  # None: never used up


class KeyedQueues(Generic[ItemT]):
    """FIFO queues per key; an entry is served ``times`` times (forever when ``None``) before it is dropped."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[_Queued[ItemT]]] = {}

    def push(self, key: str, item: ItemT, times: int | None) -> None:
        """Queue ``item`` under ``key`` behind anything already queued there."""
        self._queues.setdefault(key, deque()).append(_Queued(item, times))

    def pop(self, candidates: Sequence[str]) -> tuple[str, ItemT] | None:
        """Serve the head of the first non-empty queue among ``candidates`` (in order), with its key."""
        for key in candidates:
            queue = self._queues.get(key)
            if not queue:
                continue
            head = queue[0]
            if head.remaining is not None:
                head.remaining -= 1
                if head.remaining == 0:
                    queue.popleft()
            return key, head.item
        return None

    def pending(self) -> dict[str, int]:
        """How many entries wait per key (a sticky entry counts once)."""
        return {key: len(queue) for key, queue in self._queues.items() if queue}

    def clear(self) -> None:
        """Drop every queued entry."""
        self._queues.clear()


@dataclass
class FakeState:
    """Scripts, faults and log shared by the routes and the Python API of one fake."""

    replies: KeyedQueues[ReplySpec] = field(default_factory=KeyedQueues)
    faults: KeyedQueues[Fault] = field(default_factory=KeyedQueues)
    log: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_reply(self, key: str, reply: ReplySpec) -> None:
        """Queue a scripted reply for ``key``."""
        with self.lock:
            self.replies.push(key, reply, reply.times)

    def add_fault(self, key: str, fault: Fault) -> None:
        """Queue an injected fault for ``key``."""
        with self.lock:
            self.faults.push(key, fault, fault.times)

    def load(self, script: ScriptFile) -> None:
        """Queue every reply and fault of a script file, in file order."""
        for key, replies in script.replies.items():
            for reply in replies:
                self.add_reply(key, reply)
        for key, faults in script.faults.items():
            for fault in faults:
                self.add_fault(key, fault)

    def take_reply(self, candidates: Sequence[str]) -> tuple[str, ReplySpec] | None:
        """Consume the next scripted reply for the first candidate key that has one."""
        with self.lock:
            return self.replies.pop(candidates)

    def take_fault(self, candidates: Sequence[str]) -> Fault | None:
        """Consume the next fault for the first candidate key that has one."""
        with self.lock:
            found = self.faults.pop(candidates)
        return None if found is None else found[1]

    def record(self, request: RecordedRequest) -> RecordedRequest:
        """Append ``request`` to the log and return it (routes fill in ``reply_key`` later)."""
        with self.lock:
            self.log.append(request)
        return request

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the log, oldest first."""
        with self.lock:
            return list(self.log)

    def pending(self) -> dict[str, dict[str, int]]:
        """Queued entries per key: ``{"replies": {...}, "faults": {...}}``."""
        with self.lock:
            return {"replies": self.replies.pending(), "faults": self.faults.pending()}

    def reset(self) -> None:
        """Forget scripts, faults and the log."""
        with self.lock:
            self.replies.clear()
            self.faults.clear()
            self.log.clear()
