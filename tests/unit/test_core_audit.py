"""The audit chain detects edits, deletions and reordering."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from core.audit import append_event, verify_chain
from core.db import migrate, session_scope
from core.models import AuditEvent
from core.settings import get_settings


@pytest.fixture()
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    migrate()
    yield
    get_settings.cache_clear()


def _append(n: int) -> None:
    with session_scope() as session:
        for i in range(n):
            append_event(session, actor="t", action="test", subject=f"s{i}", detail={"i": i, "text": "中文"})


def test_intact_chain_verifies(db):
    _append(5)
    with session_scope() as session:
        report = verify_chain(session)
    assert report.ok and report.events == 5


def test_edited_detail_breaks_chain_at_that_event(db):
    _append(5)
    with session_scope() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(detail={"i": 99}))
    with session_scope() as session:
        report = verify_chain(session)
    assert not report.ok and report.first_broken_seq == 3 and report.problem == "content hash mismatch"


def test_deleted_event_breaks_chain(db):
    _append(4)
    with session_scope() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    with session_scope() as session:
        report = verify_chain(session)
    assert not report.ok and report.first_broken_seq == 3


def test_rolled_back_change_leaves_no_event(db):
    with pytest.raises(RuntimeError), session_scope() as session:
        append_event(session, actor="t", action="x", subject="y", detail={})
        raise RuntimeError("boom")
    with session_scope() as session:
        assert verify_chain(session).events == 0
