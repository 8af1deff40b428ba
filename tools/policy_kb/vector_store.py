"""One embedder's Chroma collection: chunk records in, filtered nearest neighbours and manifests out.

Each embedder gets its own collection (the name is derived from the embedder's name), so switching embedders
never mixes vectors of two models, and switching back finds the old index intact. The collection metadata
carries the format version and a ``revision`` that changes whenever an ingest changed something: processes that
cache the BM25 sidecar compare it to notice another process's ingest.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError

from tools.policy_kb.chroma_ef import embedding_function
from tools.policy_kb.embedding import Embedder, FloatMatrix
from tools.policy_kb.records import FORMAT_VERSION, IndexCorruptError, IndexedChunk, from_stored, to_metadata

_PAGE = 1000
"""Rows per ``get`` call when reading a whole collection (bounded memory per call on a server)."""


def collection_name(embedder_name: str) -> str:
    """``policy-kb-<slug>-<hash>``: readable, unique per embedder, within Chroma's [a-zA-Z0-9._-]{3,512}."""
    slug = re.sub(r"[^a-z0-9]+", "-", embedder_name.lower()).strip("-")[:48].strip("-")
    digest = hashlib.sha256(embedder_name.encode("utf-8")).hexdigest()[:10]
    return f"policy-kb-{slug}-{digest}"


class ChromaStore:
    """The collection of ``embedder`` in ``client``; opened lazily, created on the first write."""

    def __init__(self, client: ClientAPI, embedder: Embedder) -> None:
        self.client = client
        self.embedder = embedder
        self.name = collection_name(embedder.name)

    def existing(self) -> Collection | None:
        """The collection, or None when it was never created (or was deleted)."""
        try:
            function = embedding_function(self.embedder)
            return self.client.get_collection(self.name, embedding_function=function)  # type: ignore[arg-type]
        except NotFoundError:
            return None

    def create_or_open(self) -> Collection:
        """The collection, created with cosine space and our registered embedding function if missing."""
        found = self.existing()
        if found is not None:
            return found
        return self.client.get_or_create_collection(  # another process may create it between the two calls
            self.name,
            embedding_function=embedding_function(self.embedder),  # type: ignore[arg-type]
            metadata={
                "hnsw:space": "cosine",
                "format_version": FORMAT_VERSION,
                "embedder": self.embedder.name,
            },
        )

    def drop(self) -> None:
        """Delete the collection (a rebuild after a format change or foreign data)."""
        if self.existing() is not None:
            self.client.delete_collection(self.name)

    @staticmethod
    def check_format(collection: Collection) -> None:
        """IndexCorruptError unless the collection was written in this module's format."""
        version = (collection.metadata or {}).get("format_version")
        if version != FORMAT_VERSION:
            raise IndexCorruptError(
                f"collection {collection.name} has format {version}, expected {FORMAT_VERSION}"
            )

    @staticmethod
    def revision(collection: Collection) -> str:
        return str((collection.metadata or {}).get("revision", ""))

    def mark_changed(self, collection: Collection) -> None:
        """Give the collection a new revision (hnsw:space is configuration now and must not be re-sent)."""
        metadata = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
        collection.modify(metadata={**metadata, "revision": uuid.uuid4().hex})

    def write(self, collection: Collection, chunks: list[IndexedChunk], vectors: FloatMatrix) -> None:
        """Upsert chunks with their precomputed vectors, in batches Chroma accepts."""
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        batch = max(1, self.client.get_max_batch_size())
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + batch],
                documents=[c.text for c in part],
                metadatas=[to_metadata(c) for c in part],
            )

    def delete(self, collection: Collection, ids: list[str]) -> None:
        batch = max(1, self.client.get_max_batch_size())
        for start in range(0, len(ids), batch):
            collection.delete(ids=ids[start : start + batch])

    def chunks(self, collection: Collection) -> Iterator[IndexedChunk]:
        """Every stored chunk (text and metadata, no vectors), page by page."""
        offset = 0
        while True:
            page = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            ids = page["ids"]
            documents = _required(page["documents"], "documents")
            metadatas = _required(page["metadatas"], "metadatas")
            for chunk_id, text, metadata in zip(ids, documents, metadatas, strict=True):
                yield from_stored(chunk_id, text, metadata)
            if len(ids) < _PAGE:
                return
            offset += _PAGE

    def nearest(
        self, collection: Collection, query_vector: FloatMatrix, n: int, where: dict[str, Any]
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of up to ``n`` chunks passing ``where``, most similar first.

        Only distances are fetched: asking Chroma for documents and metadatas too costs ~14 ms per query for 50
        results, seven times the search itself, and the sidecar already holds every chunk's text and metadata.
        """
        result = collection.query(
            query_embeddings=[query_vector.tolist()], n_results=n, where=where, include=["distances"]
        )
        distances = _required(result["distances"], "distances")[0]
        return [(chunk_id, 1.0 - float(d)) for chunk_id, d in zip(result["ids"][0], distances, strict=True)]

    def fetch(self, collection: Collection, ids: list[str]) -> list[IndexedChunk]:
        """The stored chunks with these ids (absent ids are skipped)."""
        if not ids:
            return []
        found = collection.get(ids=ids, include=["documents", "metadatas"])
        documents = _required(found["documents"], "documents")
        metadatas = _required(found["metadatas"], "metadatas")
        return [from_stored(i, t, m) for i, t, m in zip(found["ids"], documents, metadatas, strict=True)]

    def vectors(self, collection: Collection, ids: list[str]) -> dict[str, FloatMatrix]:
        """Stored vectors by id (ids deleted since the caller saw them are simply absent)."""
        if not ids:
            return {}
        found = collection.get(ids=ids, include=["embeddings"])
        rows = np.asarray(_required(found["embeddings"], "embeddings"), dtype=np.float32)
        return {chunk_id: rows[i] for i, chunk_id in enumerate(found["ids"])}


T = TypeVar("T")


def _required(column: T | None, name: str) -> T:
    """A column Chroma was asked to include; missing means the server is not speaking the expected protocol."""
    if column is None:
        raise IndexCorruptError(f"Chroma returned no {name} although they were requested")
    return column
