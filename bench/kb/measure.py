"""Measure one embedder on the real corpus and eval questions: build time, then quality and latency per weight."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from evals.core import CaseResult
from evals.suites.kb_retrieval import DEFAULT_AS_OF, SEARCH_DEPTH, KbRetrievalCase, score_ranking
from tools.policy_kb import Embedder, IngestReport, KnowledgeBase


@dataclass(frozen=True)
class BuildResult:
    """A full index build from empty."""

    embedder: str
    kind: str
    seconds: float
    chunks: int
    documents: int

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class RunResult:
    """Retrieval quality and latency of one (embedder, lexical weight) over every case."""

    kind: str
    lexical_weight: float
    cases: int
    recall_at_1: float
    recall_at_3: float
    recall_at_5: float
    mrr: float
    section_recall_at_3: float
    first_query_ms: float
    p50_ms: float
    p95_ms: float
    misses_at_5: list[str]


def build(kb_dir: Path, kind: str, embedder: Embedder) -> BuildResult:
    """Ingest the shipped corpus and product sheets into an empty ``kb_dir``."""
    kb = KnowledgeBase(kb_dir, embedder=embedder)
    started = time.perf_counter()
    report: IngestReport = kb.ingest()
    seconds = time.perf_counter() - started
    return BuildResult(embedder.name, kind, seconds, report.embedded_chunks, report.added)


def run(
    kb_dir: Path, kind: str, embedder: Embedder, weight: float, cases: list[KbRetrievalCase]
) -> RunResult:
    """Search every case once (after one untimed warm-up search) and score the rankings like the eval suite."""
    kb = KnowledgeBase(kb_dir, embedder=embedder, lexical_weight=weight)
    first_ms = _timed_search(kb, cases[0])[1]  # model load + sidecar build: reported apart, not in p50/p95
    ranks: list[int] = []
    section_hits: list[float] = []
    latencies: list[float] = []
    misses: list[str] = []
    for case in cases:
        result, elapsed_ms = _timed_search(kb, case)
        latencies.append(elapsed_ms)
        rank = int(result.scores["rank"])
        ranks.append(rank)
        if "section_hit_at_3" in result.scores:
            section_hits.append(result.scores["section_hit_at_3"])
        if not 0 < rank <= 5:
            misses.append(case.id)
    return RunResult(
        kind=kind,
        lexical_weight=weight,
        cases=len(cases),
        recall_at_1=_share(ranks, 1),
        recall_at_3=_share(ranks, 3),
        recall_at_5=_share(ranks, 5),
        mrr=sum(1.0 / r for r in ranks if r) / len(ranks),
        section_recall_at_3=sum(section_hits) / len(section_hits) if section_hits else 0.0,
        first_query_ms=first_ms,
        p50_ms=statistics.median(latencies),
        p95_ms=percentile(latencies, 95),
        misses_at_5=misses,
    )


def _timed_search(kb: KnowledgeBase, case: KbRetrievalCase) -> tuple[CaseResult, float]:
    filters = case.filters
    started = time.perf_counter()
    passages = kb.search(
        case.question, SEARCH_DEPTH, doc_type=filters.doc_type, product_type=filters.product_type,
        channel=filters.channel, as_of=filters.as_of or DEFAULT_AS_OF,
    )  # fmt: skip
    elapsed_ms = (time.perf_counter() - started) * 1000
    return score_ranking(case, passages), elapsed_ms


def _share(ranks: list[int], depth: int) -> float:
    return sum(1 for r in ranks if 0 < r <= depth) / len(ranks)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: with ~100 samples p95 is an observed latency)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
