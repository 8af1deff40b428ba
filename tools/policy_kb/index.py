"""The policy knowledge base: incremental ingestion of the corpus and filtered, citable retrieval."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from core.clock import now
from core.domain import CHANNELS, PRODUCT_TYPES
from core.settings import get_settings
from tools.policy_kb.chunk import chunk_document
from tools.policy_kb.documents import (
    DEFAULT_CORPUS_DIR,
    DOC_TYPES,
    PolicyDocument,
    ensure_unique_ids,
    load_corpus,
)
from tools.policy_kb.embedding import Embedder, FloatMatrix, HashingEmbedder
from tools.policy_kb.models import IngestReport, Passage
from tools.policy_kb.product_sheets import render_product_sheets
from tools.policy_kb.retrieval import (
    LoadedIndex,
    SearchFilters,
    eligible_rows,
    fused_scores,
    to_passage,
    top_k,
)
from tools.policy_kb.store import (
    ChunkRecord,
    DocumentRecord,
    IndexCorruptError,
    IndexState,
    index_exists,
    index_signature,
    load_index,
    save_index,
)
from tools.products import load_products

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
"""Called after each document with (documents done, documents total, document id)."""


class KnowledgeBase:
    """Policy corpus + product sheets, chunked, embedded and persisted under ``kb_dir``.

    ``corpus_dir`` defaults to ``knowledge/policies``; product sheets are rendered from ``products_file``
    (default ``knowledge/products.yaml``) unless ``include_product_sheets`` is False. ``lexical_weight`` is the
    share of BM25 in the fused score: 0.6 suits the default hashing embedder (it ranked best on a small set of
    paraphrased questions); a real sentence-embedding model will usually want less.
    """

    def __init__(
        self,
        kb_dir: Path,
        corpus_dir: Path | None = None,
        embedder: Embedder | None = None,
        *,
        products_file: Path | None = None,
        include_product_sheets: bool = True,
        lexical_weight: float = 0.6,
    ) -> None:
        if not 0.0 <= lexical_weight <= 1.0:
            raise ValueError(f"lexical_weight must be within [0, 1], got {lexical_weight}")
        self.kb_dir = kb_dir
        self.corpus_dir = corpus_dir or DEFAULT_CORPUS_DIR
        self.embedder: Embedder = embedder or HashingEmbedder()
        self.products_file = products_file
        self.include_product_sheets = include_product_sheets
        self.lexical_weight = lexical_weight
        self.last_auto_ingest: IngestReport | None = None
        """Set when ``search`` had to build the index itself (none, corrupt, or another embedder's)."""
        self._cache: LoadedIndex | None = None

    # ---- ingestion -------------------------------------------------------------------------------------

    def ingest(self, progress: ProgressCallback | None = None) -> IngestReport:
        """(Re)index the corpus, embedding only documents that are new or whose content changed."""
        documents = self._collect_documents()
        previous, previous_vectors = self._reusable_index()
        chunks: list[ChunkRecord] = []
        blocks: list[FloatMatrix] = []
        records: dict[str, DocumentRecord] = {}
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        rows_by_doc = _rows_by_doc(previous.chunks)
        for done, doc in enumerate(documents, start=1):
            old = previous.documents.get(doc.id)
            if old is not None and old.content_hash == doc.content_hash:
                rows = rows_by_doc.get(doc.id, [])
                chunks.extend(previous.chunks[row] for row in rows)
                blocks.append(previous_vectors[rows])
                counts["unchanged"] += 1
            else:
                new_chunks, vectors = self._embed_document(doc)
                chunks.extend(new_chunks)
                blocks.append(vectors)
                counts["changed" if old is not None else "added"] += 1
            records[doc.id] = DocumentRecord(
                **doc.model_dump(exclude={"body"}), content_hash=doc.content_hash
            )
            if progress is not None:
                progress(done, len(documents), doc.id)
        removed = len(set(previous.documents) - set(records))
        state = IndexState(
            embedder=self.embedder.name, dim=self.embedder.dim, documents=records, chunks=chunks
        )
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, self.embedder.dim), np.float32)
        save_index(self.kb_dir, state, vectors)
        self._cache = None
        report = IngestReport(**counts, removed=removed, chunks=len(chunks), embedder=self.embedder.name)
        logger.info("knowledge base ingested into %s: %s", self.kb_dir, report.model_dump())
        return report

    def _collect_documents(self) -> list[PolicyDocument]:
        documents = load_corpus(self.corpus_dir)
        if self.include_product_sheets:
            documents.extend(render_product_sheets(load_products(self.products_file)))
        ensure_unique_ids(documents)
        return sorted(documents, key=lambda doc: doc.id)

    def _reusable_index(self) -> tuple[IndexState, FloatMatrix]:
        """The stored index if its vectors can be reused, else an empty one (and a log line saying why)."""
        empty = IndexState(embedder=self.embedder.name, dim=self.embedder.dim)
        if not index_exists(self.kb_dir):
            return empty, np.zeros((0, self.embedder.dim), np.float32)
        try:
            state, vectors = load_index(self.kb_dir)
        except IndexCorruptError as exc:
            logger.warning("rebuilding the knowledge base from scratch: %s", exc)
            return empty, np.zeros((0, self.embedder.dim), np.float32)
        if state.embedder != self.embedder.name:
            logger.warning(
                "rebuilding the knowledge base: built with %s, now %s", state.embedder, self.embedder.name
            )
            return empty, np.zeros((0, self.embedder.dim), np.float32)
        return state, vectors

    def _embed_document(self, doc: PolicyDocument) -> tuple[list[ChunkRecord], FloatMatrix]:
        pieces = chunk_document(doc.body)
        records = [ChunkRecord(doc_id=doc.id, section=piece.section, text=piece.text) for piece in pieces]
        # The title and section label are embedded with the text: a clause rarely repeats its law's name.
        texts = [f"{doc.title} {piece.section}\n{piece.text}" for piece in pieces]
        vectors = (
            self.embedder.embed_passages(texts) if texts else np.zeros((0, self.embedder.dim), np.float32)
        )
        if vectors.shape != (len(texts), self.embedder.dim):
            raise ValueError(
                f"embedder {self.embedder.name} returned shape {vectors.shape} for {len(texts)} texts"
            )
        return records, vectors.astype(np.float32, copy=False)

    # ---- retrieval -------------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        doc_type: str | None = None,
        product_type: str | None = None,
        channel: str | None = None,
        as_of: date | None = None,
    ) -> list[Passage]:
        """The ``k`` passages most relevant to ``query`` among documents in force on ``as_of`` (default today).

        Filters keep documents of that type, covering that product type, or applying to that channel.
        Relevance fuses the embedder's cosine with BM25 (see ``Passage.score``); ties keep index order.
        """
        if not query or not query.strip():
            raise ValueError("query must not be empty")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        _check_filter("doc_type", doc_type, DOC_TYPES)
        _check_filter("product_type", product_type, PRODUCT_TYPES)
        _check_filter("channel", channel, CHANNELS)
        day = as_of or now().astimezone(get_settings().tz).date()
        filters = SearchFilters(as_of=day, doc_type=doc_type, product_type=product_type, channel=channel)
        index = self._current_index()
        rows = eligible_rows(index.state, filters)
        if rows.size == 0:
            return []
        query_vector = self.embedder.embed_query(query)
        scores = fused_scores(index, rows, query, query_vector, self.lexical_weight)
        return [to_passage(index.state, row, score) for row, score in top_k(rows, scores, k)]

    def _current_index(self) -> LoadedIndex:
        """The stored index, reloaded when another process rewrote it; built first when it is not usable."""
        signature = index_signature(self.kb_dir)
        if self._cache is not None and self._cache.signature == signature:
            return self._cache
        loaded, reason = self._load_usable()
        if loaded is None:
            logger.warning(
                "knowledge base in %s %s; ingesting the corpus before searching", self.kb_dir, reason
            )
            self.last_auto_ingest = self.ingest()
            logger.warning("automatic ingest finished: %s", self.last_auto_ingest.model_dump())
            signature = index_signature(self.kb_dir)
            loaded = load_index(self.kb_dir)
        self._cache = LoadedIndex(state=loaded[0], vectors=loaded[1], signature=signature)
        return self._cache

    def _load_usable(self) -> tuple[tuple[IndexState, FloatMatrix] | None, str]:
        """The stored index if search can use it as is, else None and the reason why not."""
        if not index_exists(self.kb_dir):
            return None, "has no index yet"
        try:
            state, vectors = load_index(self.kb_dir)
        except IndexCorruptError as exc:
            return None, f"has an unusable index ({exc})"
        if state.embedder != self.embedder.name:
            return None, f"was indexed with {state.embedder}, not {self.embedder.name}"
        return (state, vectors), ""


def _rows_by_doc(chunks: list[ChunkRecord]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        rows.setdefault(chunk.doc_id, []).append(row)
    return rows


def _check_filter(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {allowed}")
