"""How one chunk is stored in Chroma: its id, its metadata (everything a citation and a filter need), and back.

Every chunk carries its document's metadata, so a search result can be cited without another lookup and
Chroma's ``where=`` can filter on it. Dates are stored as ``YYYYMMDD`` integers because Chroma compares numbers,
not dates; an open-ended document gets ``OPEN_END``. Product types and channels are string lists, which
``$contains`` matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from tools.policy_kb.documents import DocType, Evidence, PolicyDocument
from tools.policy_kb.models import Passage, section_citation

OPEN_END = 99991231
"""``effective_to`` of a document in force until further notice."""
FORMAT_VERSION = 2
"""Bumped whenever the metadata layout changes; a collection of another version is rebuilt."""


class IndexCorruptError(RuntimeError):
    """The stored index cannot be trusted (foreign metadata, another format version)."""


class IndexedChunk(BaseModel):
    """One chunk as stored: text, position in its document, and its document's citation metadata."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    doc_id: str
    doc_hash: str
    position: int
    section: str
    text: str
    title: str
    citation: str
    evidence: Evidence
    issuer: str
    doc_type: DocType
    effective_from: int
    effective_to: int
    products: tuple[str, ...]
    channels: tuple[str, ...]

    def to_passage(self, score: float) -> Passage:
        """The search result for this chunk, with its section citation."""
        return Passage(
            doc_id=self.doc_id,
            title=self.title,
            section=self.section,
            text=self.text,
            score=score,
            citation=section_citation(self.citation, self.section),
            evidence=self.evidence,
            issuer=self.issuer,
            doc_type=self.doc_type,
            effective_from=from_day_number(self.effective_from),
            effective_to=None if self.effective_to == OPEN_END else from_day_number(self.effective_to),
        )

    def embedding_text(self) -> str:
        """What is embedded: a clause rarely repeats its law's name, so title and section go in front."""
        return f"{self.title} {self.section}\n{self.text}"


def chunk_id(doc_id: str, doc_hash: str, position: int) -> str:
    """Stable id: a changed document gets new ids, so its new chunks can be added before the old are deleted."""
    return f"{doc_id}:{doc_hash[:16]}:{position:04d}"


def chunk_record(doc: PolicyDocument, position: int, section: str, text: str) -> IndexedChunk:
    """The stored form of the ``position``-th chunk of ``doc``."""
    doc_hash = doc.content_hash
    return IndexedChunk(
        id=chunk_id(doc.id, doc_hash, position),
        doc_id=doc.id,
        doc_hash=doc_hash,
        position=position,
        section=section,
        text=text,
        title=doc.title,
        citation=doc.citation,
        evidence=doc.evidence,
        issuer=doc.issuer,
        doc_type=doc.type,
        effective_from=day_number(doc.effective_from),
        effective_to=OPEN_END if doc.effective_to is None else day_number(doc.effective_to),
        products=tuple(doc.products),
        channels=tuple(doc.channels),
    )


def to_metadata(chunk: IndexedChunk) -> dict[str, Any]:
    """Chroma metadata for ``chunk`` (the text itself goes into Chroma's ``documents``)."""
    metadata = chunk.model_dump(exclude={"id", "text"})
    metadata["products"] = list(chunk.products)
    metadata["channels"] = list(chunk.channels)
    return metadata


def from_stored(chunk_id_: str, text: str | None, metadata: Mapping[str, Any] | None) -> IndexedChunk:
    """Rebuild a chunk from what Chroma returned; IndexCorruptError when it was not written by this module."""
    try:
        return IndexedChunk.model_validate({**(metadata or {}), "id": chunk_id_, "text": text or ""})
    except ValidationError as exc:
        raise IndexCorruptError(
            f"chunk {chunk_id_!r} has unexpected metadata: {exc.errors()[0]['msg']}"
        ) from exc


def day_number(day: date) -> int:
    """2026-11-01 → 20261101."""
    return day.year * 10000 + day.month * 100 + day.day


def from_day_number(value: int) -> date:
    """20261101 → 2026-11-01."""
    return date(value // 10000, value // 100 % 100, value % 100)
