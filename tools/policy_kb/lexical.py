"""BM25 over jieba words: the low-weight lexical signal that rescues exact identifiers.

Dense embeddings blur "CL-001" and "CL-002", or 第十三条 and 第十四条; BM25 does not. On paraphrased questions it
is weaker than a sentence-embedding model and can pull the ranking the wrong way, which is why it only enters the
fused score with a small weight (see ``fusion.py`` and the bench). ``lcut_for_search`` also emits the sub-words of
long compounds (综合融资成本 → 综合, 融资, 成本, …), so a question that uses part of a term still matches.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
import warnings
from collections import Counter

import numpy as np
import numpy.typing as npt

from tools.policy_kb.text import FUNCTION_WORDS

ScoreArray = npt.NDArray[np.float64]
RowArray = npt.NDArray[np.int64]

_STOPWORDS = frozenset(FUNCTION_WORDS)
_HAS_WORD_CHAR = re.compile(r"\w")
# Codes such as CL-001 or WM-R2-001 are kept whole as well as split, so the exact code scores highest.
_IDENTIFIER = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)+")
_jieba_lock = threading.Lock()


def tokens(text: str) -> list[str]:
    """Search tokens of ``text``: NFKC + case-folded jieba words, identifiers whole, function words dropped."""
    normalised = unicodedata.normalize("NFKC", text).casefold()
    words = [word for word in _segment(normalised) if _HAS_WORD_CHAR.search(word) and word not in _STOPWORDS]
    return words + _IDENTIFIER.findall(normalised)


def _segment(text: str) -> list[str]:
    with warnings.catch_warnings():  # jieba 0.42 has regexes with invalid escapes (compile-time warnings)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba  # ~1 s to build its dictionary the first time; not paid by callers that never search

    # jieba's lazy dictionary load is not safe to run from two threads at once.
    with _jieba_lock:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
    return [word.strip() for word in jieba.lcut_for_search(text) if word.strip()]


class Bm25:
    """Okapi BM25 (k1, b) over a fixed list of token lists, with an inverted index for fast scoring."""

    def __init__(self, token_lists: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self._k1 = k1
        self._size = len(token_lists)
        lengths = np.array([len(words) for words in token_lists], dtype=np.float64)
        average = float(lengths.mean()) if self._size else 0.0
        # Per-row length normalisation, precomputed once: k1 · (1 − b + b · len / avg_len).
        self._norms = k1 * (1 - b + b * lengths / average) if average > 0 else np.full(self._size, k1)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, words in enumerate(token_lists):
            for term, count in Counter(words).items():
                rows, counts = postings.setdefault(term, ([], []))
                rows.append(row)
                counts.append(float(count))
        self._postings = {
            term: (np.array(rows, dtype=np.int64), np.array(counts, dtype=np.float64))
            for term, (rows, counts) in postings.items()
        }
        # The "+1" form of IDF stays positive even for terms in more than half the texts.
        self._idf = {
            term: math.log(1 + (self._size - len(rows) + 0.5) / (len(rows) + 0.5))
            for term, (rows, _) in self._postings.items()
        }

    def __len__(self) -> int:
        return self._size

    def scores(self, query_tokens: list[str]) -> ScoreArray:
        """BM25 of the query against every text (each query term counted once)."""
        result = np.zeros(self._size, dtype=np.float64)
        for term in dict.fromkeys(query_tokens):
            posting = self._postings.get(term)
            if posting is None:
                continue
            rows, counts = posting
            result[rows] += self._idf[term] * counts * (self._k1 + 1) / (counts + self._norms[rows])
        return result
