"""Polars and pandas translations of audience expressions for the engine bench (same NULL rules as the SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from tools.tag_store import TagCatalog
from tools.tag_store.compile import day_start
from tools.tag_store.nodes import (
    AndNode,
    Node,
    NotContacted,
    NotNode,
    OrNode,
    TagCondition,
)
from tools.tag_store.schema import enum_type_name


@dataclass
class Frames:
    """One engine's in-memory customers (and, for not_contacted, contact history) plus literal conversion."""

    customers: Any
    contacts: Any
    labels: dict[str, list[str]]  # enum labels per column, for engines holding category codes
    column: Callable[[str], Any]
    isin: Callable[[Any, list[Any]], Any]
    notnull: Callable[[Any], Any]
    count: Callable[[Any], int]
    codes: bool  # category values are held as codes

    def literal(self, code: str, value: Any, catalog: TagCatalog) -> Any:
        tag = catalog.require(code)
        if tag.type == "date" and isinstance(value, str):
            return day_start(date.fromisoformat(value))
        if tag.type == "category" and self.codes:
            return self.labels[code].index(value)
        return value

    def mask(self, node: Node, catalog: TagCatalog, today: date) -> Any:
        if isinstance(node, AndNode | OrNode):
            parts = [self.mask(item, catalog, today) for item in node.items]
            result = parts[0]
            for part in parts[1:]:
                result = result & part if isinstance(node, AndNode) else result | part
            return result
        if isinstance(node, NotNode):
            return ~self.mask(node.operand, catalog, today)
        if isinstance(node, NotContacted):
            since = day_start(today - timedelta(days=node.not_contacted.days))
            channel = (
                self.labels["channel"].index(node.not_contacted.channel)
                if self.codes
                else node.not_contacted.channel
            )
            recent = self.contacts_of(channel, since)
            return ~self.isin(self.column("customer_id"), recent)
        return self.leaf(node, catalog, today)

    def contacts_of(self, channel: Any, since: datetime) -> Any:
        frame = self.contacts
        if isinstance(frame, pl.DataFrame):
            picked = frame.filter((pl.col("channel") == channel) & (pl.col("contacted_at") >= since))
            return picked.get_column("customer_id")
        return frame.customer_id[(frame.channel == channel) & (frame.contacted_at >= since)]

    def leaf(self, condition: TagCondition, catalog: TagCatalog, today: date) -> Any:
        tag = catalog.require(condition.tag)
        col, op, value = self.column(tag.code), condition.op, condition.value
        if op == "exists":
            return self.notnull(col)
        raw: list[Any] = value if isinstance(value, list) else [value]
        if tag.type == "category" and op in (
            "gte",
            "lte",
            "between",
        ):  # ordered: an IN over the catalog order
            first = 0 if op == "lte" else tag.values.index(str(raw[0]))
            last = len(tag.values) - 1 if op == "gte" else tag.values.index(str(raw[-1]))
            raw = list(tag.values[first : last + 1])
            op = "in"
        values = [self.literal(tag.code, item, catalog) for item in raw]
        if op == "within_days":
            assert isinstance(value, int)
            predicate = (col >= day_start(today - timedelta(days=value))) & (col <= day_start(today))
        elif op == "in":
            predicate = self.isin(col, values)
        elif op == "between":
            predicate = (col >= values[0]) & (col <= values[1])
        else:
            predicate = {"eq": col.__eq__, "ne": col.__ne__, "gte": col.__ge__, "lte": col.__le__}[op](
                values[0]
            )
        return (self.notnull(col) & predicate) if tag.nullable else predicate


def _enum_labels(connection: duckdb.DuckDBPyConnection, type_name: str) -> list[str]:
    row = connection.execute(f'SELECT enum_range(NULL::"{type_name}")').fetchone()
    return list(row[0]) if row else []


def load_polars(path: Path, catalog: TagCatalog) -> Frames:
    with duckdb.connect(str(path), read_only=True) as connection:
        categories = [tag.code for tag in catalog.tags if tag.type == "category"]
        labels = {code: _enum_labels(connection, enum_type_name(code)) for code in categories}
        labels["channel"] = _enum_labels(connection, "channel_enum")
        select = ", ".join(
            f'enum_code("{t.code}") AS "{t.code}"' if t.type == "category" else f'"{t.code}"'
            for t in catalog.tags
        )
        arrays = connection.execute(f"SELECT customer_id, {select} FROM customers").fetchnumpy()
        contacts = connection.execute(
            "SELECT customer_id, enum_code(channel) AS channel, contacted_at FROM contact_history"
        ).fetchnumpy()
    customers = pl.DataFrame({name: pl.Series(name, array) for name, array in arrays.items()})
    return Frames(
        customers=customers,
        contacts=pl.DataFrame({name: pl.Series(name, array) for name, array in contacts.items()}),
        labels=labels,
        column=pl.col,
        isin=lambda col, values: col.is_in(pl.Series(values).implode()),
        notnull=lambda col: col.is_not_null(),
        count=lambda mask: int(customers.select(mask.sum()).item()),
        codes=True,
    )


def load_pandas(path: Path, catalog: TagCatalog) -> Frames:
    columns = ", ".join(f'"{code}"' for code in catalog.codes)
    with duckdb.connect(str(path), read_only=True) as connection:
        customers = connection.execute(f"SELECT customer_id, {columns} FROM customers").df()
        contacts = connection.execute("SELECT customer_id, channel, contacted_at FROM contact_history").df()
    return Frames(
        customers=customers,
        contacts=contacts,
        labels={},
        column=customers.__getitem__,
        isin=lambda col, values: col.isin(values),
        notnull=lambda col: col.notna(),
        count=lambda mask: int(mask.sum()),
        codes=False,
    )


# ----- timing and report -----
