"""Find every quantity a Chinese marketing text states, with its position and a unit-normalised key.

A quantity is a number with its unit: a rate (3.6%, 年化3.6%, 万分之三), an amount (20万元, 200,000元), a term
(12期, 3年, 91天), a date (2026年12月31日, 12月31日), a count (6笔, 18周岁, 第3期), a code (R2, C3), a time
(09:00) or a phone number. Keys compare numerically after unit normalisation, so 20万 == 200000元 and
3.60% == 3.6%. The same extractor reads drafts and fact sources, which keeps both sides of a link consistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Literal

from tools.cn_numerals import chinese_integer

QuantityKind = Literal["rate", "amount", "term", "date", "count", "code", "time", "phone"]
Key = tuple[object, ...]

_CN = "零〇一二两三四五六七八九十百千万亿"
# Full-width digits and signs fold one-to-one, so offsets into the folded text are offsets into the original.
_FULL = "０１２３４５６７８９％．，：－～ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
_HALF = "0123456789%.,:-~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_FOLD = str.maketrans(_FULL, _HALF)

_UNIT = (
    r"(?P<unit>%|‰|折|万元|亿元|元|块|个月|个工作日|工作日|天|日|周岁|岁|年|期|周|月|小时|分钟"
    r"|笔|次|倍|名|位|人|户|份|张|款|个|级)?"
)
_TOKEN = re.compile(
    r"(?P<date>(?:(?P<y>(?:19|20)\d{2})年)?(?P<m>1[0-2]|0?[1-9])月(?:(?P<d>[12]\d|3[01]|0?[1-9])[日号])?)"
    r"|(?P<year>(?<!\d)(?:19|20)\d{2}(?=年(?!期|内|以)))"
    r"|(?P<iso>(?<!\d)(?:19|20)\d{2}[-/](?:1[0-2]|0?[1-9])[-/](?:[12]\d|3[01]|0?[1-9])(?![\d-]))"
    r"|(?P<phone>(?<![\d.])(?:\d{3,4}(?:-\d{3,4}){1,2}|1[3-9]\d{9})(?![\d.]))"
    r"|(?P<time>(?<!\d)(?:[01]?\d|2[0-4]):[0-5]\d(?!\d))"
    rf"|(?P<ratio>(?P<base>[百千万])分之(?:\d+(?:\.\d+)?|[{_CN}]+))"
    r"|(?P<code>(?<![A-Za-z])[A-Za-z]{1,3}\d+(?:\.\d+)?)"
    r"|(?P<ordinal>(?<=第)\d+)"
    + _UNIT.replace("unit", "ordunit")
    + r"|(?P<num>(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?P<mult>[万亿](?!分之)|千(?=元))?)"
    + _UNIT
    # A Chinese numeral counts only right before a time or money unit, so 一款/统一/一次 stay words.
    + rf"|(?P<cn>[{_CN}]{{2,}}|[二两三四五六七八九十])(?P<cnunit>万元|亿元|元|个月|天|日|年|期|周岁|岁|倍)"
)
# Markdown list numbering ("1. ", "2、") is layout, not a fact.
_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]*(?:#+[ \t]*)?$")
_LIST_PUNCT = re.compile(r"[.)、](?!\d)")
_RANGE_GAP = re.compile(r"^\s*(?:至|到|-|–|—|~|、|或)\s*$")
_YEAR_FACTOR = {
    "年": ("月", 12),
    "个月": ("月", 1),
    "月": ("月", 1),
    "周": ("天", 7),
    "天": ("天", 1),
    "日": ("天", 1),
}
_AMOUNT_UNITS = {"元": Decimal(1), "块": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_TERM_UNITS = frozenset({"个月", "个工作日", "工作日", "天", "日", "年", "期", "周", "月", "小时", "分钟"})


@dataclass(frozen=True)
class Quantity:
    """One quantity: ``value`` as written (numeric part), its ``unit``, kind, canonical key and span."""

    kind: QuantityKind
    value: str
    unit: str
    key: Key
    start: int
    end: int


def _number(text: str) -> Decimal:
    """A numeral as a Decimal: Arabic (with thousands commas) or Chinese."""
    if text[0].isdigit():
        return Decimal(text.replace(",", ""))
    return Decimal(chinese_integer(text))


def keyed(kind: QuantityKind, number: Decimal, unit: str) -> Key:
    """The comparison key of a number with a unit: equal keys mean the same fact."""
    if kind == "amount":
        return ("amount", number * _AMOUNT_UNITS.get(unit, Decimal(1)))
    if kind == "rate":
        return ("discount", number) if unit == "折" else ("rate", number / 10 if unit == "‰" else number)
    if kind == "term":
        base, factor = _YEAR_FACTOR.get(unit, (unit, 1))
        return ("term", base, number * factor)
    return (kind, unit, number)


def _kind_of(unit: str, multiplied: bool) -> QuantityKind:
    if unit in ("%", "‰", "折"):
        return "rate"
    if unit in _AMOUNT_UNITS or (multiplied and not unit):  # a bare 20万 is money in marketing copy
        return "amount"
    return "term" if unit in _TERM_UNITS else "count"


_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000)}


def _numeric(match: re.Match[str], borrowed: str | None) -> Quantity:
    """A plain number token; a number without a unit of its own takes ``borrowed`` (its range's unit)."""
    raw, mult = match.group("num"), match.group("mult") or ""
    digits = raw[: len(raw) - len(mult)]
    unit = match.group("unit") or ("" if mult else borrowed or "")
    number = _number(digits) * _MULTIPLIERS.get(mult, Decimal(1))
    kind = _kind_of(unit, bool(mult))
    return Quantity(kind, raw, unit, keyed(kind, number, unit), match.start("num"), match.end("num"))


def _special(match: re.Match[str]) -> Quantity | None:
    """Dates, phones, times, ratios, codes, ordinals and Chinese numerals (None: not a well-formed one)."""
    text, start, end = match.group(0), match.start(), match.end()
    if match.group("date"):
        y, m, d = (int(p) if p else None for p in match.group("y", "m", "d"))
        return Quantity("date", text, "", ("date", y, m, d), start, end)
    if match.group("year"):
        return Quantity("date", text, "年", ("date", int(text), None, None), start, end)
    if match.group("iso"):
        y, m, d = (int(p) for p in re.split(r"[-/]", text))
        return Quantity("date", text, "", ("date", y, m, d), start, end)
    if match.group("phone"):
        return Quantity("phone", text, "", ("phone", re.sub(r"\D", "", text)), start, end)
    if match.group("time"):
        hours, minutes = text.split(":")
        return Quantity("time", text, "", ("time", int(hours), int(minutes)), start, end)
    if match.group("ratio"):
        percent = _number(text[3:]) * {"百": Decimal(1), "千": Decimal("0.1"), "万": Decimal("0.01")}[text[0]]
        return Quantity("rate", text, "", ("rate", percent), start, end)
    if match.group("code"):
        return Quantity("code", text, "", ("code", text.upper()), start, end)
    if match.group("ordinal"):
        unit = match.group("ordunit") or ""
        value = match.group("ordinal")
        return Quantity("count", value, unit, ("ordinal", unit, Decimal(value)), start, match.end("ordinal"))
    numeral, unit = match.group("cn"), match.group("cnunit")
    try:
        number = _number(numeral)
    except (ValueError, InvalidOperation):
        return None
    kind = _kind_of(unit, False)
    return Quantity(kind, numeral, unit, keyed(kind, number, unit), start, match.start("cnunit"))


def _is_list_number(text: str, match: re.Match[str]) -> bool:
    if match.group("num") is None or match.group("unit") or match.group("mult"):
        return False
    before = text[max(0, match.start() - 8) : match.start()]
    return bool(_LIST_MARKER.search(before) or match.start() == 0) and bool(
        _LIST_PUNCT.match(text, match.end())
    )


def extract_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` in order; a bare number before a range gap takes the range's unit (1至36期)."""
    folded = text.translate(_FOLD)
    matches = list(_TOKEN.finditer(folded))
    found: list[Quantity | None] = [None] * len(matches)
    borrowed: str | None = None
    for index in range(len(matches) - 1, -1, -1):  # right to left, so 3、6、12、24期 chains its unit back
        match = matches[index]
        if _is_list_number(folded, match):
            borrowed = None
            continue
        if match.group("num") is None:
            found[index], borrowed = _special(match), None
            continue
        quantity = _numeric(match, borrowed)
        found[index] = quantity
        nxt = matches[index - 1] if index > 0 else None
        gap = folded[nxt.end() : match.start()] if nxt is not None else ""
        borrowed = quantity.unit if quantity.unit and _RANGE_GAP.match(gap) else None
    # Values are quoted from the original text, so a full-width ３．６ is reported as written.
    return [replace(q, value=text[q.start : q.end]) for q in found if q is not None]
