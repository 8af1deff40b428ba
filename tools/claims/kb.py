"""Policy knowledge-base sections as claim sources: a number a regulation states (e.g. the 50万元 deposit-insurance
limit) may be quoted in copy when the copy talks about the same thing.

The sections come straight from the policy corpus (the same markdown the knowledge base indexes, split the same
way), so linking needs no vector index and gives the same answer on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tools.claims.quantities import Key, extract_quantities
from tools.policy_kb.chunk import split_sections
from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, load_corpus
from tools.policy_kb.models import section_citation

# Only binding texts: a brand guide's example figures are not facts a draft may quote.
SOURCE_DOC_TYPES = frozenset({"regulation", "internal_policy"})
# A section links a number only when it talks about the same thing: this many shared Chinese bigrams between
# the draft's words around the number and the section (a bare "50万元" in an unrelated fine schedule must not).
MIN_SHARED_BIGRAMS = 3
CONTEXT_CHARS = 16


@dataclass(frozen=True)
class KbSection:
    """One section of a policy document with the quantities it states."""

    source: str
    citation: str
    product_types: frozenset[str]
    keys: tuple[Key, ...]
    bigrams: frozenset[str]


def cjk_bigrams(text: str) -> frozenset[str]:
    """Adjacent pairs of Chinese characters: a cheap, tokenizer-free measure of shared topic."""
    return frozenset(a + b for a, b in zip(text, text[1:], strict=False) if _cjk(a) and _cjk(b))


def _cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@lru_cache(maxsize=2)
def kb_sections(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> tuple[KbSection, ...]:
    """Every section of every binding document in the corpus that states at least one quantity."""
    sections: list[KbSection] = []
    for doc in load_corpus(corpus_dir):
        if doc.type not in SOURCE_DOC_TYPES:
            continue
        for label, text in split_sections(doc.body):
            keys = tuple(q.key for q in extract_quantities(text))
            if keys:
                sections.append(
                    KbSection(
                        source=f"kb:{doc.id}#{label or '正文'}",
                        citation=section_citation(doc.citation, label),
                        product_types=frozenset(doc.products),
                        keys=keys,
                        bigrams=cjk_bigrams(text),
                    )
                )
    return tuple(sections)


def context_bigrams(text: str, start: int, end: int) -> frozenset[str]:
    """The bigrams of the draft's words around a claim (the claim's own characters excluded)."""
    return cjk_bigrams(text[max(0, start - CONTEXT_CHARS) : start]) | cjk_bigrams(
        text[end : end + CONTEXT_CHARS]
    )
