"""Framing windows: the per-text break index agrees with the per-hit scans it replaced, and the frames that
tell a quoted, denied or asked-about phrase from a claim."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.reference import framing_v1 as reference
from tools.compliance.detectors import framing

# Break characters (both widths), digit-sandwiched points and colons, quotes, negators and warning cues.
_ALPHABET = "保本不非谨防骗局投教理财，。,.:：;!？?\n“”「」《》\"'0123456789%年化收益 "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=60), st.data())
def test_framing_helpers_match_the_reference(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    reach = data.draw(st.integers(1, 80))
    for breaks in (framing.CLAUSE_BREAKS, framing.SENTENCE_BREAKS):
        assert framing._bounds(text, start, end, breaks, reach) == reference._bounds(
            text, start, end, breaks, reach
        )
    assert framing.window_before(text, start, 6) == reference.window_before(text, start, 6)
    assert framing.window_after(text, end, 6) == reference.window_after(text, end, 6)
    assert framing.is_negated(text, start, 4) == reference.is_negated(text, start, 4)


def test_an_index_is_per_text_not_per_equal_string() -> None:
    """Two different texts never share break positions, even when one was indexed just before."""
    first = "保本，收益"
    second = "保本收益，高"
    assert framing._bounds(first, 0, 2, framing.CLAUSE_BREAKS) == (0, 2)
    assert framing._bounds(second, 0, 2, framing.CLAUSE_BREAKS) == (0, 4)


def _framed(text: str, phrase: str, **params: object) -> bool:
    start = text.index(phrase)
    return framing.is_framed_out(text, start, start + len(phrase), framing.FramingParams(**params))  # type: ignore[arg-type]


def test_a_quoted_phrase_listed_as_wording_not_to_use_is_framed_out() -> None:
    assert _framed("坐席不得使用“秒批”“必过”等话术。", "必过")
    assert _framed("本行不存在“内部渠道”“包过”的说法，请勿相信。", "包过")
    assert _framed("所谓“贴息存款”的揽储，往往暗藏风险。", "贴息")
    # Unquoted, the same words are a claim (不得不说 is not a prohibition).
    assert not _framed("不得不说，这款产品必过。", "必过")


def test_a_quotation_closes_after_its_own_full_stop() -> None:
    text = "误区一：“结构性存款也是存款，所以和定期一样。”它在名称里有存款二字。"
    assert framing.is_quoted(text, text.index("和定期"), text.index("和定期") + 5)
    assert _framed(text, "和定期一样")


def test_a_denial_verb_negates_the_rest_of_its_clause() -> None:
    assert _framed("但这并不意味着它没有风险，您可能只获得最低档收益。", "没有风险")
    assert not _framed("这并不意味着什么，它没有风险。", "没有风险")


def test_a_phrase_asked_about_is_not_claimed() -> None:
    assert _framed("问：这款产品保本吗？答：不保本。", "保本")
    assert _framed("问：利息最低能给多少？", "最低")
    assert not _framed("为什么我们能做到最低？", "最低")
    assert not _framed("本产品保本，欢迎咨询。", "保本")


def test_a_thing_condemned_later_in_its_sentence_is_framed_out() -> None:
    assert _framed("打着“零门槛”旗号的校园贷广告，多半是陷阱。", "校园贷")
    assert not _framed("校园贷广告随处可见。本行校园贷额度高，是陷阱的反面。", "校园贷")


def test_what_the_customer_says_is_not_the_banks_claim() -> None:
    text = "客户：到期能保证拿回本金吧？\n客户经理：它不保本，净值可能波动。"
    assert framing.in_customer_turn(text, text.index("保证"))
    assert not framing.in_customer_turn(text, text.index("不保本"))


def test_a_staff_red_line_list_frames_its_quoted_examples() -> None:
    assert _framed("对客沟通不能出现的说法：不说“利率全市最高”。", "最高")
