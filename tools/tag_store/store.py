"""The tag store: audience counts and selections over a DuckDB file, with policy exclusions applied.

Every call opens its own short-lived READ-ONLY connection: another process (the API, a CLI run, a rebuild that
will atomically replace the file) may hold the file, and DuckDB allows many read-only readers at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from core.domain import TEXT_CHANNELS, ProductType
from core.settings import get_settings
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.compile import ParamBag, compile_count, compile_where, day_start
from tools.tag_store.errors import SelectionError, TagStoreError
from tools.tag_store.exclusions import (
    EXCLUSION_COLUMNS,
    FREQUENCY_CAPS_30D,
    ExtraExclusions,
    RiskLevel,
    SelectionContext,
    applicable_steps,
    exclusion_case,
)
from tools.tag_store.nodes import AudienceExpression
from tools.tag_store.results import AudienceResult, ExclusionCount, LeadRecord

MAX_SAMPLE_SIZE = 10_000
_REQUIRED_TABLES = ("customers", "contact_history", "opt_outs", "do_not_call")


class TagStore:
    """Read access to the customers/contacts/opt-outs/DNC tables of one DuckDB file."""

    def __init__(
        self,
        path: Path,
        catalog: TagCatalog | None = None,
        *,
        today: date | None = None,
        frequency_caps: Mapping[str, int] = FREQUENCY_CAPS_30D,
    ) -> None:
        """``today`` pins the day time windows are computed for (tests, replays); None = the bank's today."""
        self.path = path
        self.catalog = catalog or TagCatalog.default()
        self.frequency_caps = frequency_caps
        self._fixed_today = today
        self._schema_checked = False

    def today(self) -> date:
        """The day windows are computed for: the pinned day, or today in the bank's time zone."""
        return self._fixed_today or datetime.now(get_settings().tz).date()

    # ----- audience -----

    def count(self, expression: AudienceExpression) -> int:
        """Customers matching ``expression``, before any exclusion (the fast path for live counts)."""
        query = compile_count(expression, self.catalog, today=self.today())
        rows = self._fetch(query.sql, query.params)
        return int(rows[0][0])

    def select(
        self,
        expression: AudienceExpression,
        *,
        product_type: ProductType | None,
        channels: list[str],
        extra_excluded: ExtraExclusions | None = None,
        sample_size: int = 10,
        product_risk_level: RiskLevel | None = None,
    ) -> AudienceResult:
        """Match ``expression``, then remove customers policy forbids, counting each exclusion step."""
        if not 0 <= sample_size <= MAX_SAMPLE_SIZE:
            raise SelectionError(f"sample_size must be 0..{MAX_SAMPLE_SIZE}, not {sample_size}")
        ctx = self._context(product_type, channels, product_risk_level, extra_excluded)
        params = ParamBag()
        steps = applicable_steps(ctx)
        sql = _selection_sql(
            where=compile_where(expression, self.catalog, params, today=ctx.today),
            case=exclusion_case(steps, ctx, params),
            sample_placeholder=params.add(max(sample_size, 1)),
        )
        groups = {row[0]: (int(row[1]), row[2]) for row in self._fetch(sql, params.values)}
        kept, first_ids = groups.pop(None, (0, []))
        removed = {code: count for code, (count, _) in groups.items()}
        return AudienceResult(
            size=kept,
            matched=kept + sum(removed.values()),
            exclusions=[
                ExclusionCount(code=s.code, label=s.label, count=removed.get(s.code, 0)) for s in steps
            ],
            sample_ids=sorted(int(i) for i in first_ids)[:sample_size],
            product_type=product_type,
            channels=list(ctx.channels),
            as_of=ctx.today,
            expression=expression.to_json(),
            sql=sql,
            params=params.values,
        )

    def lead_exclusion(
        self,
        lead_id: int,
        expression: AudienceExpression,
        *,
        product_type: ProductType | None,
        channels: list[str],
        extra_excluded: ExtraExclusions | None = None,
        product_risk_level: RiskLevel | None = None,
    ) -> str | None:
        """Why one lead is outside the audience today: an exclusion code, ``not_matched``, or None if inside.

        The same SQL as ``select`` restricted to one id, so the voice-bot gate and the audience count can never
        disagree about who is in.
        """
        ctx = self._context(product_type, channels, product_risk_level, extra_excluded)
        params = ParamBag()
        where = compile_where(expression, self.catalog, params, today=ctx.today)
        case = exclusion_case(applicable_steps(ctx), ctx, params)
        sql = (
            f"SELECT {case} AS excluded_by FROM customers AS c "
            f"WHERE c.customer_id = {params.add(lead_id)} AND {where}"
        )
        rows = self._fetch(sql, params.values)
        if not rows:
            return "not_matched"
        excluded_by: str | None = rows[0][0]
        return excluded_by

    def _context(
        self,
        product_type: ProductType | None,
        channels: list[str],
        product_risk_level: RiskLevel | None,
        extra_excluded: ExtraExclusions | None,
    ) -> SelectionContext:
        return SelectionContext.checked(
            product_type=product_type,
            channels=channels,
            product_risk_level=product_risk_level,
            extra=extra_excluded,
            today=self.today(),
            frequency_caps=self.frequency_caps,
        )

    # ----- leads -----

    def lead(self, lead_id: int) -> LeadRecord | None:
        """One customer's gate facts and masked script variables; None when no such customer exists."""
        sql = (
            "SELECT c.customer_id, c.name_masked, c.surname, c.gender, c.city, c.age, c.is_student, "
            "c.is_overdue, c.marketing_consent, "
            "(SELECT list(DISTINCT o.channel ORDER BY o.channel) FROM opt_outs AS o "
            " WHERE o.customer_id = c.customer_id) AS opt_out_channels, "
            "EXISTS (SELECT 1 FROM do_not_call AS d WHERE d.customer_id = c.customer_id AND d.until >= $today) "
            "AS on_dnc FROM customers AS c WHERE c.customer_id = $lead_id"
        )
        rows = self._fetch(sql, {"lead_id": lead_id, "today": self.today()})
        if not rows:
            return None
        row = rows[0]
        return LeadRecord(
            lead_id=row[0],
            masked_name=row[1],
            surname=row[2],
            gender=row[3],
            city=row[4],
            age=row[5],
            is_student=row[6] is not False,
            is_overdue=row[7] is not False,
            marketing_consent=row[8] is True,
            opt_out_channels=list(row[9] or []),
            on_dnc=bool(row[10]),
        )

    def contact_count(self, lead_id: int, channel: str, days: int) -> int:
        """Contacts ``lead_id`` received on ``channel`` since the start of the day ``days`` days ago."""
        if channel not in TEXT_CHANNELS:
            raise SelectionError(f"unknown channel {channel!r}; expected one of {list(TEXT_CHANNELS)}")
        if days < 1:
            raise SelectionError(f"days must be at least 1, not {days}")
        since = day_start(self.today() - timedelta(days=days))
        sql = (
            "SELECT count(*) FROM contact_history "
            "WHERE customer_id = $lead_id AND channel = $channel AND contacted_at >= $since"
        )
        return int(self._fetch(sql, {"lead_id": lead_id, "channel": channel, "since": since})[0][0])

    # ----- plumbing -----

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.path.is_file():
            raise TagStoreError(f"tag store not found at {self.path}; build it first (build_demo_tag_store)")
        try:
            connection = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise TagStoreError(f"cannot open tag store {self.path} read-only: {exc}") from exc
        try:
            yield connection
        finally:
            connection.close()

    def _fetch(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        with self._connect() as connection:
            if not self._schema_checked:
                self._check_schema(connection)
            try:
                return connection.execute(sql, dict(params)).fetchall()
            except duckdb.Error as exc:
                raise TagStoreError(f"tag store query failed: {exc}") from exc

    def _check_schema(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Fail with the missing names, not with an engine error deep inside a query."""
        tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        missing_tables = [name for name in _REQUIRED_TABLES if name not in tables]
        if missing_tables:
            raise TagStoreError(f"tag store {self.path} lacks table(s) {missing_tables}")
        described = connection.execute("DESCRIBE customers").fetchall()
        columns = {row[0] for row in described}
        expected = {*self.catalog.codes, *EXCLUSION_COLUMNS, "customer_id", "surname", "name_masked"}
        missing = sorted(expected - columns)
        if missing:
            raise TagStoreError(f"tag store {self.path}: customers lacks column(s) {missing}; rebuild it")
        self._schema_checked = True


def _selection_sql(*, where: str, case: str, sample_placeholder: str) -> str:
    """One pass: tag each matched customer with the first exclusion that removes it, then count per tag.

    ``min(customer_id, n)`` keeps the n lowest ids of each group, so the sample costs no second query.
    """
    return (
        "WITH audience AS (\n"
        f"  SELECT c.customer_id, {case} AS excluded_by\n"
        f"  FROM customers AS c\n  WHERE {where}\n)\n"
        f"SELECT excluded_by, count(*) AS customers, min(customer_id, {sample_placeholder}) AS first_ids\n"
        "FROM audience GROUP BY excluded_by"
    )
