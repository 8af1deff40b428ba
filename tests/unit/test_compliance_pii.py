"""PI-01: unmasked ID, mobile and bank-card numbers, with checksums and digit-run boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from tools.compliance import check
from tools.compliance.detectors.pii import id_check_char, is_valid_resident_id, passes_luhn

DAY = date(2026, 11, 23)
SAMPLE_ID = "11010519491231002X"  # the worked example of GB 11643-1999
SAMPLE_MOBILE = "13800138000"
SAMPLE_CARD = "6228480012345671"  # fictitious, Luhn-valid


def pii_quotes(text: str, channel: str = "wecom") -> list[tuple[str, str]]:
    result = check(text, channel, None, on_date=DAY, bank_short_name="示例银行")  # type: ignore[arg-type]
    return [(f.span.quote, f.message) for f in result.findings if f.rule_id == "PI-01" and f.span]


def test_checksum_helpers() -> None:
    assert id_check_char(SAMPLE_ID[:17]) == "X"
    assert is_valid_resident_id(SAMPLE_ID) and is_valid_resident_id(SAMPLE_ID.lower())
    assert not is_valid_resident_id("110105194912310021")  # wrong check character
    assert not is_valid_resident_id("110105194902300020")  # 30 February, check character correct
    assert not is_valid_resident_id("010105194912310025")  # region code cannot start with 0
    assert passes_luhn(SAMPLE_CARD) and not passes_luhn("6228480012345672")
    with pytest.raises(ValueError, match="17 digits"):
        id_check_char("123")


@pytest.mark.parametrize(
    ("text", "quote", "label"),
    [
        (f"客户身份证{SAMPLE_ID}已登记", SAMPLE_ID, "身份证号"),
        (f"请致电{SAMPLE_MOBILE}咨询", SAMPLE_MOBILE, "手机号"),
        ("请致电+8613800138000咨询", "+8613800138000", "手机号"),
        (f"还款卡号{SAMPLE_CARD}", SAMPLE_CARD, "银行卡号"),
        ("还款卡号6228 4800 1234 5671", "6228 4800 1234 5671", "银行卡号"),
        ("联系１３８００１３８０００", "１３８００１３８０００", "手机号"),
    ],
)
def test_unmasked_personal_data_blocks(text: str, quote: str, label: str) -> None:
    [(found, message)] = pii_quotes(text)
    assert found == quote and label in message


@pytest.mark.parametrize(
    "text",
    [
        "客户经理电话138****8000",
        "尾号5671的借记卡",
        "身份证110105********002X",
        "编号110105194912310021",  # 18 digits, bad ID checksum, not a Luhn number either
        f"流水号12345{SAMPLE_ID}",  # a valid ID inside a longer digit run
        f"订单{SAMPLE_MOBILE}9",  # a mobile inside a longer digit run
        "客服热线400-000-0000",
    ],
)
def test_masked_invalid_or_embedded_numbers_do_not_flag(text: str) -> None:
    assert pii_quotes(text) == []


def test_an_id_is_not_reported_twice_as_a_card() -> None:
    assert [label for _, label in pii_quotes(f"证件{SAMPLE_ID}")] == [
        "营销内容含未脱敏的个人信息（未脱敏的身份证号）"
    ]


def test_every_kind_is_reported_in_text_order_on_every_text_channel() -> None:
    text = f"{SAMPLE_MOBILE}，{SAMPLE_ID}，{SAMPLE_CARD}"
    for channel in ("sms", "push", "wechat", "article", "h5", "wecom", "call_script"):
        assert [q for q, _ in pii_quotes(text, channel)] == [SAMPLE_MOBILE, SAMPLE_ID, SAMPLE_CARD]
