"""Knowledge-base ingestion: incremental re-indexing, persistence, recovery and the automatic first ingest."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from tools.policy_kb import HashingEmbedder, IndexCorruptError, KnowledgeBase
from tools.policy_kb.embedding import FloatMatrix
from tools.policy_kb.store import INDEX_FILE, VECTORS_FILE, load_index

DOC = """---
id: {id}
title: {title}
type: internal_policy
issuer: 测试部门
effective_from: 2024-01-01
effective_to: null
channels: all
products: all
citation: 《{title}》
evidence: internal
---
## 要点

{body}
"""


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, recording every passage it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        self.embedded.extend(texts)
        return super().embed_passages(texts)


def _write_doc(folder: Path, doc_id: str, body: str) -> None:
    (folder / f"{doc_id}.md").write_text(DOC.format(id=doc_id, title=f"文件{doc_id}", body=body), "utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    _write_doc(folder, "a", "营销短信须带签名和退订方式。")
    _write_doc(folder, "b", "外呼只能在规定时段拨打。")
    _write_doc(folder, "c", "理财宣传须提示风险。")
    return folder


def _kb(tmp_path: Path, corpus: Path, embedder: HashingEmbedder | None = None) -> KnowledgeBase:
    return KnowledgeBase(tmp_path / "kb", corpus, embedder, include_product_sheets=False)


def test_first_ingest_adds_every_document_and_persists_npy_and_json(tmp_path: Path, corpus: Path) -> None:
    report = _kb(tmp_path, corpus).ingest()
    assert (report.added, report.changed, report.removed, report.unchanged) == (3, 0, 0, 0)
    assert report.chunks == 3
    assert (tmp_path / "kb" / INDEX_FILE).is_file() and (tmp_path / "kb" / VECTORS_FILE).is_file()
    state, vectors = load_index(tmp_path / "kb")
    assert vectors.shape == (3, 1024) and sorted(state.documents) == ["a", "b", "c"]


def test_changing_one_document_re_embeds_only_that_document(tmp_path: Path, corpus: Path) -> None:
    _kb(tmp_path, corpus).ingest()
    _write_doc(corpus, "b", "外呼只能在每日九点到二十一点之间拨打。")
    embedder = CountingEmbedder()
    report = _kb(tmp_path, corpus, embedder).ingest()
    assert (report.added, report.changed, report.removed, report.unchanged) == (0, 1, 0, 2)
    assert len(embedder.embedded) == 1 and "二十一点" in embedder.embedded[0]


def test_unchanged_corpus_embeds_nothing_and_keeps_vectors(tmp_path: Path, corpus: Path) -> None:
    _kb(tmp_path, corpus).ingest()
    _, before = load_index(tmp_path / "kb")
    embedder = CountingEmbedder()
    report = _kb(tmp_path, corpus, embedder).ingest()
    assert report.unchanged == 3 and embedder.embedded == []
    _, after = load_index(tmp_path / "kb")
    assert np.array_equal(before, after)


def test_added_and_removed_documents_are_counted(tmp_path: Path, corpus: Path) -> None:
    kb = _kb(tmp_path, corpus)
    kb.ingest()
    (corpus / "a.md").unlink()
    _write_doc(corpus, "d", "存款宣传不得夸大存款保险。")
    report = kb.ingest()
    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 0, 1, 2)
    assert sorted(load_index(tmp_path / "kb")[0].documents) == ["b", "c", "d"]


def test_progress_is_reported_per_document(tmp_path: Path, corpus: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    _kb(tmp_path, corpus).ingest(progress=lambda done, total, doc_id: calls.append((done, total, doc_id)))
    assert calls == [(1, 3, "a"), (2, 3, "b"), (3, 3, "c")]


def test_product_sheets_follow_the_catalog_file(tmp_path: Path, corpus: Path) -> None:
    products = tmp_path / "products.yaml"
    source = (Path(__file__).parents[2] / "knowledge" / "products.yaml").read_text("utf-8")
    products.write_text(source, "utf-8")
    kb = KnowledgeBase(tmp_path / "kb", corpus, products_file=products)
    assert kb.ingest().added == 3 + 10
    products.write_text(source.replace("apr_max: 18.0", "apr_max: 17.5"), "utf-8")
    report = kb.ingest()
    assert (report.changed, report.unchanged) == (1, 12)


def test_search_without_index_ingests_first_and_says_so(
    tmp_path: Path, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = _kb(tmp_path, corpus)
    with caplog.at_level(logging.WARNING, logger="tools.policy_kb.index"):
        passages = kb.search("营销短信退订")
    assert passages[0].doc_id == "a"
    assert kb.last_auto_ingest is not None and kb.last_auto_ingest.added == 3
    assert "has no index yet; ingesting the corpus" in caplog.text


def test_corrupt_index_is_detected_and_rebuilt(
    tmp_path: Path, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _kb(tmp_path, corpus).ingest()
    np.save(tmp_path / "kb" / VECTORS_FILE, np.zeros((3, 1024), np.float32))  # vectors no longer match
    with pytest.raises(IndexCorruptError, match="does not match"):
        load_index(tmp_path / "kb")
    kb = _kb(tmp_path, corpus)
    with caplog.at_level(logging.WARNING, logger="tools.policy_kb.index"):
        report = kb.ingest()
    assert report.added == 3 and "rebuilding the knowledge base from scratch" in caplog.text
    load_index(tmp_path / "kb")  # consistent again


def test_another_embedder_forces_a_full_rebuild(tmp_path: Path, corpus: Path) -> None:
    _kb(tmp_path, corpus).ingest()
    report = _kb(tmp_path, corpus, HashingEmbedder(dim=256)).ingest()
    assert report.added == 3 and report.unchanged == 0
    assert load_index(tmp_path / "kb")[1].shape == (3, 256)


def test_index_rewritten_by_another_instance_is_reloaded(tmp_path: Path, corpus: Path) -> None:
    reader = _kb(tmp_path, corpus)
    reader.ingest()
    assert reader.search("存款保险")[0].doc_id != "d"
    _write_doc(corpus, "d", "存款保险最高偿付限额为五十万元。")
    _kb(tmp_path, corpus).ingest()
    assert reader.search("存款保险")[0].doc_id == "d"
