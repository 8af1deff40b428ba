"""Plan an audience expression for the bitmap index: each leaf becomes the set of codes whose bitmaps it unions.

A plan exists only when the bitmaps answer *exactly* what the SQL compiler (:mod:`tools.tag_store.compile`)
answers: bool ``eq``/``ne``/``exists``, category ``eq``/``ne``/``in``/``exists`` (and the range operators of
ordered categories), and number conditions whose bounds fall on the catalog's preset band edges. Anything else
(dates, ``not_contacted``, arbitrary thresholds, values the catalog would reject) yields :class:`Unsupported`
with the JSON path and the reason, and the caller falls back to DuckDB.

NULL semantics: the compiler makes every leaf two-valued (a nullable column is guarded by ``IS NOT NULL``), so
``not`` means "every other customer", unknown values included: the complement against the universe.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from tools.tag_store.bitmap_layout import IndexedTag
from tools.tag_store.nodes import AndNode, Node, NotContacted, NotNode, OrNode, TagCondition

# Beyond 2**53 a float no longer holds every integer, so a bound there could compare differently in SQL.
_EXACT_FLOAT_LIMIT = 2.0**53
_INF = math.inf


@dataclass(frozen=True)
class LeafPlan:
    """Customers whose ``tag`` code is one of ``codes`` (no codes: nobody)."""

    tag: str
    codes: tuple[int, ...]


@dataclass(frozen=True)
class AndPlan:
    items: tuple[Plan, ...]


@dataclass(frozen=True)
class OrPlan:
    items: tuple[Plan, ...]


@dataclass(frozen=True)
class NotPlan:
    item: Plan


Plan = LeafPlan | AndPlan | OrPlan | NotPlan


@dataclass(frozen=True)
class Unsupported:
    """Why the bitmap index cannot answer an expression: the first offending node and the reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def plan_expression(node: Node, layout: Mapping[str, IndexedTag], path: str = "$") -> Plan | Unsupported:
    """The bitmap plan of ``node``, or the first reason it has none."""
    if isinstance(node, AndNode | OrNode):
        key = "and" if isinstance(node, AndNode) else "or"
        items: list[Plan] = []
        for index, item in enumerate(node.items):
            planned = plan_expression(item, layout, f"{path}.{key}[{index}]")
            if isinstance(planned, Unsupported):
                return planned
            items.append(planned)
        return _merged_and(items) if key == "and" else _merged_or(items)
    if isinstance(node, NotNode):
        operand = plan_expression(node.operand, layout, f"{path}.not")
        return operand if isinstance(operand, Unsupported) else NotPlan(operand)
    if isinstance(node, NotContacted):
        return Unsupported(path, "contact-history predicates are answered by DuckDB")
    return _plan_condition(node, layout, path)


def _merged_and(items: list[Plan]) -> Plan:
    """Fold leaves on the same tag into one code set, so each tag costs at most one bitmap union.

    Positive leaves on a tag intersect their codes; a negated leaf on a tag that also has a positive leaf
    removes its codes (the positive already excludes NULL); negated leaves on a tag without one merge into a
    single NOT of their union. All three are identities of set algebra over the tag's disjoint code bitmaps.
    """
    positive: dict[str, set[int]] = {}
    negative: dict[str, set[int]] = {}
    others: list[Plan] = []
    for item in items:
        if isinstance(item, LeafPlan):
            codes = set(item.codes)
            positive[item.tag] = positive[item.tag] & codes if item.tag in positive else codes
        elif isinstance(item, NotPlan) and isinstance(item.item, LeafPlan):
            negative.setdefault(item.item.tag, set()).update(item.item.codes)
        else:
            others.append(item)
    merged: list[Plan] = [
        LeafPlan(tag, tuple(sorted(codes - negative.pop(tag, set())))) for tag, codes in positive.items()
    ]
    merged += [NotPlan(LeafPlan(tag, tuple(sorted(codes)))) for tag, codes in negative.items()]
    merged += others
    return merged[0] if len(merged) == 1 else AndPlan(tuple(merged))


def _merged_or(items: list[Plan]) -> Plan:
    """Fold positive leaves on the same tag into one leaf with the union of their codes."""
    leaves: dict[str, set[int]] = {}
    others: list[Plan] = []
    for item in items:
        if isinstance(item, LeafPlan):
            leaves.setdefault(item.tag, set()).update(item.codes)
        else:
            others.append(item)
    merged: list[Plan] = [LeafPlan(tag, tuple(sorted(codes))) for tag, codes in leaves.items()] + others
    return merged[0] if len(merged) == 1 else OrPlan(tuple(merged))


def _plan_condition(
    condition: TagCondition, layout: Mapping[str, IndexedTag], path: str
) -> Plan | Unsupported:
    tag = layout.get(condition.tag)
    if tag is None:
        return Unsupported(f"{path}.tag", f"tag {condition.tag!r} is not in the bitmap index")
    if condition.op == "exists":
        codes: tuple[int, ...] | str = tag.all_codes if condition.value is None else "exists takes no value"
    elif tag.kind == "bool":
        codes = _bool_codes(condition)
    elif tag.kind == "category":
        codes = _category_codes(tag, condition)
    else:
        codes = _number_codes(tag, condition)
    if isinstance(codes, str):
        return Unsupported(path, codes)
    return LeafPlan(tag.code, codes)


