"""On-disk format of the knowledge-base index: ``vectors.npy`` plus ``index.json`` under the kb folder.

``index.json`` holds document metadata with content hashes (for incremental re-indexing) and one record per
chunk; row i of ``vectors.npy`` is the embedding of chunk i. Both files are replaced atomically, vectors
first, and ``index.json`` records the SHA-256 of the vector bytes, so a crash between the two writes is
detected on load instead of silently pairing chunks with the wrong vectors.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.policy_kb.documents import DocumentMeta
from tools.policy_kb.embedding import FloatMatrix

FORMAT_VERSION = 1
INDEX_FILE = "index.json"
VECTORS_FILE = "vectors.npy"


class IndexCorruptError(RuntimeError):
    """The stored index cannot be trusted (unreadable, inconsistent, or another format version)."""


class DocumentRecord(DocumentMeta):
    """A document's metadata as indexed, with the hash of the content that was embedded."""

    content_hash: str


class ChunkRecord(BaseModel):
    """One indexed chunk; its vector is the row with the same position in ``vectors.npy``."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    section: str
    text: str


class IndexState(BaseModel):
    """Everything in ``index.json``."""

    format_version: int = FORMAT_VERSION
    embedder: str
    dim: int = Field(gt=0)
    vectors_sha256: str = ""
    documents: dict[str, DocumentRecord] = Field(default_factory=dict)
    chunks: list[ChunkRecord] = Field(default_factory=list)


def index_exists(kb_dir: Path) -> bool:
    """True when an index was written to ``kb_dir`` (it may still turn out corrupt on load)."""
    return (kb_dir / INDEX_FILE).is_file()


def index_signature(kb_dir: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of ``index.json``: every rewrite is an atomic rename, hence a new inode."""
    try:
        stat = (kb_dir / INDEX_FILE).stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def load_index(kb_dir: Path) -> tuple[IndexState, FloatMatrix]:
    """Read and cross-check the stored index; IndexCorruptError says what is wrong."""
    try:
        state = IndexState.model_validate_json((kb_dir / INDEX_FILE).read_bytes())
        raw = (kb_dir / VECTORS_FILE).read_bytes()
        vectors = np.load(io.BytesIO(raw), allow_pickle=False)
    except (OSError, ValueError, ValidationError) as exc:
        raise IndexCorruptError(f"knowledge-base index in {kb_dir} is unreadable: {exc}") from exc
    if state.format_version != FORMAT_VERSION:
        raise IndexCorruptError(f"index format {state.format_version}, expected {FORMAT_VERSION}")
    if hashlib.sha256(raw).hexdigest() != state.vectors_sha256:
        raise IndexCorruptError(f"{VECTORS_FILE} does not match {INDEX_FILE} (interrupted write?)")
    if vectors.dtype != np.float32 or vectors.shape != (len(state.chunks), state.dim):
        raise IndexCorruptError(
            f"{VECTORS_FILE} has shape {vectors.shape} {vectors.dtype}, expected ({len(state.chunks)}, {state.dim})"
        )
    return state, vectors


def save_index(kb_dir: Path, state: IndexState, vectors: FloatMatrix) -> None:
    """Write vectors, then the JSON that vouches for them, each via a temporary file and an atomic rename."""
    if vectors.shape != (len(state.chunks), state.dim):
        raise ValueError(
            f"vectors shape {vectors.shape} does not match {len(state.chunks)} chunks × {state.dim}"
        )
    kb_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.save(buffer, vectors.astype(np.float32, copy=False), allow_pickle=False)
    raw = buffer.getvalue()
    stamped = state.model_copy(update={"vectors_sha256": hashlib.sha256(raw).hexdigest()})
    _atomic_write(kb_dir / VECTORS_FILE, raw)
    _atomic_write(kb_dir / INDEX_FILE, stamped.model_dump_json(indent=1).encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
