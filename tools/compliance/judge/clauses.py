"""Retrieve the policy clauses the judge should reason from (catalog §2: "LLM with retrieved clauses").

The judge asks the knowledge base twice over: once with the text itself (what does this copy touch?) and once
per hinted rule (what does the rule's own source say?). Clauses come only from regulations and internal
policies, never from product sheets, which reach the prompt separately as product facts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from core.domain import Channel, ProductType
from core.settings import get_settings
from tools.compliance.judge.catalog import JudgeRule
from tools.policy_kb.index import KnowledgeBase
from tools.policy_kb.models import Passage

log = logging.getLogger(__name__)

CLAUSE_DOC_TYPES = ("regulation", "internal_policy")
TEXT_QUERY_CHARS = 400
"""The head of the draft used as a query; marketing copy front-loads its claims."""
PER_QUERY = 2
MAX_CLAUSES = 6
CLAUSE_CHARS = 360
"""Clause text is cut to this length so a long section cannot crowd the draft out of the prompt."""


class ClauseSearch(Protocol):
    """What the judge needs from a knowledge base (``tools.policy_kb.KnowledgeBase`` satisfies it)."""

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        doc_type: str | None = None,
        product_type: str | None = None,
        channel: str | None = None,
    ) -> list[Passage]: ...


@dataclass(frozen=True)
class Clause:
    """One retrieved clause as the prompt shows it."""

    citation: str
    section: str
    text: str


class ClauseRetrievalError(RuntimeError):
    """The knowledge base could not answer; the judge goes on without clauses and says so."""


@lru_cache(maxsize=4)
def _knowledge_base(kb_dir: str) -> KnowledgeBase:
    return KnowledgeBase(Path(kb_dir))


def default_clause_search() -> ClauseSearch:
    """The deployment's knowledge base (``get_settings().kb_dir``), opened once per folder."""
    return _knowledge_base(str(get_settings().kb_dir.resolve()))


def retrieve_clauses(
    search: ClauseSearch,
    text: str,
    hinted_rules: list[JudgeRule],
    channel: Channel,
    product_type: ProductType | None,
) -> list[Clause]:
    """Up to ``MAX_CLAUSES`` distinct clauses for the text and its hinted rules, most specific first.

    Raises:
        ClauseRetrievalError: the knowledge base failed (missing store, corrupt index, bad embedder…).
    """
    queries = [f"{rule.title} {rule.citation}" for rule in hinted_rules]
    queries.append(text[:TEXT_QUERY_CHARS])
    seen: set[tuple[str, str]] = set()
    clauses: list[Clause] = []
    for query in queries:
        for passage in _search_all_types(search, query, channel, product_type):
            key = (passage.doc_id, passage.section)
            if key in seen:
                continue
            seen.add(key)
            clauses.append(Clause(passage.cite(), passage.section, _shorten(passage.text)))
    return clauses[:MAX_CLAUSES]


def _search_all_types(
    search: ClauseSearch, query: str, channel: Channel, product_type: ProductType | None
) -> list[Passage]:
    hits: list[Passage] = []
    for doc_type in CLAUSE_DOC_TYPES:
        try:
            hits.extend(
                search.search(query, PER_QUERY, doc_type=doc_type, product_type=product_type, channel=channel)
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ClauseRetrievalError(f"knowledge-base search failed: {exc}") from exc
    return sorted(hits, key=lambda passage: passage.score, reverse=True)


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CLAUSE_CHARS else flat[: CLAUSE_CHARS - 1] + "…"
