"""Two posts of the same call outcome racing each other: the loser gets the duplicate receipt, not a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from core.db import get_engine, migrate, session_scope
from core.models import ContactEvent, DoNotCall
from core.settings import get_settings
from tools.campaign_api.contacts import record_call_outcome
from tools.campaign_api.errors import Conflict

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture()
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    migrate()
    yield
    get_settings.cache_clear()


def _record(session: Session, call_id: str = "call-1") -> object:
    return record_call_outcome(session, call_id=call_id, campaign_id="cmp-1", lead_id=7, outcome="refused",
                               at=AT, dnc_days=180, actor="bot")  # fmt: skip


def test_the_loser_of_a_race_gets_the_duplicate_receipt(database: None) -> None:
    with session_scope() as session:
        fired = []

        @event.listens_for(session, "before_flush")
        def _other_post_commits_first(*_args: object) -> None:
            # This post has checked that call-1 is new and is about to write it: the other post commits first.
            if not fired:
                fired.append(True)
                with session_scope() as other:
                    _record(other)

        receipt = _record(session)
    assert receipt.duplicate is True
    with Session(get_engine()) as check:
        assert check.scalar(select(func.count()).select_from(ContactEvent)) == 1
        assert check.scalar(select(func.count()).select_from(DoNotCall)) == 1


def test_the_same_call_id_with_another_outcome_is_a_conflict(database: None) -> None:
    with session_scope() as session:
        _record(session)
    with pytest.raises(Conflict) as refused, session_scope() as session:
        record_call_outcome(session, call_id="call-1", campaign_id="cmp-1", lead_id=7, outcome="connected",
                            at=AT, dnc_days=180, actor="bot")  # fmt: skip
    assert refused.value.code == "call_id_reused"
