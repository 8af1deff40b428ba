"""The kb_retrieval suite: do paraphrased policy questions retrieve the passage that answers them?

Each case is a question a marketer or reviewer would ask in their own words (never the passage's wording) and
the document, and optionally the section, that answers it. The suite searches the real knowledge base (policy
corpus + product sheets rendered from the product catalog) built once per run under the run's work dir, and
scores the ranking by document: recall@1, recall@3 and MRR over the top ``SEARCH_DEPTH`` passages; and, for the
cases that name a section, whether that exact section is among the top 3.

Retrieval has no LLM path, so the suite measures the same thing in both modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.domain import Channel, ProductType
from evals.core import CaseResult, Confusion, EvalContext, ratio
from tools.policy_kb import (
    KnowledgeBase,
    Passage,
    PolicyDocument,
    chunk_document,
    load_corpus,
    render_product_sheets,
)
from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, DocType
from tools.products import load_products

SEARCH_DEPTH = 10
"""Passages fetched per question; MRR is computed over this depth (a doc ranked lower scores 0)."""
PASS_DEPTH = 3
"""A case passes when its expected document is among this many top passages."""
DEFAULT_AS_OF = date(2026, 11, 1)
"""The day searched "as of" when a case gives none. Pinned, not today: the corpus has documents that come into
force (2026-08, 2026-09, 2026-10) and a product sheet that expires (2026-12-31), so a clock-dependent default
would make the same dataset score differently from one month to the next. Every document but the superseded
2021 online-marketing draft is in force on it; cases about the draft give their own ``as_of``."""
_CACHE_KEY = "kb_retrieval.fixture"


class RetrievalFilters(BaseModel):
    """Search filters for one question, exactly as ``KnowledgeBase.search`` takes them."""

    model_config = ConfigDict(extra="forbid")

    doc_type: DocType | None = Field(default=None, description="Only documents of this type.")
    product_type: ProductType | None = Field(
        default=None, description="Only documents covering this product type."
    )
    channel: Channel | None = Field(default=None, description="Only documents that apply to this channel.")
    as_of: date | None = Field(
        default=None,
        description=f"Only documents in force on this day (default {DEFAULT_AS_OF.isoformat()}).",
    )


class KbRetrievalCase(BaseModel):
    """A paraphrased question and the passage that answers it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Stable case id, e.g. ad-absolute.")
    question: str = Field(
        min_length=2,
        description="The question in Chinese, paraphrased: it must not copy the answering passage's wording.",
    )
    expected_doc: str = Field(
        min_length=1, description="Id of the answering document, e.g. reg-ad-law or product-CL-001."
    )
    expected_section: str | None = Field(
        default=None,
        description="The answering section's label as the chunker produces it (第九条, a heading such as 费用).",
    )
    filters: RetrievalFilters = Field(default_factory=RetrievalFilters, description="Search filters, if any.")
    tags: list[str] = Field(
        default_factory=list, description="Free labels for slicing results (topic, category)."
    )


class DatasetLabelError(ValueError):
    """A case names a document or section that the knowledge base does not have (a labelling mistake)."""


@dataclass(frozen=True)
class _Fixture:
    """What one run shares between cases: the built knowledge base and the sections each document has."""

    kb: KnowledgeBase
    sections: dict[str, frozenset[str]]


class KbRetrievalSuite:
    """Evaluator for ``evals/datasets/kb_retrieval.yaml``."""

    name = "kb_retrieval"
    case_model = KbRetrievalCase

    def prepare(self, ctx: EvalContext) -> None:
        """Build (or incrementally refresh) the index once per run under ``ctx.work_dir / "kb"``."""
        if _CACHE_KEY in ctx.cache:
            return
        kb = KnowledgeBase(ctx.work_dir / "kb")
        kb.ingest()
        documents = corpus_documents(
            kb.corpus_dir, kb.products_file, product_sheets=kb.include_product_sheets
        )
        ctx.cache[_CACHE_KEY] = _Fixture(kb=kb, sections=known_sections(documents))

    def run_case(self, case: KbRetrievalCase, ctx: EvalContext) -> CaseResult:
        fixture = _fixture(self, ctx)
        check_labels(case, fixture.sections)
        filters = case.filters
        passages = fixture.kb.search(
            case.question, SEARCH_DEPTH, doc_type=filters.doc_type, product_type=filters.product_type,
            channel=filters.channel, as_of=filters.as_of or DEFAULT_AS_OF,
        )  # fmt: skip
        return score_ranking(case, passages)

    def aggregate(self, results: list[CaseResult]) -> tuple[dict[str, float], Confusion | None]:
        """Means of the per-case scores; section recall only over the cases that name a section."""
        total = len(results)
        with_section = [r.scores["section_hit_at_3"] for r in results if "section_hit_at_3" in r.scores]
        metrics = {
            "recall_at_1": ratio(sum(r.scores["hit_at_1"] for r in results), total),
            "recall_at_3": ratio(sum(r.scores["hit_at_3"] for r in results), total),
            "recall_at_5": ratio(sum(r.scores["hit_at_5"] for r in results), total),
            "mrr": ratio(sum(r.scores["reciprocal_rank"] for r in results), total),
            "section_recall_at_3": ratio(sum(with_section), len(with_section)),
        }
        return metrics, top_document_confusion(results)


