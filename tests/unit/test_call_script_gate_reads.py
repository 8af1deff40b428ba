"""PreparedRead: the pull's hot-path reads give what SQLAlchemy gives, types included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import DateTime, Integer, String, create_engine, text

from tools.campaign_api.prepared_read import PreparedRead

EVENTS = PreparedRead(
    "SELECT e.name, e.at, (SELECT count(*) FROM events AS x WHERE x.at >= :since AND x.name = :name) "
    "FROM events AS e WHERE e.name = :name ORDER BY e.at LIMIT 1",
    params={"name": String(), "since": DateTime(timezone=True)},
    columns=[String(), DateTime(timezone=True), Integer()],
)


@pytest.fixture()
def connection():
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE events (name VARCHAR, at DATETIME)"))
        for hour in (1, 5, 9):  # stored as SQLAlchemy's SQLite DATETIME text, UTC wall time
            at = datetime(2026, 11, 24, hour).isoformat(sep=" ", timespec="microseconds")
            conn.execute(text("INSERT INTO events VALUES (:name, :at)"), {"name": "call", "at": at})
        yield conn


def test_rows_params_and_types(connection) -> None:
    row = EVENTS.first(connection, {"name": "call", "since": datetime(2026, 11, 24, 4, tzinfo=UTC)})
    assert row == ("call", datetime(2026, 11, 24, 1, 0), 2)  # SQLite hands datetimes back naive
    assert EVENTS.first(connection, {"name": "sms", "since": datetime(2026, 11, 24, tzinfo=UTC)}) is None


def test_a_missing_parameter_is_named(connection) -> None:
    with pytest.raises(ValueError, match="since"):
        EVENTS.first(connection, {"name": "call"})
