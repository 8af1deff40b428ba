from __future__ import annotations

from core.masking import mask_card, mask_id_number, mask_name, mask_phone, mask_text


def test_phone_id_card_name():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138 0013 8000") == "138****8000"
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_card("6222 0212 3456 7890 123") == "6222 **** **** 0123"
    assert mask_name("王小明") == "王**"
    assert mask_name("欧阳娜娜") == "欧阳**"


def test_mask_text_masks_all_kinds_and_keeps_other_digits():
    text = "客户13800138000，身份证11010519491231002X，卡号6222021234567890123，订单20261123"
    masked = mask_text(text)
    assert "13800138000" not in masked and "138****8000" in masked
    assert "11010519491231002X" not in masked and "110" in masked
    assert "6222021234567890123" not in masked
    assert "20261123" in masked  # an 8-digit order number is not PII


def test_mobile_inside_longer_digit_run_is_not_a_phone():
    assert mask_text("流水号9138001380001") == "流水号9138001380001"
