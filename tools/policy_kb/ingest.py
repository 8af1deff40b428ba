"""Incremental ingestion into a Chroma collection: embed only new or changed documents, delete removed ones.

The whole corpus is parsed and chunked before anything is written, so a malformed document stops the ingest
with the index exactly as it was. Writes then go document by document — new chunks are upserted under new ids
before the document's old chunks are deleted — so an ingest that dies half-way (an embeddings endpoint going
down) leaves every document either in its old or its new version, and the next ingest picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from chromadb.api.models.Collection import Collection

from tools.policy_kb.chunk import chunk_document
from tools.policy_kb.documents import CorpusError, PolicyDocument
from tools.policy_kb.embedding import Embedder, FloatMatrix
from tools.policy_kb.models import IngestReport
from tools.policy_kb.records import IndexedChunk, chunk_record
from tools.policy_kb.vector_store import ChromaStore

ProgressCallback = Callable[[int, int, str], None]
"""Called after each document with (documents done, documents total, document id)."""


@dataclass(frozen=True)
class PreparedDocument:
    """A validated document and the chunk records it will be stored as."""

    doc: PolicyDocument
    chunks: list[IndexedChunk]


@dataclass
class Manifest:
    """What the collection holds per document: the content hashes present and the chunk ids."""

    hashes: dict[str, set[str]] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)

    def is_current(self, prepared: PreparedDocument) -> bool:
        """Stored exactly once, in this version, with every chunk (a crash can leave two versions or a part)."""
        doc_id = prepared.doc.id
        return self.hashes.get(doc_id) == {prepared.doc.content_hash} and sorted(self.ids[doc_id]) == sorted(
            c.id for c in prepared.chunks
        )


def prepare(documents: list[PolicyDocument]) -> list[PreparedDocument]:
    """Chunk every document; a document with no text to index is a CorpusError naming its file."""
    prepared = []
    for doc in documents:
        pieces = chunk_document(doc.body)
        if not pieces:
            raise CorpusError(
                f"{doc.source}: field 'body': no indexable text (only headings or blank lines)",
                source=doc.source,
                field="body",
            )
        chunks = [chunk_record(doc, i, piece.section, piece.text) for i, piece in enumerate(pieces)]
        prepared.append(PreparedDocument(doc, chunks))
    return prepared


def read_manifest(store: ChromaStore, collection: Collection) -> Manifest:
    """The manifest of a collection, read from its chunk metadata (IndexCorruptError on foreign data)."""
    manifest = Manifest()
    for chunk in store.chunks(collection):
        manifest.hashes.setdefault(chunk.doc_id, set()).add(chunk.doc_hash)
        manifest.ids.setdefault(chunk.doc_id, []).append(chunk.id)
    return manifest


def apply_changes(
    store: ChromaStore,
    collection: Collection,
    prepared: list[PreparedDocument],
    manifest: Manifest,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Bring the collection in line with ``prepared``; returns what changed."""
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    embedded = 0
    for done, item in enumerate(prepared, start=1):
        doc_id = item.doc.id
        if manifest.is_current(item):
            counts["unchanged"] += 1
        else:
            store.write(collection, item.chunks, embed_chunks(store.embedder, item.chunks))
            new_ids = {c.id for c in item.chunks}
            store.delete(collection, [i for i in manifest.ids.get(doc_id, []) if i not in new_ids])
            counts["changed" if doc_id in manifest.ids else "added"] += 1
            embedded += len(item.chunks)
        if progress is not None:
            progress(done, len(prepared), doc_id)
    gone = sorted(set(manifest.ids) - {item.doc.id for item in prepared})
    store.delete(collection, [chunk_id for doc_id in gone for chunk_id in manifest.ids[doc_id]])
    # The first completed ingest always sets a revision, even for an empty corpus: no revision = never built.
    if embedded or gone or not ChromaStore.revision(collection):
        store.mark_changed(collection)
    return IngestReport(
        **counts,
        removed=len(gone),
        chunks=sum(len(item.chunks) for item in prepared),
        embedder=store.embedder.name,
        embedded_chunks=embedded,
    )


def embed_chunks(embedder: Embedder, chunks: list[IndexedChunk]) -> FloatMatrix:
    """Passage vectors for ``chunks``, checked for the shape the collection expects."""
    vectors = embedder.embed_passages([c.embedding_text() for c in chunks])
    if vectors.shape != (len(chunks), embedder.dim):
        raise ValueError(f"embedder {embedder.name} returned shape {vectors.shape} for {len(chunks)} texts")
    return np.asarray(vectors, dtype=np.float32)
