"""Which tags the bitmap index holds, and how each customer's value becomes a small integer *code*.

The index keeps one bitmap per code of each indexed tag:

* bool tags: code 0 = false, 1 = true;
* category tags: the value's position in the catalog's ``values`` list;
* number tags with preset bands: the position of the *elementary interval* the value falls in, where the
  intervals are cut at every distinct band edge: ``(-inf, e0), [e0, e1), ..., [e_last, +inf)``. Bands may
  overlap (近7天 / 近30天 / 近90天 all start at 0), so storing elementary intervals rather than bands lets
  every band, and every union of adjacent bands, be answered exactly.

NULL gets no code (and so no bitmap): the SQL compiler guards every nullable leaf with ``IS NOT NULL``, so a
customer with an unknown value satisfies no condition on that tag, which is exactly "in none of its bitmaps".
Date tags and sensitive tags are not indexed (dates move with "today"; sensitive data stays out of memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tools.tag_store.catalog import TagCatalog
from tools.tag_store.tags import TagDef

NULL_CODE = -1
IndexedKind = Literal["bool", "category", "number"]


@dataclass(frozen=True)
class IndexedTag:
    """One indexed tag: its kind, how many codes it has and, for numbers, the sorted interval edges."""

    code: str
    kind: IndexedKind
    nullable: bool
    integer: bool = False
    ordered: bool = False
    values: tuple[str, ...] = ()
    edges: tuple[float, ...] = ()

    @property
    def code_count(self) -> int:
        """Number of distinct codes (bitmaps) of this tag."""
        if self.kind == "bool":
            return 2
        if self.kind == "category":
            return len(self.values)
        return len(self.edges) + 1

    @property
    def all_codes(self) -> tuple[int, ...]:
        """Every code: the customers with any (non-NULL) value."""
        return tuple(range(self.code_count))

    def code_sql(self, column: str, edge_placeholders: list[str]) -> str:
        """SQL giving this tag's code for one row (``NULL_CODE`` for NULL), as a SMALLINT.

        ``edge_placeholders`` are the bound parameters holding ``edges`` (numbers only): comparing against
        DOUBLE parameters is exactly what the compiled audience SQL does, so a value on an edge lands on the
        same side here as there.
        """
        if self.kind == "bool":
            return f"CAST(coalesce(CAST({column} AS TINYINT), {NULL_CODE}) AS SMALLINT)"
        if self.kind == "category":
            return f"CAST(coalesce(enum_code({column}), {NULL_CODE}) AS SMALLINT)"
        branches = " ".join(
            f"WHEN {column} < {placeholder} THEN {index}"
            for index, placeholder in enumerate(edge_placeholders)
        )
        return (
            f"CAST(CASE WHEN {column} IS NULL THEN {NULL_CODE} {branches} "
            f"ELSE {len(edge_placeholders)} END AS SMALLINT)"
        )


def indexed_tag(tag: TagDef) -> IndexedTag | None:
    """How ``tag`` is indexed, or None when it is not (dates, sensitive tags, numbers without bands)."""
    if tag.is_sensitive:
        return None
    if tag.type == "bool":
        return IndexedTag(tag.code, "bool", tag.nullable)
    if tag.type == "category":
        return IndexedTag(tag.code, "category", tag.nullable, ordered=tag.ordered, values=tag.values)
    if tag.type == "number" and tag.bands:
        edges = {edge for band in tag.bands for edge in (band.min, band.max) if edge is not None}
        return IndexedTag(tag.code, "number", tag.nullable, integer=tag.integer, edges=tuple(sorted(edges)))
    return None


def index_layout(catalog: TagCatalog) -> dict[str, IndexedTag]:
    """Every indexable tag of ``catalog``, by code, in catalog order."""
    layout = {}
    for tag in catalog.tags:
        indexed = indexed_tag(tag)
        if indexed is not None:
            layout[tag.code] = indexed
    return layout
