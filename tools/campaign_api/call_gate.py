"""The voice bot's pull: the last gate before dialling.

A published script is handed out only if this lead may be called now: the campaign has a live call-script
publication and has not ended, it is inside the bank's calling hours and the script's own windows, the lead is
in the campaign's audience after every policy exclusion, is not opted out or on a do-not-call list (the store's
and the operational one), and has attempts left today and in this campaign. A pull is not a contact attempt, so
a bot may pull again after a dropped line. Refusals carry a stable reason code (``REFUSAL_REASONS``).

What is cached, and why it cannot go stale (``CallGate``):

- the compiled script, keyed by (publication id, content hash): a publication row is immutable;
- the call list (audience verdict per customer, names of the callable), keyed by publication id, the campaign's
  ``updated_at``, the tag store file's signature and the bank's date (``CallListKey``): each input it is
  computed from is in the key.

What is never cached: the caller's API key, the live publication pointer, the campaign's end date, the
operational do-not-call list and the call attempts. One statement reads them all on every pull, so a refusal
posted (or a key revoked) a moment ago refuses the next pull.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel
from sqlalchemy import JSON, Connection, DateTime, Integer, String

from core.settings import get_settings, parse_window
from tools.call_script.call_list import CALLABLE, NOT_MATCHED, CallList, CallListKey, build_call_list
from tools.call_script.compiled import CompiledScript
from tools.campaign_api.errors import Conflict, Forbidden, NotFound, WorkflowError
from tools.campaign_api.prepared_read import DriverConnection, PreparedRead
from tools.campaign_api.pull_body import render_pull_body
from tools.tag_store.bitmap import FileSignature
from tools.tag_store.errors import TagStoreError
from tools.tag_store.store import TagStore

CHANNEL = "call_script"
# 403: this lead may not be called under this campaign; 409: not now (or not yet, or no longer).
REFUSAL_REASONS: dict[str, int] = {
    "do_not_call": 403, "opted_out": 403, "not_in_audience": 403, "outside_calling_hours": 409,
    "frequency_cap": 409, "not_published": 409, "campaign_ended": 409,
}  # fmt: skip
CACHE_ENTRIES = 32
# Everything mutable the gate needs, in one round trip: the caller's key (its owner's role, if the key is known
# and unrevoked), the campaign's end date and row version, the live publication pointer, the lead's operational
# do-not-call entry and call attempts (today; in this campaign). The one-row ``probe`` makes a row come back
# even for an unknown campaign, so a bad key is refused (401) before an unknown id is reported (404).
# Every recorded outcome is an attempt, whatever it was (a no-answer is a call made); a pull is not.
_LIVE_FACTS = PreparedRead(
    "SELECT (SELECT u.role FROM users AS u JOIN api_keys AS k ON k.user_id = u.id "
    " WHERE k.key_hash = :key_hash AND k.revoked_at IS NULL), "
    "c.id, c.ends_on, c.updated_at, p.id, p.version, p.content_hash, "
    "(SELECT d.until FROM do_not_call AS d WHERE d.lead_id = :lead_id), "
    "(SELECT count(*) FROM contact_events AS e WHERE e.lead_id = :lead_id AND e.channel = :channel "
    " AND e.occurred_at >= :day_start), "
    "(SELECT count(*) FROM contact_events AS e WHERE e.lead_id = :lead_id AND e.channel = :channel "
    " AND e.campaign_id = c.id) "
    "FROM (SELECT 1 AS one) AS probe LEFT JOIN campaigns AS c ON c.id = :campaign_id "
    "LEFT JOIN publications AS p ON p.id = ("
    " SELECT q.id FROM publications AS q WHERE q.campaign_id = c.id AND q.channel = :channel "
    " AND q.withdrawn_at IS NULL ORDER BY q.version DESC LIMIT 1)",
    params={"key_hash": String(), "lead_id": Integer(), "campaign_id": String(), "channel": String(),
            "day_start": DateTime(timezone=True)},
    # updated_at is only compared for equality (the call list's key), so it stays the driver's value.
    columns=[String(), String(), String(), String(), String(), Integer(), String(), DateTime(timezone=True),
             Integer(), Integer()],
)  # fmt: skip
_PUBLISHED_SCRIPT = PreparedRead(
    "SELECT content FROM publications WHERE id = :publication_id",
    params={"publication_id": String()}, columns=[JSON()],
)  # fmt: skip
_AUDIENCE = PreparedRead(
    "SELECT audience FROM campaigns WHERE id = :campaign_id", params={"campaign_id": String()}, columns=[JSON()]
)  # fmt: skip
VOICEBOT_ROLE = "voicebot"
Reads = Connection | DriverConnection


class InvalidApiKey(WorkflowError):
    """The key is unknown or revoked (401, as ``api.deps.current_user`` answers)."""

    status = 401


K = TypeVar("K")
V = TypeVar("V")


class PulledScript(BaseModel):
    """What a voice bot receives: the live version rendered for one lead, and how it may be called."""

    campaign_id: str
    lead_id: int
    publication_id: str
    version: int
    content_hash: str
    call_policy: dict[str, Any]
    variables: dict[str, str]
    script: dict[str, Any]


class _Lru(Generic[K, V]):
    """A small least-recently-used map whose values are built once per key, under a lock."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._last: tuple[K, V] | None = None  # the latest hit, read without the lock (one atomic attribute)

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        last = self._last
        if (
            last is not None and last[0] == key
        ):  # the common case: every pull of a busy campaign hits one entry
            return last[1]
        with self._lock:  # concurrent first pulls build once; later pulls only take the lock for a lookup
            if key in self._entries:
                self._entries.move_to_end(key)
                value = self._entries[key]
            else:
                value = build()
                self._entries[key] = value
                if len(self._entries) > self._size:
                    self._entries.popitem(last=False)
            self._last = (key, value)
            return value


