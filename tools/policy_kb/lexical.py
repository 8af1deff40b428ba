"""BM25 over character bigrams: the lexical half of hybrid retrieval.

A stateless embedder cannot know that 银行 occurs in every chunk of a bank's corpus while 最好 occurs in three;
BM25's inverse document frequency does, so rare, topical terms decide the ranking. Character bigrams stand in
for words (Chinese has no spaces, and no segmenter is needed). The statistics are cheap to compute from the
stored chunk texts, so they are rebuilt whenever the index is loaded rather than persisted.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt

from tools.policy_kb.text import content_runs


def bigrams(text: str) -> list[str]:
    """Character bigrams within each content run; a one-character run counts as itself."""
    grams: list[str] = []
    for run in content_runs(text):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


class Bm25:
    """Okapi BM25 (k1, b) over a fixed list of texts."""

    def __init__(self, texts: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self._k1 = k1
        self._b = b
        self._term_counts = [Counter(bigrams(text)) for text in texts]
        lengths = np.array([sum(c.values()) for c in self._term_counts], dtype=np.float64)
        self._lengths = lengths
        self._avg_length = float(lengths.mean()) if len(texts) else 0.0
        document_frequency: Counter[str] = Counter()
        for counts in self._term_counts:
            document_frequency.update(counts.keys())
        total = len(texts)
        # The "+1" form of IDF stays positive even for terms in more than half the texts.
        self._idf = {t: math.log(1 + (total - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()}

    def scores(self, query: str, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """BM25 score of ``query`` for each text index in ``rows`` (query terms counted once each)."""
        result = np.zeros(len(rows), dtype=np.float64)
        terms = [t for t in dict.fromkeys(bigrams(query)) if t in self._idf]
        if not terms or self._avg_length == 0:
            return result
        for position, row in enumerate(rows):
            counts = self._term_counts[row]
            norm = self._k1 * (1 - self._b + self._b * self._lengths[row] / self._avg_length)
            total = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    total += self._idf[term] * tf * (self._k1 + 1) / (tf + norm)
            result[position] = total
        return result
