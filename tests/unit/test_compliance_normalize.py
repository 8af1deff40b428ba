"""Normalisation: width/space folding, zero-width and in-word separator removal, 繁→简, offset map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.reference.normalize_v1 import reference_normalize
from tools.compliance.normalize import normalize


def test_full_width_ascii_and_ideographic_space_fold_to_half_width() -> None:
    norm = normalize("ＮＯ．１　年化３．６％，（单利）")
    assert norm.text == "NO.1 年化3.6%,(单利)"


def test_zero_width_characters_are_removed() -> None:
    assert normalize("保\u200b本\ufeff保\u200d息").text == "保本保息"


@pytest.mark.parametrize("obfuscated", ["保 本", "保　本", "保·本", "保*本", "保 - 本", "保🔥本", "保\t本"])
def test_separators_inside_a_chinese_word_are_removed(obfuscated: str) -> None:
    assert normalize(obfuscated).text == "保本"


def test_separators_between_words_of_other_scripts_are_kept() -> None:
    assert normalize("回复 R 退订, 138****8000 3-5年").text == "回复 R 退订, 138****8000 3-5年"


def test_spaces_inside_digit_groups_are_joined_but_hyphens_are_not() -> None:
    assert normalize("卡号6228 4800 1234 5671").text == "卡号6228480012345671"
    assert normalize("手机138 0013 8000").text == "手机13800138000"
    assert normalize("期限3-5年").text == "期限3-5年"


def test_newlines_are_never_removed() -> None:
    assert normalize("保本\n保息").text == "保本\n保息"


def test_traditional_finance_vocabulary_becomes_simplified() -> None:
    assert normalize("保證收益，無風險，穩賺不賠，貸款額度").text == "保证收益,无风险,稳赚不赔,贷款额度"


def test_folded_text_lowercases_ascii_only_and_keeps_offsets() -> None:
    norm = normalize("NO.1理财")
    assert norm.folded == "no.1理财"
    assert len(norm.folded) == len(norm.text)


def test_offset_map_points_back_into_the_original_text() -> None:
    original = "本产品\u200b保　本保息！"
    norm = normalize(original)
    start = norm.text.index("保本保息")
    span = norm.original_span(start, start + 4)
    assert (span.start, span.end) == (4, 9)
    assert span.quote == original[4:9] == "保　本保息"


def test_offset_map_of_a_full_width_span() -> None:
    original = "收益１０％起"
    norm = normalize(original)
    assert norm.text == "收益10%起"
    assert norm.to_original(2, 5) == (2, 5)
    assert norm.original_span(2, 5).quote == "１０％"


@pytest.mark.parametrize("span", [(0, 0), (3, 2), (-1, 2), (0, 99)])
def test_invalid_spans_are_rejected(span: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="span"):
        normalize("保本保息").to_original(*span)


def test_non_string_input_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        normalize(123)  # type: ignore[arg-type]


# Characters that exercise every branch: CJK, digits, ASCII letters, full-width forms, traditional characters,
# zero-width characters, in-word separators, emoji (astral and BMP symbols), spaces and punctuation.
_ALPHABET = (
    "保本息收益年化利率贷證無風險０１２３ＡＢ，。！（）１２3456789 \t\u3000\u200b\ufeff\u200d·*-./🔥★→\nabcR"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_fast_normaliser_matches_the_reference_implementation(text: str) -> None:
    fast, slow = normalize(text), reference_normalize(text)
    assert fast.text == slow.text
    assert list(fast.source_index) == list(slow.source_index)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=100, max_size=600))
def test_fast_normaliser_matches_the_reference_on_long_texts(text: str) -> None:
    """Long texts take the vectorised paths with many removals; the sparse offset map must agree everywhere."""
    fast, slow = normalize(text), reference_normalize(text)
    assert fast.text == slow.text
    assert list(fast.source_index) == list(slow.source_index)
    assert fast.folded == slow.folded


def test_sparse_offset_map_supports_negative_indexes_and_slices() -> None:
    norm = normalize("保 本·收 益")
    assert norm.text == "保本收益"
    assert norm.source_index[-1] == 6
    assert norm.source_index[1:3] == [2, 4]
    with pytest.raises(IndexError):
        norm.source_index[4]


def test_a_zero_width_character_inside_a_digit_group_still_joins_the_groups() -> None:
    """Found by the property test above: 333\\u200b3 333 is the groups 3333 and 333 once the zero-width goes."""
    for text in ("333\u200b3 333", "3333R33\u200b3 333", "\u200b333 333"):
        fast, slow = normalize(text), reference_normalize(text)
        assert fast.text == slow.text and list(fast.source_index) == list(slow.source_index)
    assert normalize("138\u200b0 0013 8000").text == "138000138000"