class CallGate:
    """Pull decisions for one tag store file, with the immutable parts cached (see the module docstring)."""

    def __init__(self, store_path: Path, *, cache_entries: int = CACHE_ENTRIES) -> None:
        self.store_path = store_path
        self._scripts: _Lru[tuple[str, str], CompiledScript] = _Lru(cache_entries)
        self._call_lists: _Lru[CallListKey, CallList] = _Lru(cache_entries)

    def pull(self, db: Reads, *, campaign_id: str, lead_id: int, at: datetime) -> PulledScript:
        """The pull as a model (CLI, tests); the API sends ``pull_json`` as is."""
        return PulledScript.model_validate_json(
            self.pull_json(db, campaign_id=campaign_id, lead_id=lead_id, at=at)
        )

    def pull_json(
        self, db: Reads, *, campaign_id: str, lead_id: int, at: datetime, key_hash: str | None = None
    ) -> str:
        """``PulledScript`` as JSON text, or a typed refusal (``REFUSAL_REASONS``, 404 for unknown ids).

        With ``key_hash`` (``core.security.hash_api_key`` of the caller's key) the same statement that reads the
        live facts checks the key: 401 ``invalid_api_key`` when it is unknown or revoked, 403 ``role_not_allowed``
        when its owner is not a voice bot. Nothing about the key is cached, so a revocation refuses the next pull.
        """
        local = at.astimezone(get_settings().tz)
        facts = _live_facts(db, campaign_id, lead_id, local, key_hash)
        if facts.pointer is None:
            raise Conflict("not_published", f"campaign {campaign_id} has no published call script")
        if facts.ends_on is not None and local.date() > date.fromisoformat(facts.ends_on):
            raise Conflict("campaign_ended", f"campaign {campaign_id} ended on {facts.ends_on}")
        pointer = facts.pointer
        script = self._scripts.get_or_build(
            (pointer.publication_id, pointer.content_hash), lambda: _compile(db, pointer)
        )
        _check_calling_hours(script, at)
        call_list = self._call_list(db, campaign_id, pointer, facts.campaign_version, local.date())
        _check_lead(call_list, lead_id)
        _check_operational(script, facts, at)
        return render_pull_body(script, campaign_id, lead_id, pointer, call_list.script_variables(lead_id))

    def _call_list(
        self, db: Reads, campaign_id: str, pointer: _Pointer, audience_version: str, day: date
    ) -> CallList:
        try:
            # The store's identity, read on every pull, so a rebuild shows at once.
            stat = os.stat(self.store_path)
        except FileNotFoundError as exc:
            raise TagStoreError(f"tag store not found at {self.store_path}") from exc
        signature = FileSignature(inode=stat.st_ino, size=stat.st_size, modified_ns=stat.st_mtime_ns)
        key = CallListKey(pointer.publication_id, audience_version, signature, day)
        return self._call_lists.get_or_build(key, lambda: self._build_call_list(db, campaign_id, day))

    def _build_call_list(self, db: Reads, campaign_id: str, day: date) -> CallList:
        row = _AUDIENCE.first(db, {"campaign_id": campaign_id})
        if row is None or not row[0]:
            raise Conflict("not_published", "the campaign has no approved audience")
        return build_call_list(TagStore(self.store_path, today=day), row[0])


