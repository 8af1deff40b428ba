"""Result types of the knowledge base: what an ingest did and what a search found."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from tools.policy_kb.documents import DocType, Evidence


class IngestReport(BaseModel):
    """What one ingest did, counted in documents; ``chunks`` is the index size afterwards."""

    model_config = ConfigDict(frozen=True)

    added: int
    changed: int
    removed: int
    unchanged: int
    chunks: int
    embedder: str


class Passage(BaseModel):
    """One retrieved chunk with everything needed to cite it.

    ``score`` is the fused relevance in (-1, 1]: dense and lexical similarity, each scaled by its best value
    among the candidates, mixed by the knowledge base's ``lexical_weight``. Compare scores within one search only.
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
