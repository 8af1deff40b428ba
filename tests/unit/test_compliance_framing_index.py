"""The per-text break index answers every framing question exactly as the per-hit scans it replaced."""

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
    assert framing.is_quoted(text, start, end) == reference.is_quoted(text, start, end)
    assert framing.in_warning_frame(text, start, end) == reference.in_warning_frame(text, start, end)
    params = framing.FramingParams()
    assert framing.is_framed_out(text, start, end, params) == reference.is_framed_out(
        text, start, end, params
    )


def test_an_index_is_per_text_not_per_equal_string() -> None:
    """Two different texts never share break positions, even when one was indexed just before."""
    first = "保本，收益"
    second = "保本收益，高"
    assert framing._bounds(first, 0, 2, framing.CLAUSE_BREAKS) == (0, 2)
    assert framing._bounds(second, 0, 2, framing.CLAUSE_BREAKS) == (0, 4)
