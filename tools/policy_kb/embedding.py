"""Text embedders for the policy knowledge base.

The default is a deterministic hashing embedding of character n-grams: it needs no model download (the
deployment is offline), gives identical vectors on every machine, and handles Chinese without a word
segmenter because character bigrams and trigrams already capture most words. A real sentence-embedding
model can replace it through the ``Embedder`` protocol; the index records which embedder built it.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from typing import Protocol, runtime_checkable

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
