"""A fixed read-only SQL statement compiled once per dialect and run on the driver's cursor.

Why: on the voice bot's pull a SQLite read of one indexed row takes ~15 µs, while SQLAlchemy's execute path
around it (compiled-cache lookup, execution context, result metadata) takes ~100 µs, and the pull makes several
reads under a budget of a few hundred microseconds. SQLAlchemy still does the dialect work, once per dialect:
it compiles the statement (placeholders in the driver's style, parameter order) and supplies each type's bind
and result processors (SQLite keeps datetimes as text, PostgreSQL natively), so the same statement runs on both.

A read runs on a SQLAlchemy ``Connection`` or on a ``DriverConnection`` (a DBAPI connection and the dialect to
compile for), which lets the hot path skip the pool's checkout and return as well (``api.routes.voicebot``).

Use it only for statements on the hot path; everything else goes through the ORM or Core as usual.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, bindparam, text
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class DriverConnection:
    """A DBAPI connection with the dialect its SQL is compiled for; the caller owns its life and thread."""

    dbapi: Any
    dialect: Dialect


@dataclass(frozen=True)
class _ForDialect:
    sql: str
    positional: bool
    binds: tuple[tuple[str, Processor], ...]  # in placeholder order for positional driver styles
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor) where one is needed


class PreparedRead:
    """``SELECT`` text with ``:name`` parameters of declared types, returning one row of declared column types."""

    def __init__(
        self, sql: str, *, params: Mapping[str, TypeEngine[Any]], columns: Sequence[TypeEngine[Any]]
    ) -> None:
        self.sql = sql
        self.params = dict(params)
        self.columns = tuple(columns)
        self._by_dialect: dict[tuple[str, str], _ForDialect] = {}

    def first(
        self, connection: Connection | DriverConnection, values: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """The first row (processed per column type), or None; ``values`` must name every declared parameter."""
        if isinstance(connection, Connection):
            connection = DriverConnection(connection.connection.driver_connection, connection.dialect)
        prepared = self._for(connection.dialect)
        try:
            bound = [(name, proc(values[name]) if proc else values[name]) for name, proc in prepared.binds]
        except KeyError:
            missing = sorted(set(self.params) - set(values))
            raise ValueError(f"missing value(s) for {missing}") from None
        arguments: Sequence[Any] | Mapping[str, Any] = (
            [value for _, value in bound] if prepared.positional else dict(bound)
        )
        cursor = connection.dbapi.cursor()
        try:
            cursor.execute(prepared.sql, arguments)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        if len(row) != len(self.columns):
            raise ValueError(f"the statement returned {len(row)} columns, {len(self.columns)} declared")
        if not prepared.conversions:
            return tuple(row)
        converted = list(row)
        for index, proc in prepared.conversions:
            converted[index] = proc(converted[index])
        return tuple(converted)

    def _for(self, dialect: Dialect) -> _ForDialect:
        key = (dialect.name, dialect.paramstyle)
        prepared = self._by_dialect.get(key)
        if prepared is None:  # compiling twice in a race is harmless: the results are equal
            prepared = self._compile(dialect)
            self._by_dialect[key] = prepared
        return prepared

    def _compile(self, dialect: Dialect) -> _ForDialect:
        clause = text(self.sql).bindparams(
            *(bindparam(name, type_=kind) for name, kind in self.params.items())
        )
        compiled = clause.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ()) if dialect.positional else tuple(self.params)
        # dialect_impl: the dialect's own variant of a type carries the processors (sqlite.DATETIME parses text)
        binds = {
            name: kind.dialect_impl(dialect).bind_processor(dialect) for name, kind in self.params.items()
        }
        results = tuple(kind.dialect_impl(dialect).result_processor(dialect, None) for kind in self.columns)
        return _ForDialect(
            sql=compiled.string,
            positional=bool(dialect.positional),
            binds=tuple((name, binds[name]) for name in names),
            conversions=tuple((index, proc) for index, proc in enumerate(results) if proc is not None),
        )


class SqliteThreadReads:
    """Each thread's own read-only connection to one SQLite file, for hot-path reads without the pool.

    Why: the pool's checkout and return cost about as much as an indexed read. A connection here is in
    autocommit mode (each statement is its own read transaction, so it sees every write committed before it,
    and in WAL mode never waits for a writer) and ``query_only`` (it cannot write). A thread keeps its connection
    for its life; the connection closes with the thread's locals.
    """

    def __init__(self, path: str, dialect: Dialect) -> None:
        self.path = path
        self.dialect = dialect
        self._local = threading.local()

    @classmethod
    def for_engine(cls, engine: Engine) -> SqliteThreadReads | None:
        """Reads for ``engine``'s database when it is a SQLite file; None for any other database."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database:
            return None
        if database == ":memory:" or database.startswith("file:"):  # per-connection or URI databases
            return None
        return cls(database, engine.dialect)

    def connection(self) -> DriverConnection:
        """This thread's connection (opened on its first read)."""
        reads: DriverConnection | None = getattr(self._local, "reads", None)
        if reads is None:
            dbapi = sqlite3.connect(self.path, isolation_level=None)
            dbapi.execute("PRAGMA busy_timeout=10000")
            dbapi.execute("PRAGMA query_only=ON")
            reads = DriverConnection(dbapi, self.dialect)
            self._local.reads = reads
        return reads
