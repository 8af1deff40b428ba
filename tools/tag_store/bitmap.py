"""An in-memory roaring-bitmap index over a tag store, for audience counts while the marketer types.

Typical use::

    index = BitmapIndex.build(store.path, store.catalog)
    if index.supports(expression):
        size = index.count(expression)      # ~ms at 10M customers; identical to TagStore.count

Only boolean, category and preset-band numeric conditions combined with and/or/not are answered (see
:mod:`tools.tag_store.bitmap_plan`); :class:`tools.tag_store.bitmap_live.LiveCounter` routes the rest to DuckDB.
The index is a snapshot of the file it was built from: :meth:`BitmapIndex.is_current` says whether that file
has been replaced since (the demo builder and the tag refresh replace it atomically, so its identity changes).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pyroaring import BitMap, FrozenBitMap

from tools.tag_store.bitmap_build import BitmapIndexError, ProgressCallback, read_bitmaps
from tools.tag_store.bitmap_layout import IndexedTag, index_layout
from tools.tag_store.bitmap_plan import AndPlan, LeafPlan, NotPlan, OrPlan, Plan, Unsupported, plan_expression
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.nodes import AudienceExpression, Node

DEFAULT_CHUNK_SIZE = 1_000_000

__all__ = ["BitmapIndex", "BitmapIndexError", "FileSignature", "UnsupportedExpressionError"]


class UnsupportedExpressionError(ValueError):
    """The bitmap index was asked for an expression it cannot answer exactly (check ``supports`` first)."""

    def __init__(self, unsupported: Unsupported) -> None:
        self.unsupported = unsupported
        super().__init__(f"the bitmap index cannot answer this expression: {unsupported}")


@dataclass(frozen=True)
class FileSignature:
    """Identity of a store file: a rebuild (atomic replace) or an in-place write changes it."""

    inode: int
    size: int
    modified_ns: int

    @classmethod
    def of(cls, path: Path) -> FileSignature:
        stat = path.stat()
        return cls(inode=stat.st_ino, size=stat.st_size, modified_ns=stat.st_mtime_ns)


class BitmapIndex:
    """One frozen bitmap per bool value, category value and numeric band interval, plus the universe."""

    def __init__(
        self,
        *,
        catalog: TagCatalog,
        layout: Mapping[str, IndexedTag],
        bitmaps: Mapping[str, tuple[FrozenBitMap, ...]],
        universe: FrozenBitMap,
        source: Path,
        signature: FileSignature,
        build_seconds: float = 0.0,
    ) -> None:
        missing = [code for code, tag in layout.items() if len(bitmaps.get(code, ())) != tag.code_count]
        if missing:
            raise BitmapIndexError(f"bitmaps missing or incomplete for tag(s) {missing}")
        self.catalog = catalog
        self.layout = dict(layout)
        self._bitmaps = dict(bitmaps)
        self.universe = universe
        self.source = source
        self.signature = signature
        self.build_seconds = build_seconds

    @classmethod
    def build(
        cls,
        store_path: Path,
        catalog: TagCatalog | None = None,
        progress: ProgressCallback | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> BitmapIndex:
        """Read the store's customers table (read-only, ``chunk_size`` ids per query) into bitmaps.

        ``progress(rows_done, rows_total)`` is called after each chunk.
        """
        started = time.perf_counter()
        catalog = catalog or TagCatalog.default()
        layout = index_layout(catalog)
        # Taken before reading: if the file is replaced while we read, the index reports itself stale.
        signature = FileSignature.of(store_path) if store_path.is_file() else FileSignature(0, 0, 0)
        read = read_bitmaps(store_path, layout, chunk_size=chunk_size, progress=progress)
        return cls(
            catalog=catalog,
            layout=layout,
            bitmaps=read.bitmaps,
            universe=read.universe,
            source=store_path,
            signature=signature,
            build_seconds=time.perf_counter() - started,
        )

    # ----- state -----

    @property
    def customers(self) -> int:
        return len(self.universe)

    def is_current(self) -> bool:
        """True while the store file is the one the index was built from."""
        try:
            return FileSignature.of(self.source) == self.signature
        except OSError:
            return False

    def memory_bytes(self) -> int:
        """Bytes held by the bitmap containers (what roaring reports; Python object overhead aside)."""
        maps = [self.universe, *(bitmap for maps in self._bitmaps.values() for bitmap in maps)]
        total = 0
        for bitmap in maps:
            stats = bitmap.get_statistics()
            total += stats["n_bytes_array_containers"] + stats["n_bytes_run_containers"]
            total += stats["n_bytes_bitset_containers"]
        return total

    # ----- queries -----

    def plan(self, expression: AudienceExpression | Node) -> Plan | Unsupported:
        """The bitmap plan of ``expression``, or why there is none."""
        node = expression.root if isinstance(expression, AudienceExpression) else expression
        return plan_expression(node, self.layout)

    def supports(self, expression: AudienceExpression | Node) -> bool:
        """Whether ``count``/``ids`` can answer ``expression`` exactly as the SQL compiler would."""
        return not isinstance(self.plan(expression), Unsupported)

    def count(self, expression: AudienceExpression | Node) -> int:
        """Customers matching ``expression`` (before policy exclusions), like ``TagStore.count``."""
        return self._count(self._required_plan(expression))

    def ids(self, expression: AudienceExpression | Node) -> BitMap:
        """Ids of the customers matching ``expression``, as a new (mutable) bitmap."""
        return BitMap(self._evaluate(self._required_plan(expression)))

    def _required_plan(self, expression: AudienceExpression | Node) -> Plan:
        planned = self.plan(expression)
        if isinstance(planned, Unsupported):
            raise UnsupportedExpressionError(planned)
        return planned

    def _count(self, plan: Plan) -> int:
        # The commonest live-count shapes never materialise their result bitmap.
        if isinstance(plan, NotPlan):
            return len(self.universe) - self._count(plan.item)
        if isinstance(plan, AndPlan) and len(plan.items) == 2:
            first, second = plan.items
            if isinstance(second, NotPlan) and not isinstance(first, NotPlan):
                return self._evaluate(first).difference_cardinality(self._evaluate(second.item))
            if not isinstance(first, NotPlan) and not isinstance(second, NotPlan):
                return self._evaluate(first).intersection_cardinality(self._evaluate(second))
        if isinstance(plan, OrPlan) and len(plan.items) == 2:
            return self._evaluate(plan.items[0]).union_cardinality(self._evaluate(plan.items[1]))
        return len(self._evaluate(plan))

    def _evaluate(self, plan: Plan) -> FrozenBitMap:
        """The plan's bitmap; stored bitmaps are returned as they are (frozen, so nobody can change them)."""
        if isinstance(plan, LeafPlan):
            maps = [self._bitmaps[plan.tag][code] for code in plan.codes]
            if not maps:
                return FrozenBitMap()
            return maps[0] if len(maps) == 1 else maps[0].union(*maps[1:])
        if isinstance(plan, NotPlan):
            return self.universe - self._evaluate(plan.item)
        if isinstance(plan, OrPlan):
            maps = [self._evaluate(item) for item in plan.items]
            return maps[0] if len(maps) == 1 else maps[0].union(*maps[1:])
        return self._evaluate_and(plan)

    def _evaluate_and(self, plan: AndPlan) -> FrozenBitMap:
        """Intersect the positive items (smallest first), then subtract the negated ones: NOT costs no complement."""
        positives = [self._evaluate(item) for item in plan.items if not isinstance(item, NotPlan)]
        negatives = [self._evaluate(item.item) for item in plan.items if isinstance(item, NotPlan)]
        if positives:
            positives.sort(key=len)
            result = positives[0] if len(positives) == 1 else positives[0].intersection(*positives[1:])
        else:
            result = self.universe
        if negatives:
            removed = negatives[0] if len(negatives) == 1 else negatives[0].union(*negatives[1:])
            result = result - removed
        return result