def corpus_documents(
    corpus_dir: Path | None = None, products_file: Path | None = None, *, product_sheets: bool = True
) -> list[PolicyDocument]:
    """The documents a knowledge base with these settings indexes (None = the shipped corpus and catalog)."""
    documents = load_corpus(corpus_dir or DEFAULT_CORPUS_DIR)
    if product_sheets:
        documents += render_product_sheets(load_products(products_file))
    return documents


def known_sections(documents: list[PolicyDocument]) -> dict[str, frozenset[str]]:
    """Document id → the section labels its chunks carry."""
    return {doc.id: frozenset(chunk.section for chunk in chunk_document(doc.body)) for doc in documents}


def check_labels(case: KbRetrievalCase, sections: dict[str, frozenset[str]]) -> None:
    """Fail loudly on a label that cannot be right, instead of scoring it as a retrieval miss."""
    if case.expected_doc not in sections:
        raise DatasetLabelError(f"case {case.id}: unknown expected_doc {case.expected_doc!r}")
    known = sections[case.expected_doc]
    if case.expected_section is not None and case.expected_section not in known:
        raise DatasetLabelError(
            f"case {case.id}: {case.expected_doc} has no section {case.expected_section!r} "
            f"(sections: {', '.join(sorted(known))})"
        )


def score_ranking(case: KbRetrievalCase, passages: list[Passage]) -> CaseResult:
    """Per-case scores from the ranked passages: the expected document's rank, and the section hit."""
    ranked_docs = [p.doc_id for p in passages]
    rank = ranked_docs.index(case.expected_doc) + 1 if case.expected_doc in ranked_docs else 0
    scores = {
        "rank": float(rank),
        "reciprocal_rank": 1.0 / rank if rank else 0.0,
        "hit_at_1": float(rank == 1),
        "hit_at_3": float(0 < rank <= PASS_DEPTH),
        "hit_at_5": float(0 < rank <= 5),
    }
    if case.expected_section is not None:
        top = [(p.doc_id, p.section) for p in passages[:PASS_DEPTH]]
        scores["section_hit_at_3"] = float((case.expected_doc, case.expected_section) in top)
    top_three = [f"{p.doc_id} {p.section}".strip() for p in passages[:PASS_DEPTH]]
    found = f"expected document at rank {rank}" if rank else f"expected document not in top {SEARCH_DEPTH}"
    return CaseResult(
        case_id=case.id,
        passed=bool(scores["hit_at_3"]),
        scores=scores,
        expected={"doc": case.expected_doc, "section": case.expected_section},
        actual={"top": top_three, "top_doc": ranked_docs[0] if ranked_docs else None},
        detail=found,
        tags=case.tags,
    )


def top_document_confusion(results: list[CaseResult]) -> Confusion:
    """Per document at rank 1: right (tp), taken by another question's document (fp), or missed (fn)."""
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for result in results:
        expected = _str_field(result.expected, "doc")
        top = _str_field(result.actual, "top_doc")
        if top == expected:
            tp[expected] = tp.get(expected, 0) + 1
            continue
        fn[expected] = fn.get(expected, 0) + 1
        if top:
            fp[top] = fp.get(top, 0) + 1
    labels = sorted({*tp, *fp, *fn})
    return Confusion(
        labels=labels,
        tp={label: tp.get(label, 0) for label in labels},
        fp={label: fp.get(label, 0) for label in labels},
        fn={label: fn.get(label, 0) for label in labels},
    )


def _str_field(record: Any, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    return value if isinstance(value, str) else ""


def _fixture(suite: KbRetrievalSuite, ctx: EvalContext) -> _Fixture:
    if _CACHE_KEY not in ctx.cache:  # run_case called without prepare (a single-case rerun)
        suite.prepare(ctx)
    fixture: _Fixture = ctx.cache[_CACHE_KEY]
    return fixture


SUITE = KbRetrievalSuite()
