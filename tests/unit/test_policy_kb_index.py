"""Knowledge-base ingestion into Chroma: incremental re-indexing, rebuilds and the automatic first ingest."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tools.policy_kb import HashingEmbedder, KnowledgeBase
from tools.policy_kb.embedding import FloatMatrix
from tools.policy_kb.sidecar import cached_sidecar

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


def write_doc(folder: Path, doc_id: str, body: str) -> None:
    (folder / f"{doc_id}.md").write_text(DOC.format(id=doc_id, title=f"文件{doc_id}", body=body), "utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_doc(folder, "a", "营销短信须带签名和退订方式。")
    write_doc(folder, "b", "外呼只能在规定时段拨打。")
    write_doc(folder, "c", "理财宣传须提示风险。")
    return folder


def make_kb(tmp_path: Path, corpus: Path, embedder: HashingEmbedder | None = None) -> KnowledgeBase:
    return KnowledgeBase(tmp_path / "kb", corpus, embedder or HashingEmbedder(), include_product_sheets=False)


def stored(kb: KnowledgeBase) -> dict[str, list[float]]:
    """Chunk id → stored vector, straight from the Chroma collection."""
    collection = kb.store.existing()
    assert collection is not None
    found = collection.get(include=["embeddings"])
    assert found["embeddings"] is not None
    return {i: [float(x) for x in v] for i, v in zip(found["ids"], found["embeddings"], strict=True)}


def test_first_ingest_adds_every_document_into_a_persistent_chroma_store(
    tmp_path: Path, corpus: Path
) -> None:
    kb = make_kb(tmp_path, corpus)
    report = kb.ingest()
    assert (report.added, report.changed, report.removed, report.unchanged) == (3, 0, 0, 0)
    assert report.chunks == 3 and report.embedded_chunks == 3
    assert (tmp_path / "kb" / "chroma" / "chroma.sqlite3").is_file()
    assert sorted(i.split(":")[0] for i in stored(kb)) == ["a", "b", "c"]


def test_changing_one_document_re_embeds_only_that_document(tmp_path: Path, corpus: Path) -> None:
    make_kb(tmp_path, corpus).ingest()
    write_doc(corpus, "b", "外呼只能在每日九点到二十一点之间拨打。")
    embedder = CountingEmbedder()
    kb = make_kb(tmp_path, corpus, embedder)
    report = kb.ingest()
    assert (report.added, report.changed, report.removed, report.unchanged) == (0, 1, 0, 2)
    assert len(embedder.embedded) == 1 and "二十一点" in embedder.embedded[0]
    assert len(stored(kb)) == 3  # the old version of b is gone, not kept beside the new one


def test_unchanged_corpus_embeds_nothing_and_keeps_vectors(tmp_path: Path, corpus: Path) -> None:
    first = make_kb(tmp_path, corpus)
    first.ingest()
    before = stored(first)
    embedder = CountingEmbedder()
    kb = make_kb(tmp_path, corpus, embedder)
    report = kb.ingest()
    assert report.unchanged == 3 and report.embedded_chunks == 0 and embedder.embedded == []
    assert stored(kb) == before


def test_added_and_removed_documents_are_counted_and_removed_chunks_deleted(
    tmp_path: Path, corpus: Path
) -> None:
    kb = make_kb(tmp_path, corpus)
    kb.ingest()
    (corpus / "a.md").unlink()
    write_doc(corpus, "d", "存款宣传不得夸大存款保险。")
    report = kb.ingest()
    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 0, 1, 2)
    assert sorted(i.split(":")[0] for i in stored(kb)) == ["b", "c", "d"]


def test_progress_is_reported_per_document(tmp_path: Path, corpus: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    make_kb(tmp_path, corpus).ingest(progress=lambda done, total, doc_id: calls.append((done, total, doc_id)))
    assert calls == [(1, 3, "a"), (2, 3, "b"), (3, 3, "c")]


def test_product_sheets_follow_the_catalog_file(tmp_path: Path, corpus: Path) -> None:
    products = tmp_path / "products.yaml"
    source = (Path(__file__).parents[2] / "knowledge" / "products.yaml").read_text("utf-8")
    products.write_text(source, "utf-8")
    kb = KnowledgeBase(tmp_path / "kb", corpus, HashingEmbedder(), products_file=products)
    assert kb.ingest().added == 3 + 10
    products.write_text(source.replace("apr_max: 18.0", "apr_max: 17.5"), "utf-8")
    report = kb.ingest()
    assert (report.changed, report.unchanged) == (1, 12)


def test_search_without_index_ingests_first_and_says_so(
    tmp_path: Path, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = make_kb(tmp_path, corpus)
    with caplog.at_level(logging.WARNING, logger="tools.policy_kb.index"):
        passages = kb.search("营销短信退订")
    assert passages[0].doc_id == "a"
    assert kb.last_auto_ingest is not None and kb.last_auto_ingest.added == 3
    assert "has no index yet for hashing-char-ngrams" in caplog.text


def test_a_collection_in_another_format_is_rebuilt(
    tmp_path: Path, corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = make_kb(tmp_path, corpus)
    kb.ingest()
    collection = kb.store.existing()
    assert collection is not None
    collection.modify(metadata={"format_version": 1})  # as an older release would have left it
    with caplog.at_level(logging.WARNING, logger="tools.policy_kb.index"):
        report = make_kb(tmp_path, corpus).ingest()
    assert report.added == 3 and "rebuilding the knowledge base from scratch" in caplog.text
    assert "has format 1, expected 2" in caplog.text


def test_another_embedder_gets_its_own_collection_and_switching_back_is_incremental(
    tmp_path: Path, corpus: Path
) -> None:
    make_kb(tmp_path, corpus).ingest()
    small = make_kb(tmp_path, corpus, HashingEmbedder(dim=256))
    report = small.ingest()
    assert report.added == 3 and report.unchanged == 0
    assert {len(v) for v in stored(small).values()} == {256}
    assert make_kb(tmp_path, corpus).ingest().unchanged == 3


def test_an_ingest_by_another_process_invalidates_the_cached_bm25_sidecar(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_kb(tmp_path, corpus)
    reader.ingest()
    assert reader.search("存款保险")[0].doc_id != "d"
    old_revision = reader.store.revision(reader.store.create_or_open())
    # Another process cannot reach this process's cache: its ingest only changes the collection's revision.
    monkeypatch.setattr("tools.policy_kb.index.forget_sidecar", lambda key: None)
    write_doc(corpus, "d", "存款保险最高偿付限额为五十万元。")
    make_kb(tmp_path, corpus).ingest()
    new_revision = reader.store.revision(reader.store.create_or_open())
    assert new_revision != old_revision
    assert reader.search("存款保险")[0].doc_id == "d"
    key = reader._sidecar_key()
    assert cached_sidecar(key, old_revision) is None and cached_sidecar(key, new_revision) is not None


def test_lexical_weight_is_validated_and_defaults_per_embedder(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MBRAIN_KB_LEXICAL_WEIGHT", raising=False)
    with pytest.raises(ValueError, match="lexical_weight must be within"):
        KnowledgeBase(tmp_path / "kb", corpus, HashingEmbedder(), lexical_weight=1.5)
    from tools.policy_kb.config import DEFAULT_LEXICAL_WEIGHTS

    assert make_kb(tmp_path, corpus).lexical_weight == DEFAULT_LEXICAL_WEIGHTS["hashing"]


class FailingEmbedder(HashingEmbedder):
    """The hashing embedder, failing (like an endpoint going down) on any text containing ``marker``."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        if any(self.marker in text for text in texts):
            raise RuntimeError("embeddings endpoint went down")
        return super().embed_passages(texts)


def test_an_interrupted_first_ingest_is_resumed_by_the_next_search(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(RuntimeError, match="went down"):
        make_kb(tmp_path, corpus, FailingEmbedder("外呼")).ingest()  # a is written, b fails, c never starts
    kb = make_kb(tmp_path, corpus)
    assert kb.search("营销短信退订")[0].doc_id == "a"
    assert kb.last_auto_ingest is not None
    assert (kb.last_auto_ingest.unchanged, kb.last_auto_ingest.added) == (1, 2)
