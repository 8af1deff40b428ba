"""Read a tag store's customers table, read-only and in id-range chunks, into one roaring bitmap per tag code.

DuckDB computes every row's codes (see :mod:`tools.tag_store.bitmap_layout`) so that values on a band edge are
compared exactly as the compiled audience SQL compares them; numpy splits each chunk's ids by code; pyroaring
builds a bitmap per code and chunk, OR-ed into the tag's accumulator. The bitmap element is the customer id
itself, which must fit in 32 bits (the demo's ids are dense: 1..N).
"""

from __future__ import annotations

import array
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from pyroaring import BitMap, FrozenBitMap

from tools.tag_store.bitmap_layout import IndexedTag
from tools.tag_store.errors import TagStoreError
from tools.tag_store.schema import enum_type_name

ProgressCallback = Callable[[int, int], None]
MAX_CUSTOMER_ID = 2**32 - 1
# Sparse ids must not turn into thousands of near-empty range queries.
_MAX_CHUNKS = 1024


class BitmapIndexError(TagStoreError):
    """The bitmap index cannot be built from this store (missing file, ids out of range, data off-catalog)."""


@dataclass(frozen=True)
class ReadBitmaps:
    """What a build read: the bitmaps per tag (indexed by code), everyone, and the row count."""

    bitmaps: dict[str, tuple[FrozenBitMap, ...]]
    universe: FrozenBitMap
    rows: int


def read_bitmaps(
    store_path: Path,
    layout: Mapping[str, IndexedTag],
    *,
    chunk_size: int,
    progress: ProgressCallback | None = None,
) -> ReadBitmaps:
    """Build every bitmap of ``layout`` from the store at ``store_path``."""
    if chunk_size < 1:
        raise BitmapIndexError(f"chunk_size must be at least 1, not {chunk_size}")
    if not store_path.is_file():
        raise BitmapIndexError(f"tag store not found at {store_path}; build it first")
    try:
        with closing(duckdb.connect(str(store_path), read_only=True)) as connection:
            return _read(connection, layout, chunk_size, progress)
    except duckdb.Error as exc:
        raise BitmapIndexError(f"cannot read tag store {store_path} for the bitmap index: {exc}") from exc


def _read(
    connection: duckdb.DuckDBPyConnection,
    layout: Mapping[str, IndexedTag],
    chunk_size: int,
    progress: ProgressCallback | None,
) -> ReadBitmaps:
    _check_columns(connection, layout)
    _check_enums(connection, layout)
    low, high, rows = _id_range(connection)
    sql, params = _chunk_query(layout)
    accumulators = {code: [BitMap() for _ in range(tag.code_count)] for code, tag in layout.items()}
    universe = BitMap()
    step = max(chunk_size, -(-(high - low + 1) // _MAX_CHUNKS))
    done = 0
    for start in range(low, high + 1, step):
        chunk = connection.execute(
            sql, {**params, "chunk_low": start, "chunk_high": start + step}
        ).fetchnumpy()
        ids = np.asarray(chunk["customer_id"]).astype(np.uint32)
        universe |= _bitmap_of(ids)
        for code, tag in layout.items():
            _add_chunk(tag, np.asarray(chunk[code]), ids, accumulators[code])
        done += int(ids.shape[0])
        if progress is not None:
            progress(done, rows)
    if len(universe) != rows:
        raise BitmapIndexError(f"customers has {rows} rows but {len(universe)} distinct customer ids")
    bitmaps = {code: tuple(FrozenBitMap(bitmap) for bitmap in maps) for code, maps in accumulators.items()}
    return ReadBitmaps(bitmaps=bitmaps, universe=FrozenBitMap(universe), rows=rows)


def _check_columns(connection: duckdb.DuckDBPyConnection, layout: Mapping[str, IndexedTag]) -> None:
    columns = {row[0] for row in connection.execute("DESCRIBE customers").fetchall()}
    missing = [code for code in ("customer_id", *layout) if code not in columns]
    if missing:
        raise BitmapIndexError(f"customers lacks column(s) {missing} of the catalog; rebuild the store")


def _check_enums(connection: duckdb.DuckDBPyConnection, layout: Mapping[str, IndexedTag]) -> None:
    """Category codes are ENUM positions; they only mean catalog positions if the two lists agree."""
    for tag in layout.values():
        if tag.kind != "category":
            continue
        row = connection.execute(f'SELECT enum_range(NULL::"{enum_type_name(tag.code)}")').fetchone()
        stored = tuple(row[0]) if row else ()
        if stored != tag.values:
            raise BitmapIndexError(
                f"column {tag.code!r} holds values {list(stored)} but the catalog lists {list(tag.values)}; "
                "rebuild the store or the catalog"
            )


def _id_range(connection: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    row = connection.execute("SELECT min(customer_id), max(customer_id), count(*) FROM customers").fetchone()
    assert row is not None  # an aggregate always returns one row
    low, high, rows = row
    if rows == 0:
        return 0, -1, 0
    if low < 0 or high > MAX_CUSTOMER_ID:
        raise BitmapIndexError(
            f"customer ids span {low}..{high}; the bitmap index needs ids in 0..{MAX_CUSTOMER_ID}"
        )
    return int(low), int(high), int(rows)


def _chunk_query(layout: Mapping[str, IndexedTag]) -> tuple[str, dict[str, Any]]:
    """One SELECT giving each row's id and every tag's code, for ids in ``[$chunk_low, $chunk_high)``."""
    params: dict[str, Any] = {}
    columns = ["customer_id"]
    for code, tag in layout.items():
        placeholders = []
        for position, edge in enumerate(tag.edges):
            name = f"edge_{code}_{position}"
            params[name] = float(edge)
            placeholders.append(f"${name}")
        columns.append(f"{tag.code_sql(f'c.{_quoted(code)}', placeholders)} AS {_quoted(code)}")
    sql = (
        f"SELECT {', '.join(columns)} FROM customers AS c "
        "WHERE c.customer_id >= $chunk_low AND c.customer_id < $chunk_high"
    )
    return sql, params


def _quoted(code: str) -> str:
    return f'"{code}"'


def _add_chunk(tag: IndexedTag, codes: np.ndarray, ids: np.ndarray, accumulators: list[BitMap]) -> None:
    """OR this chunk's ids into the bitmap of each code (NULL_CODE rows go nowhere)."""
    if codes.size and (int(codes.max()) >= tag.code_count or int(codes.min()) < -1):
        raise BitmapIndexError(f"column {tag.code!r} holds codes outside 0..{tag.code_count - 1}")
    for code in range(tag.code_count):
        members = ids[codes == code]
        if members.size:
            accumulators[code] |= _bitmap_of(members)


def _bitmap_of(ids: np.ndarray) -> BitMap:
    # pyroaring's constructor copies an array('I') buffer in one call; a numpy array goes element by element.
    return BitMap(array.array("I", np.ascontiguousarray(ids, dtype=np.uint32).tobytes()))
