"""Result types of the knowledge base: what an ingest did and what a search found."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from tools.policy_kb.documents import DocType, Evidence


class IngestReport(BaseModel):
    """What one ingest did, counted in documents; ``chunks`` is the index size afterwards.

    ``embedded_chunks`` counts the chunks that were embedded this time (0 when nothing changed).
    """

    model_config = ConfigDict(frozen=True)

    added: int
    changed: int
    removed: int
    unchanged: int
    chunks: int
    embedder: str
    embedded_chunks: int = 0


class Passage(BaseModel):
    """One retrieved chunk with everything needed to cite it.

    ``score`` is the relevance: with ``lexical_weight`` 0 the cosine similarity of query and chunk embeddings;
    otherwise the z-score of that cosine among the search's candidates plus ``lexical_weight`` × the z-score of
    the chunk's BM25 score. Compare scores within one search only.
    """

    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str
    section: str
    text: str
    score: float
    citation: str
    evidence: Evidence
    issuer: str
    doc_type: DocType
    effective_from: date
    effective_to: date | None

    def cite(self) -> str:
        """The citation with its evidence tag, e.g. ``中国人民银行公告〔2021〕第3号 [S]``."""
        return self.citation if self.evidence == "internal" else f"{self.citation} [{self.evidence}]"


def section_citation(doc_citation: str, section: str) -> str:
    """Cite a section: 《广告法》 + 第九条 → 《广告法》第九条; a heading is appended after a middle dot."""
    if not section:
        return doc_citation
    if section.startswith("第") and section.endswith("条"):
        return f"{doc_citation}{section}"
    return f"{doc_citation}·{section}"