def _bool_codes(condition: TagCondition) -> tuple[int, ...] | str:
    value = condition.value
    if condition.op not in ("eq", "ne") or not isinstance(value, bool):
        return f"bool condition {condition.op} {value!r} is answered by DuckDB"
    wanted = value if condition.op == "eq" else not value
    return (int(wanted),)


def _category_codes(tag: IndexedTag, condition: TagCondition) -> tuple[int, ...] | str:
    op, value = condition.op, condition.value
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item in tag.values for item in items):
        return f"{tag.code} {op} {value!r}: not values of the catalog"
    positions = [tag.values.index(str(item)) for item in items]
    if op == "eq" and len(positions) == 1 and not isinstance(value, list):
        return (positions[0],)
    if op == "ne" and len(positions) == 1 and not isinstance(value, list):
        return tuple(code for code in tag.all_codes if code != positions[0])
    if op == "in" and isinstance(value, list):
        return tuple(sorted(set(positions)))
    if tag.ordered and op in ("gte", "lte") and not isinstance(value, list):
        return tuple(range(positions[0], len(tag.values))) if op == "gte" else tuple(range(positions[0] + 1))
    if tag.ordered and op == "between" and len(positions) == 2 and positions[0] <= positions[1]:
        return tuple(range(positions[0], positions[1] + 1))
    return f"category condition {op} {value!r} on {tag.code} is answered by DuckDB"


def _number_codes(tag: IndexedTag, condition: TagCondition) -> tuple[int, ...] | str:
    intervals = _number_intervals(tag, condition.op, condition.value)
    if isinstance(intervals, str):
        return intervals
    codes: set[int] = set()
    for low, high in intervals:
        covered = _interval_codes(tag, low, high)
        if covered is None:
            edges = ", ".join(f"{edge:g}" for edge in tag.edges)
            return (
                f"{tag.code} {condition.op} {condition.value!r} does not fall on the preset band edges "
                f"({edges}); answered by DuckDB"
            )
        codes.update(covered)
    return tuple(sorted(codes))


def _number_intervals(tag: IndexedTag, op: str, value: object) -> list[tuple[float, float]] | str:
    """The half-open intervals ``[low, high)`` of values the condition selects (exact, or a reason)."""
    floats = _exact_numbers(value if isinstance(value, list) else [value])
    if not floats:
        return f"{tag.code} {op} {value!r}: not plain finite numbers"
    if op == "gte" and len(floats) == 1 and not isinstance(value, list):
        return [(math.ceil(floats[0]) if tag.integer else floats[0], _INF)]
    if not tag.integer:
        # On a continuous tag only ">= edge" (and "not >= edge", via NOT) map onto half-open intervals.
        return f"{tag.code} {op} {value!r}: only gte on a band edge is indexed for a continuous tag"
    if op == "lte" and not isinstance(value, list):
        return [(-_INF, math.floor(floats[0]) + 1)]
    if op == "between" and isinstance(value, list) and len(floats) == 2:
        return [(math.ceil(floats[0]), math.floor(floats[1]) + 1)]
    if op == "eq" and not isinstance(value, list):
        return [_whole_point(floats[0])]
    if op == "in" and isinstance(value, list):
        return [_whole_point(item) for item in floats]
    if op == "ne" and not isinstance(value, list):
        if not floats[0].is_integer():
            return [(-_INF, _INF)]  # a whole number is never equal to a fraction: every known value
        return [(-_INF, floats[0]), (floats[0] + 1, _INF)]
    return f"number condition {op} {value!r} on {tag.code} is answered by DuckDB"


def _whole_point(number: float) -> tuple[float, float]:
    """The integers equal to ``number``: ``[n, n + 1)``, or an empty interval for a fraction."""
    return (number, number + 1) if number.is_integer() else (0.0, 0.0)


def _exact_numbers(items: list[object]) -> list[float] | None:
    """The items as floats when every one is a finite int/float that a float holds exactly, else None."""
    numbers: list[float] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float):
            return None
        if not math.isfinite(item) or abs(item) > _EXACT_FLOAT_LIMIT:
            return None
        numbers.append(float(item))
    return numbers


def _interval_codes(tag: IndexedTag, low: float, high: float) -> range | None:
    """Codes whose elementary intervals make up ``[low, high)`` exactly; None when a bound is off-edge."""
    if low >= high:
        return range(0)
    start = 0 if low == -_INF else _edge_position(tag, low)
    stop = len(tag.edges) + 1 if high == _INF else _edge_position(tag, high)
    if start is None or stop is None:
        return None
    return range(start, stop)


def _edge_position(tag: IndexedTag, bound: float) -> int | None:
    """Code of the elementary interval starting at ``bound`` (interval ``i + 1`` starts at edge ``i``)."""
    return tag.edges.index(bound) + 1 if bound in tag.edges else None
