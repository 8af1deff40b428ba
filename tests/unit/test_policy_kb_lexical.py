"""BM25 with jieba tokens, z-score fusion and deterministic ranking."""

from __future__ import annotations

import numpy as np
import pytest

from tools.policy_kb.fusion import fuse, ranking, z_scores
from tools.policy_kb.lexical import Bm25, tokens


def test_tokens_are_jieba_words_with_function_words_dropped_and_identifiers_whole() -> None:
    words = tokens("示例e贷（ＣＬ－００１）的年化利率是多少？")
    assert "年化" in words and "利率" in words
    assert "cl-001" in words  # full-width code normalised and kept whole
    assert "的" not in words and "?" not in words and "？" not in words


def test_search_mode_emits_sub_words_of_compounds() -> None:
    words = tokens("综合融资成本明示表")
    assert {"融资", "成本"} <= set(words)


def test_bm25_prefers_the_text_with_the_rare_exact_identifier() -> None:
    texts = ["产品编号CL-001 年化利率", "产品编号CL-002 年化利率", "产品编号BL-001 年化利率", "外呼时段"]
    bm25 = Bm25([tokens(t) for t in texts])
    scores = bm25.scores(tokens("CL-002"))
    assert int(np.argmax(scores)) == 1
    assert scores[3] == 0.0
    assert len(bm25) == 4


def test_bm25_scores_nothing_for_unknown_terms_and_handles_an_empty_corpus() -> None:
    assert Bm25([tokens("外呼时段")]).scores(tokens("量子计算")).tolist() == [0.0]
    assert Bm25([]).scores(tokens("外呼")).size == 0


def test_bm25_repeated_query_terms_count_once() -> None:
    bm25 = Bm25([tokens("退订方式"), tokens("签名")])
    assert bm25.scores(["退订"]).tolist() == bm25.scores(["退订", "退订"]).tolist()


def test_z_scores_center_and_scale_and_ignore_a_flat_signal() -> None:
    z = z_scores(np.array([1.0, 2.0, 3.0]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert z_scores(np.array([0.5, 0.5])).tolist() == [0.0, 0.0]
    assert z_scores(np.array([])).size == 0


def test_fusion_weights_the_lexical_signal() -> None:
    dense = np.array([0.90, 0.85, 0.80])
    lexical = np.array([0.0, 0.0, 9.0])
    assert int(np.argmax(fuse(dense, lexical, 0.0))) == 0
    assert int(np.argmax(fuse(dense, lexical, 2.0))) == 2
    with pytest.raises(ValueError, match="differ in shape"):
        fuse(dense, lexical[:2], 0.2)


def test_ranking_breaks_ties_by_key() -> None:
    assert ranking(np.array([1.0, 2.0, 1.0]), ["b", "c", "a"]) == [1, 2, 0]
    with pytest.raises(ValueError, match="tie keys"):
        ranking(np.array([1.0]), [])
