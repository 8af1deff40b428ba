"""The kb_retrieval suite: its dataset is sound, the real retriever meets the thresholds, a broken one fails."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from core.settings import get_settings
from evals.core import CaseResult, EvalContext
from evals.datasets_io import SCHEMAS_DIR, load_dataset, schema_for
from evals.runner import run_suite
from evals.suites.kb_retrieval import (
    SUITE,
    DatasetLabelError,
    KbRetrievalCase,
    corpus_documents,
)
from tools.policy_kb import KnowledgeBase, Passage, chunk_document

MAX_SHARED_RUN = 4
"""Longest run of characters a question may share with the passage that answers it (e.g. 存款保险, 大额存单)."""


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kb-eval-work")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _context(work_dir: Path) -> EvalContext:
    return EvalContext(mode="offline", work_dir=work_dir, run_id="eval_test_kb")


def _cases() -> list[KbRetrievalCase]:
    return list(load_dataset("kb_retrieval", KbRetrievalCase).cases)


def test_the_shipped_retriever_meets_the_thresholds(work_dir: Path) -> None:
    result = run_suite("kb_retrieval", _context(work_dir))
    assert result.ok, result.failures
    assert set(result.metrics) == {"recall_at_1", "recall_at_3", "recall_at_5", "mrr", "section_recall_at_3"}
    assert result.confusion is not None and result.confusion.labels
    assert (work_dir / "kb" / "chroma" / "chroma.sqlite3").is_file()


def test_a_retriever_that_ranks_backwards_fails_on_recall(
    work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = KnowledgeBase.search

    def reversed_search(self: KnowledgeBase, query: str, k: int = 5, **filters: object) -> list[Passage]:
        return list(reversed(search(self, query, k, **filters)))

    monkeypatch.setattr(KnowledgeBase, "search", reversed_search)
    result = run_suite("kb_retrieval", _context(work_dir))
    assert any(
        line.startswith("kb_retrieval.recall_at_3 = ") and "< threshold" in line for line in result.failures
    ), result.failures


def test_the_dataset_covers_every_document_including_product_sheets() -> None:
    cases = _cases()
    assert len(cases) >= 40
    expected = {case.expected_doc for case in cases}
    assert expected == {doc.id for doc in corpus_documents()}
    assert {doc for doc in expected if doc.startswith("product-")}


def test_questions_do_not_copy_the_wording_of_their_passage() -> None:
    bodies = {doc.id: doc.body for doc in corpus_documents()}
    copied = []
    for case in _cases():
        chunks = chunk_document(bodies[case.expected_doc])
        text = "".join(c.text for c in chunks if case.expected_section in (None, c.section))
        shared = _longest_shared_run(_fold(case.question), _fold(text))
        if len(shared) > MAX_SHARED_RUN:
            copied.append(f"{case.id}: {shared!r}")
    assert not copied, copied


def test_a_case_naming_a_missing_document_or_section_is_a_labelling_error(work_dir: Path) -> None:
    ctx = _context(work_dir)
    with pytest.raises(DatasetLabelError, match="unknown expected_doc 'reg-nowhere'"):
        SUITE.run_case(KbRetrievalCase(id="x", question="短信退订", expected_doc="reg-nowhere"), ctx)
    wrong_section = KbRetrievalCase(
        id="y", question="短信退订", expected_doc="reg-ad-law", expected_section="第一百条"
    )
    with pytest.raises(DatasetLabelError, match="reg-ad-law has no section '第一百条'"):
        SUITE.run_case(wrong_section, ctx)


def test_filters_reach_the_search_and_reject_unknown_values(work_dir: Path) -> None:
    case = KbRetrievalCase.model_validate(
        {
            "id": "f",
            "question": "放贷前怎么核实借款人是不是学生",
            "expected_doc": "reg-student-credit-2021",
            "filters": {"product_type": "wealth"},  # that notice covers loans and cards only
        }
    )
    result = SUITE.run_case(case, _context(work_dir))
    assert result.scores["rank"] == 0 and not result.passed
    with pytest.raises(ValueError, match="doc_type"):
        KbRetrievalCase.model_validate({**case.model_dump(), "filters": {"doc_type": "law"}})


def test_aggregate_scores_sections_only_where_a_case_names_one() -> None:
    def result(case_id: str, rank: int, section_hit: float | None) -> CaseResult:
        scores = {"rank": rank, "reciprocal_rank": 1 / rank if rank else 0.0}
        scores |= {
            "hit_at_1": float(rank == 1),
            "hit_at_3": float(0 < rank <= 3),
            "hit_at_5": float(0 < rank <= 5),
        }
        if section_hit is not None:
            scores["section_hit_at_3"] = section_hit
        return CaseResult(case_id=case_id, passed=0 < rank <= 3, scores=scores,
                          expected={"doc": "a"}, actual={"top_doc": "a" if rank == 1 else "b"})  # fmt: skip

    metrics, confusion = SUITE.aggregate([result("1", 1, 1.0), result("2", 2, None), result("3", 0, 0.0)])
    assert metrics == pytest.approx(
        {
            "recall_at_1": 1 / 3,
            "recall_at_3": 2 / 3,
            "recall_at_5": 2 / 3,
            "mrr": 0.5,
            "section_recall_at_3": 0.5,
        }
    )
    assert confusion is not None
    assert (confusion.tp, confusion.fp, confusion.fn) == (
        {"a": 1, "b": 0},
        {"a": 0, "b": 2},
        {"a": 2, "b": 0},
    )


def test_the_committed_schema_matches_the_case_model() -> None:
    committed = json.loads((SCHEMAS_DIR / "kb_retrieval.schema.json").read_text(encoding="utf-8"))
    assert committed == schema_for(KbRetrievalCase)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _longest_shared_run(question: str, passage: str) -> str:
    best = ""
    for start in range(len(question)):
        end = start + len(best) + 1
        while end <= len(question) and question[start:end] in passage:
            best = question[start:end]
            end += 1
    return best
