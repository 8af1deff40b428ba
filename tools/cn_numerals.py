"""Chinese numerals as numbers: the one table and integer parser the claims ledger, the compliance engine and
the content evals share (三 → 3, 十二 → 12, 五十万 → 500000, 二〇二六 → 2026)."""

from __future__ import annotations

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}


def chinese_integer(text: str) -> int:
    """Parse a Chinese integer numeral; a run of bare digits reads digit by digit (二〇二六 → 2026).

    Raises:
        ValueError: ``text`` is empty or has a character that is not a Chinese numeral.
    """
    if not text or any(c not in CN_DIGITS and c not in CN_UNITS and c not in CN_BIG_UNITS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if all(c in CN_DIGITS for c in text):
        return int("".join(str(CN_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            section += (digit or 1) * CN_UNITS[char]  # 十二 starts with an implicit 一
            digit = 0
        else:
            total += (section + digit) * CN_BIG_UNITS[char]
            section, digit = 0, 0
    return total + section + digit
