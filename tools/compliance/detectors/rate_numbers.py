"""Read interest-rate figures out of loan copy: periodic (daily/monthly) rates and stated annual rates.

Loan copy writes the same cost many ways: 日利率0.02%, 日息万三, 日息万分之3, 0.03%/天, 月利率千分之五,
3‱. LN-01's consistency check needs each as a number, so this module turns them into annual percentages
(a daily rate × 365, a monthly rate × 12, simple interest, as the PBoC 2021 notice annualises them).
Patterns run on normalised text (half-width %, simplified characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.cn_numerals import CN_DIGITS

DAYS_PER_YEAR = 365
MONTHS_PER_YEAR = 12

# Single Chinese numerals as written in 万三 / 千分之五; 两 is the colloquial 2.
_CN_DIGITS = CN_DIGITS
_NUMBER = r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]{1,3}(?:点[零〇一二两三四五六七八九]{1,4})?)"
# The unit either precedes the number (万分之3, 千分之五, 万三) or follows it (0.02%, 3‰, 3‱).
_VALUE = rf"(?P<pre>万分之|千分之|百分之|万|千)?\s*{_NUMBER}\s*(?P<post>%|‰|‱)?"
_DAILY_WORDS = r"日息|日利率|日费率|日利息|日综合费率|每日利率|每天利率"
_MONTHLY_WORDS = r"月息|月利率|月费率|月利息|月综合费率|每月利率"
_GAP = r"[^\d,。;!?\n万千百零〇一二两三四五六七八九十]{0,4}?"

_LEADING = re.compile(rf"(?P<period>{_DAILY_WORDS}|{_MONTHLY_WORDS}){_GAP}{_VALUE}")
# "0.03%/天", "0.5%每月": the period follows a percentage-style value.
_TRAILING = re.compile(
    r"(?P<pre>)(?P<num>\d+(?:\.\d+)?)\s*(?P<post>%|‰|‱)\s*(?:/|每|一)\s*(?P<period>天|日|月)(?![利息费])"
)
# 年化 followed in the same clause by a percentage: 年化利率(单利)3.6%起, 年化利率3.6%-18%.
# A stated annual rate, or range; when the figure after 年化 starts a calculation (年化利率是0.05%×365≈18.25%),
# the annual rate is the result, not the daily rate being multiplied.
_ANNUAL = re.compile(
    r"年化[^\d。;!?\n]{0,12}?(\d+(?:\.\d+)?)\s*%(?:\s*[-~至到]\s*(\d+(?:\.\d+)?)\s*%)?"
    r"(?:\s*[×xX*]\s*\d+(?:\.\d+)?\s*(?:[≈=]|约等于|约为|约)\s*(\d+(?:\.\d+)?)\s*%)?"
)


def _annual_range(match: re.Match[str]) -> tuple[float, float]:
    if match.group(3):
        result = float(match.group(3))
        return result, result
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    return min(low, high), max(low, high)


_UNIT_DIVISORS = {"万分之": 10_000, "千分之": 1_000, "百分之": 100, "万": 10_000, "千": 1_000}
_SUFFIX_DIVISORS = {"%": 100, "‰": 1_000, "‱": 10_000}


class RateParseError(ValueError):
    """A rate figure could not be read as a number (it names the offending text)."""


@dataclass(frozen=True)
class PeriodicRate:
    """A daily or monthly rate found at [start, end) of the text, with its simple annualised percentage."""

    start: int
    end: int
    quote: str
    annual_percent: float


def chinese_number(token: str) -> float:
    """``token`` as a number: Arabic digits, or Chinese numerals up to 九十九 with decimals (三, 十五, 二点五)."""
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if "点" in token:  # 二点五 → 2.5: the whole part as below, the decimals digit by digit
        whole, _, decimals = token.partition("点")
        if not decimals or any(char not in _CN_DIGITS for char in decimals):
            raise RateParseError(f"not a number: {token!r}")
        return chinese_number(whole) + float("0." + "".join(str(_CN_DIGITS[char]) for char in decimals))
    if not token or any(char not in _CN_DIGITS and char != "十" for char in token):
        raise RateParseError(f"not a number: {token!r}")
    if "十" not in token:
        if len(token) != 1:
            raise RateParseError(f"ambiguous Chinese numeral: {token!r}")
        return float(_CN_DIGITS[token])
    tens_text, _, units_text = token.partition("十")
    tens = _CN_DIGITS.get(tens_text, -1) if tens_text else 1
    units = _CN_DIGITS.get(units_text, -1) if units_text else 0
    if tens < 0 or units < 0:
        raise RateParseError(f"unsupported Chinese numeral: {token!r}")
    return float(tens * 10 + units)


def _fraction(match: re.Match[str]) -> float | None:
    """The rate as a plain fraction (万三 → 0.0003), or None when no unit says what the number means."""
    value = chinese_number(match.group("num"))
    prefix, suffix = match.group("pre") or "", match.group("post") or ""
    if prefix and suffix:
        return None  # "万分之3%" is malformed; better to say nothing than guess
    if prefix:
        return value / _UNIT_DIVISORS[prefix]
    if suffix:
        return value / _SUFFIX_DIVISORS[suffix]
    return None


_CALCULATION_STEP = re.compile(r"\s*[÷×*/]\s*\d")


def _periods_per_year(period: str) -> int:
    return MONTHS_PER_YEAR if "月" in period else DAYS_PER_YEAR


def find_periodic_rates(text: str) -> list[PeriodicRate]:
    """Every daily/monthly rate in normalised ``text`` with a readable unit, in text order."""
    found: list[PeriodicRate] = []
    for pattern in (_LEADING, _TRAILING):
        for match in pattern.finditer(text):
            fraction = _fraction(match)
            if fraction is None or _CALCULATION_STEP.match(text, match.end()):
                continue  # 月利率＝12.0%÷12: the annual rate being divided, not a monthly rate
            annual = fraction * _periods_per_year(match.group("period")) * 100
            found.append(PeriodicRate(match.start(), match.end(), match.group(0), annual))
    return sorted(found, key=lambda rate: rate.start)


def find_annual_rates(text: str) -> list[tuple[float, float]]:
    """Each stated annual rate as a (low, high) percentage range; a single figure gives low == high."""
    return [_annual_range(match) for match in _ANNUAL.finditer(text)]


def find_annual_rate_spans(text: str) -> list[tuple[int, int, float, float]]:
    """Each stated annual rate with its [start, end) in ``text`` and its (low, high) percentage range."""
    return [(match.start(), match.end(), *_annual_range(match)) for match in _ANNUAL.finditer(text)]


def is_consistent(annual_percent: float, stated: list[tuple[float, float]], tolerance: float) -> bool:
    """Whether ``annual_percent`` lies within ``tolerance`` (relative) of any stated annual range."""
    for low, high in stated:
        if low * (1 - tolerance) <= annual_percent <= high * (1 + tolerance):
            return True
    return False


def format_percent(value: float) -> str:
    """A percentage for a finding message: two decimals, trailing zeros dropped (10.95, 2.92, 3.6)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