class _Pointer(NamedTuple):
    """``publications.PublishedPointer`` as read on the hot path (a tuple: built per pull, needs no validation)."""

    publication_id: str
    version: int
    content_hash: str


class _LiveFacts(NamedTuple):
    ends_on: str | None
    campaign_version: str  # changes whenever the campaign row is updated (part of the call list's key)
    pointer: _Pointer | None
    do_not_call_until: datetime | None
    attempts_today: int
    attempts_in_campaign: int


def _live_facts(
    db: Reads, campaign_id: str, lead_id: int, local: datetime, key_hash: str | None
) -> _LiveFacts:
    # SQLite keeps the stored UTC wall time and compares text, so the bank's midnight goes in as UTC.
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    row = _LIVE_FACTS.first(db, {"key_hash": key_hash, "lead_id": lead_id, "campaign_id": campaign_id,
                                 "channel": CHANNEL, "day_start": day_start})  # fmt: skip
    if row is None:  # the probe row always comes back; this would be a driver fault
        raise RuntimeError("the live-facts statement returned no row")
    role, found, ends_on, updated_at, publication_id, version, content_hash, until, today, in_campaign = row
    if key_hash is not None:
        _check_role(role)
    if found is None:
        raise NotFound("unknown_campaign", f"no campaign {campaign_id!r}")
    pointer = (
        None if publication_id is None
        else _Pointer(publication_id, version, content_hash)
    )  # fmt: skip
    return _LiveFacts(
        ends_on=ends_on, campaign_version=str(updated_at), pointer=pointer,
        do_not_call_until=_utc(until) if until is not None else None, attempts_today=int(today or 0),
        attempts_in_campaign=int(in_campaign or 0),
    )  # fmt: skip


def _check_role(role: str | None) -> None:
    if role is None:
        raise InvalidApiKey("invalid_api_key", "unknown or revoked API key")
    if role != VOICEBOT_ROLE:
        raise Forbidden("role_not_allowed", f"role {role} may not do this")


def _utc(value: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone-aware columns; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _compile(db: Reads, pointer: _Pointer) -> CompiledScript:
    row = _PUBLISHED_SCRIPT.first(db, {"publication_id": pointer.publication_id})
    if row is None:
        raise Conflict("not_published", f"publication {pointer.publication_id} is gone")
    script = CompiledScript.from_document(row[0]["script"])
    if script.script.content_hash != pointer.content_hash:
        raise Conflict("content_hash_mismatch", f"publication {pointer.publication_id}: script hash differs")
    return script


def _check_calling_hours(script: CompiledScript, at: datetime) -> None:
    settings = get_settings()
    start, end = _bank_window(settings.calling_hours)
    policy_time = at.astimezone(script.policy_zone).time()
    in_bank_hours = start <= at.astimezone(settings.tz).time() < end
    if not in_bank_hours or not any(
        w_start <= policy_time < w_end for w_start, w_end in script.policy_windows
    ):
        windows = ", ".join(f"{w_start:%H:%M}-{w_end:%H:%M}" for w_start, w_end in script.policy_windows)
        raise Conflict(
            "outside_calling_hours", f"calls may start only within {settings.calling_hours} and {windows}"
        )


@lru_cache(maxsize=8)
def _bank_window(calling_hours: str) -> tuple[time, time]:
    """``Settings.calling_window``, parsed once per setting value rather than on every pull."""
    return parse_window(calling_hours)


def _check_lead(call_list: CallList, lead_id: int) -> None:
    verdict = call_list.verdict(lead_id)
    if verdict is None:
        raise NotFound("unknown_lead", f"no lead {lead_id}")
    if verdict == "opted_out":
        raise Forbidden("opted_out", "the lead has opted out of marketing calls")
    if verdict == "do_not_call":
        raise Forbidden("do_not_call", "the lead is on the do-not-call list")
    if verdict != CALLABLE:
        why = "the audience expression does not match" if verdict == NOT_MATCHED else verdict
        raise Forbidden("not_in_audience", f"the lead is not in this campaign's audience ({why})")


def _check_operational(script: CompiledScript, facts: _LiveFacts, at: datetime) -> None:
    if facts.do_not_call_until is not None and facts.do_not_call_until > at:
        raise Forbidden("do_not_call", "the lead refused a call and is on the do-not-call list")
    policy = script.script.call_policy
    if facts.attempts_today >= policy.max_attempts_per_day:
        raise Conflict("frequency_cap", "today's call attempts for this lead are used up")
    if facts.attempts_in_campaign >= policy.max_attempts_total:
        raise Conflict("frequency_cap", "this campaign's call attempts for this lead are used up")
