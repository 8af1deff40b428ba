"""Link each finding's citation to the knowledge-base passage a reviewer can open (one click to the clause).

The citation is resolved deterministically to the document and article it names (tools/policy_kb/citations.py);
only findings whose citation names no corpus document (e.g. the claims ledger's) fall back to semantic search.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from core.domain import Finding
from core.settings import get_settings
from tools.compliance.rules import default_rules
from tools.policy_kb.citations import resolve_citation
from tools.policy_kb.index import KnowledgeBase

log = logging.getLogger(__name__)
SOURCE_DOC_TYPES = ("regulation", "internal_policy")


@lru_cache(maxsize=4)
def _knowledge_base(kb_dir: str) -> KnowledgeBase:
    return KnowledgeBase(Path(kb_dir))


@lru_cache(maxsize=512)
def _source_for(kb_dir: str, citation: str, message: str) -> tuple[tuple[str, str], ...] | None:
    """The cited clause itself when the citation names a corpus document; a semantic neighbour otherwise."""
    links = resolve_citation(citation, hint=message)
    if links:
        first = links[0]
        return (
            ("doc_id", first.doc_id),
            ("title", first.title),
            ("section", first.section),
            ("citation", first.citation),
            ("resolved", "citation"),
        )
    kb = _knowledge_base(kb_dir)
    query = f"{citation} {message}"
    best = None
    for doc_type in SOURCE_DOC_TYPES:
        hits = kb.search(query, 1, doc_type=doc_type)
        if hits and (best is None or hits[0].score > best.score):
            best = hits[0]
    if best is None:
        return None
    return (
        ("doc_id", best.doc_id),
        ("title", best.title),
        ("section", best.section),
        ("citation", best.citation),
        ("resolved", "search"),
    )


def _hint(finding: Finding) -> str:
    """What the finding is about, to pick the section of a document cited without an article number."""
    rules = default_rules()
    title = rules.get(finding.rule_id).title if finding.rule_id in rules else ""
    return f"{title} {finding.message}"


def with_sources(findings: list[Finding]) -> list[Finding]:
    """Findings with ``source`` set; a knowledge base that cannot answer leaves ``source`` empty and says so."""
    kb_dir = str(get_settings().kb_dir.resolve())
    linked = []
    for finding in findings:
        try:
            source = _source_for(kb_dir, finding.citation, _hint(finding))
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("no knowledge-base source for %s: %s", finding.rule_id, exc)
            source = None
        linked.append(finding.model_copy(update={"source": dict(source) if source else None}))
    return linked
