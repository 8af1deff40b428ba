"""Find every number a Chinese marketing text states: amounts (incl. 万/亿), rates, terms, dates, times, phones.

Each number becomes a ``NumberToken`` with a canonical key, so "20万元", "200000元" and "二十万元" all mean the
value 200000, and "万分之三" means 0.03 (percent). The same tokeniser reads drafts and fact sources, which keeps
both sides of a trace consistent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tools.cn_numerals import chinese_integer

NumberKind = Literal["value", "code", "phone", "date", "time"]
DateKey = tuple[int | None, int | None, int | None]

MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
RATIO_BASES = {"百": Decimal(1), "千": Decimal("0.1"), "万": Decimal("0.01")}  # → percent

_CN = "零〇一二两三四五六七八九十百千万亿"
_TOKEN = re.compile(
    r"(?P<date>(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?)"
    r"|(?P<iso>(?<!\d)(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})(?![\d-]))"
    r"|(?P<phone>(?<![\d.])\d{3,4}(?:-\d{3,4}){1,2}(?![\d.]))"
    r"|(?P<time>(?<!\d)(?P<hh>\d{1,2}):(?P<mm>\d{2})(?!\d))"
    rf"|(?P<ratio>(?P<base>[百千万])分之(?P<ratio_num>\d+(?:\.\d+)?|[{_CN}]+))"
    r"|(?P<code>[A-Za-z]+\d+(?:\.\d+)?)"
    r"|(?P<value>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<mult>[万亿](?!分之))?"
    # A Chinese numeral counts only before a unit, so 一款/一次/统一 are words, not numbers.
    r"|(?P<cn>[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)(?=[年天日期岁倍元%％]|个月|个工作日)"
)
# Markdown list numbering ("1. ", "2、") is layout, not a fact.
_LIST_MARKER = re.compile(r"^(\s*(?:#+\s*)?)\d{1,2}[.)、](?!\d)", re.MULTILINE)


@dataclass(frozen=True)
class NumberToken:
    """One number as written (``text``) and its canonical key for comparison."""

    kind: NumberKind
    text: str
    value: Decimal | None = None
    code: str | None = None
    phone: str | None = None
    date: DateKey | None = None
    time: tuple[int, int] | None = None


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _token(match: re.Match[str]) -> NumberToken | None:
    """The token a regex match stands for (None when a Chinese run is not a well-formed numeral)."""
    text = match.group(0)
    if match.group("date"):
        year, month, day = (int(part) if part else None for part in match.group("y", "m", "d"))
        return NumberToken("date", text, date=(year, month, day))
    if match.group("iso"):
        return NumberToken("date", text, date=(int(match["iy"]), int(match["im"]), int(match["id"])))
    if match.group("phone"):
        return NumberToken("phone", text, phone=re.sub(r"\D", "", text))
    if match.group("time"):
        return NumberToken("time", text, time=(int(match["hh"]), int(match["mm"])))
    if match.group("ratio"):
        raw = match.group("ratio_num")
        number = _decimal(raw) if raw[0].isdigit() else Decimal(chinese_integer(raw))
        return NumberToken("value", text, value=number * RATIO_BASES[match.group("base")])
    if match.group("code"):
        return NumberToken("code", text, code=text.upper())
    if match.group("value"):
        number = _decimal(match.group("value")) * MULTIPLIERS.get(match.group("mult") or "", Decimal(1))
        return NumberToken("value", text, value=number)
    try:
        return NumberToken("value", text, value=Decimal(chinese_integer(text)))
    except ValueError:
        return None


def extract_numbers(text: str) -> list[NumberToken]:
    """Every number stated in ``text``, in order (full-width digits are folded first, list numbering skipped)."""
    folded = _LIST_MARKER.sub(r"\1", unicodedata.normalize("NFKC", text))
    tokens = (_token(match) for match in _TOKEN.finditer(folded))
    return [token for token in tokens if token is not None]
