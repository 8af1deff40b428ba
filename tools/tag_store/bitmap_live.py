"""Live audience counts: the bitmap index when it can answer exactly, DuckDB otherwise, saying which did."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.tag_store.bitmap import BitmapIndex, BitmapIndexError
from tools.tag_store.bitmap_plan import Unsupported
from tools.tag_store.nodes import AudienceExpression
from tools.tag_store.store import TagStore

Engine = Literal["bitmap", "duckdb"]


class LiveCount(BaseModel):
    """One live count: the size before policy exclusions, the engine that answered and how long it took."""

    model_config = ConfigDict(frozen=True)

    size: int = Field(ge=0)
    engine: Engine
    elapsed_ms: float = Field(ge=0)
    fallback_reason: str | None = Field(
        default=None, description="Why DuckDB answered instead of the bitmap index (None when the index did)."
    )


class LiveCounter:
    """Counts ``expression`` with the bitmap index when it supports it, else with ``TagStore.count``."""

    def __init__(self, store: TagStore, index: BitmapIndex | None = None) -> None:
        """``index`` must have been built from ``store``'s file with the same catalog; None = DuckDB only."""
        if index is not None:
            if index.source.resolve() != store.path.resolve():
                raise BitmapIndexError(f"the bitmap index was built from {index.source}, not {store.path}")
            if index.catalog is not store.catalog and index.catalog.tags != store.catalog.tags:
                raise BitmapIndexError(
                    "the bitmap index was built with a different tag catalog than the store's"
                )
        self.store = store
        self.index = index

    def count(self, expression: AudienceExpression) -> LiveCount:
        """Audience size with the engine that answered; both engines give the same number."""
        started = time.perf_counter()
        reason = self._fallback_reason(expression)
        engine: Engine
        if reason is None:
            assert self.index is not None  # no reason to fall back means there is an index
            size, engine = self.index.count(expression), "bitmap"
        else:
            size, engine = self.store.count(expression), "duckdb"
        elapsed_ms = (time.perf_counter() - started) * 1000
        return LiveCount(size=size, engine=engine, elapsed_ms=elapsed_ms, fallback_reason=reason)

    def _fallback_reason(self, expression: AudienceExpression) -> str | None:
        if self.index is None:
            return "no bitmap index"
        if not self.index.is_current():
            return "the store file changed since the bitmap index was built"
        planned = self.index.plan(expression)
        return str(planned) if isinstance(planned, Unsupported) else None
