"""PII detector: unmasked mainland ID numbers, mobile numbers and bank-card numbers, checksum-validated.

Regexes alone flag every long number (order ids, amounts, dates); checksums keep the false-positive rate
low: an ID must pass GB 11643-1999 MOD 11-2 with a real birth date, a card must pass Luhn. Every pattern is
anchored against surrounding digits so a number inside a longer digit run is never reported.
Masked forms (138****8000, 尾号8821, 110105********002X) do not match by construction.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field

from tools.compliance.detectors.base import DetectionContext, DetectorParams, Hit

PiiKind = Literal["id_card", "mobile", "bank_card"]
PII_LABELS: dict[PiiKind, str] = {"id_card": "身份证号", "mobile": "手机号", "bank_card": "银行卡号"}

_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_CARD_RE = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
# Every kind needs a run of at least 11 digits. This pattern starts with a character class, so sre skips
# through the text at C speed; the three above start with a look-behind and try every position.
_LONG_DIGIT_RUN = re.compile(r"\d{11}")
# An ID number written in its own groups, region / birth date / sequence and check (110105 19491231 002X). The
# normaliser joins only 3–4-digit groups (phone and card style), so this form needs its own pattern.
_GROUPED_ID_RE = re.compile(r"(?<![\dXx])(\d{6})[ \t-](\d{8})[ \t-](\d{3}[\dXx])(?![\dXx])")
_BIRTH_DATE_GROUP = re.compile(r"\d{8}")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CODES = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643-1999 MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CODES[total % 11]


def is_valid_resident_id(number: str) -> bool:
    """True for an 18-character mainland resident ID with a valid region digit, birth date and check char."""
    if len(number) != 18 or not number[:17].isdigit() or number[0] == "0":
        return False
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= birth.year <= 2099:
        return False
    return id_check_char(number[:17]) == number[17].upper()


def passes_luhn(number: str) -> bool:
    """Luhn (mod 10) check used by bank-card numbers."""
    if not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _all_kinds() -> list[PiiKind]:
    return ["id_card", "mobile", "bank_card"]


class PiiParams(DetectorParams):
    """Which kinds of personal data to look for."""

    kinds: list[PiiKind] = Field(default_factory=_all_kinds, min_length=1)


class PiiDetector:
    """Compiled PII rule."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: PiiParams) -> None:
        self.kinds = frozenset(params.kinds)

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """Each unmasked ID, mobile or card number, labelled; an ID is never also reported as a card."""
        text = ctx.norm.text
        # Every form needs a run of at least 8 digits; most copy has none, and this one scan is all it pays.
        if _BIRTH_DATE_GROUP.search(text) is None:
            return []
        found: list[tuple[int, int, PiiKind]] = []
        if "id_card" in self.kinds:
            found.extend(
                (m.start(), m.end(), "id_card")
                for m in _GROUPED_ID_RE.finditer(text)
                if is_valid_resident_id("".join(m.groups()))
            )
        if _LONG_DIGIT_RUN.search(text) is None:
            return [
                Hit(start=start, end=end, detail=f"未脱敏的{PII_LABELS[kind]}") for start, end, kind in found
            ]
        id_spans = [(m.start(), m.end()) for m in _ID_RE.finditer(text) if is_valid_resident_id(m.group(0))]
        if "id_card" in self.kinds:
            found.extend((start, end, "id_card") for start, end in id_spans)
        if "mobile" in self.kinds:
            found.extend((m.start(), m.end(), "mobile") for m in _MOBILE_RE.finditer(text))
        if "bank_card" in self.kinds:
            found.extend(
                (m.start(), m.end(), "bank_card")
                for m in _CARD_RE.finditer(text)
                if passes_luhn(m.group(0)) and (m.start(), m.end()) not in id_spans
            )
        return [
            Hit(start=start, end=end, detail=f"未脱敏的{PII_LABELS[kind]}")
            for start, end, kind in sorted(found)
        ]
