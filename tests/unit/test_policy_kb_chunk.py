"""Chunking by article (第X条) and heading, with length limits, plus the hashing embedder."""

from __future__ import annotations

import numpy as np
import pytest

from tools.policy_kb.chunk import chunk_document, split_sections
from tools.policy_kb.embedding import Embedder, HashingEmbedder

LAW = """前言说明这部摘要的用途。

第一条 为了规范营销行为，制定本办法。
第二条 本办法适用于银行。
补充说明仍属于第二条。
**第二十五条** 投资类广告应当提示风险。
第43条：发送短信应当提供退订方式。
"""


def test_articles_become_labelled_sections_that_keep_their_number() -> None:
    sections = split_sections(LAW)
    assert [label for label, _ in sections] == ["", "第一条", "第二条", "第二十五条", "第43条"]
    assert sections[2][1] == "第二条 本办法适用于银行。\n补充说明仍属于第二条。"
    assert sections[3][1].startswith("**第二十五条**")


def test_article_reference_inside_a_sentence_is_not_a_new_section() -> None:
    sections = split_sections("第五条 违反第九条规定的，依照第五十七条处罚。")
    assert [label for label, _ in sections] == ["第五条"]


def test_headings_label_sections_and_empty_headings_are_dropped() -> None:
    body = "## 审查流程\n\n先业务审核，再消保审查。\n\n## 空章节\n\n### 短信规范\n签名放在开头。"
    chunks = chunk_document(body)
    assert [(c.section, c.text) for c in chunks] == [
        ("审查流程", "先业务审核，再消保审查。"),
        ("短信规范", "签名放在开头。"),
    ]


def test_long_section_is_cut_at_sentence_ends_and_keeps_its_label() -> None:
    sentence = "营销内容必须真实准确并且与产品说明一致。"  # 20 characters
    body = "第九条 " + sentence * 40
    chunks = chunk_document(body, max_chars=100)
    assert len(chunks) > 1
    assert all(c.section == "第九条" for c in chunks)
    assert all(len(c.text) <= 100 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)
    assert "".join(c.text for c in chunks) == body  # nothing lost or duplicated


def test_sentence_longer_than_limit_is_cut_hard() -> None:
    chunks = chunk_document("## 超长\n" + "字" * 250, max_chars=100)
    assert [len(c.text) for c in chunks] == [100, 100, 50]


def test_real_corpus_chunks_stay_within_350_characters() -> None:
    from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, load_corpus

    for doc in load_corpus(DEFAULT_CORPUS_DIR):
        for chunk in chunk_document(doc.body):
            assert len(chunk.text) <= 350, (doc.id, chunk.section)


def test_too_small_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        chunk_document("第一条 内容", max_chars=5)


# ---- hashing embedder -------------------------------------------------------------------------------


def test_hashing_embedder_is_deterministic_normalised_and_a_protocol_embedder() -> None:
    embedder = HashingEmbedder()
    assert isinstance(embedder, Embedder)
    matrix = embedder.embed_passages(["贷款年化利率", "理财非存款", "！！"])
    assert matrix.shape == (3, 1024) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix[:2], axis=1), 1.0, atol=1e-6)
    assert not matrix[2].any()  # punctuation only: no n-grams, a zero vector rather than NaN
    again = HashingEmbedder().embed_query("贷款年化利率")
    assert np.array_equal(matrix[0], again)


def test_hashing_embedder_ranks_shared_ngrams_higher() -> None:
    embedder = HashingEmbedder()
    query = embedder.embed_query("贷款要展示年化利率")
    related, unrelated = embedder.embed_passages(["贷款营销须展示年化利率", "存款保险最高偿付限额"])
    assert float(related @ query) > float(unrelated @ query) + 0.2


def test_hashing_embedder_name_reflects_settings_and_rejects_bad_ones() -> None:
    assert HashingEmbedder(dim=256).name != HashingEmbedder().name
    with pytest.raises(ValueError, match="dim"):
        HashingEmbedder(dim=4)
    with pytest.raises(ValueError, match="ngram_weights"):
        HashingEmbedder(ngram_weights=(0.0, 0.0))
