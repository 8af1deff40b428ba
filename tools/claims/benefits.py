"""Named benefits in copy: the sheet's own selling points, and promotional perks that must come from a source.

A benefit the product sheet lists (``benefits``) is found verbatim; a perk word (红包, 免年费, 加息券 …) anywhere
else in the copy is a claim too, and it is linked only when some source field states it. Perks are where
invented offers hide, so they are checked even when the copy carries no number.
"""

from __future__ import annotations

from dataclasses import dataclass

# Rewards and waivers a customer would act on. Product features (随借随还, 按日计息) are described by the sheet's
# wording and its numbers, which the quantity ledger already checks.
PERK_TERMS = (
    "免年费", "免息", "免手续费", "零手续费", "免费", "返现", "立减", "满减", "减免", "红包", "加息券", "优惠券",
    "代金券", "抵用券", "积分", "抽奖", "礼品", "好礼", "豪礼", "赠送", "包邮", "折扣", "体验金", "新人礼",
)  # fmt: skip


@dataclass(frozen=True)
class BenefitMention:
    """A benefit phrase found in the copy, with its span."""

    phrase: str
    start: int
    end: int


def _all_occurrences(text: str, phrase: str) -> list[int]:
    starts, at = [], text.find(phrase)
    while at != -1:
        starts.append(at)
        at = text.find(phrase, at + len(phrase))
    return starts


def find_benefits(text: str, sheet_benefits: list[str]) -> list[BenefitMention]:
    """Sheet benefits quoted verbatim, then perk words outside them, in text order (no overlaps)."""
    found: list[BenefitMention] = []
    for phrase in sorted(sheet_benefits, key=len, reverse=True):
        found += [BenefitMention(phrase, s, s + len(phrase)) for s in _all_occurrences(text, phrase)]
    for term in sorted(PERK_TERMS, key=len, reverse=True):
        for start in _all_occurrences(text, term):
            end = start + len(term)
            if not any(m.start < end and start < m.end for m in found):
                found.append(BenefitMention(term, start, end))
    return sorted(found, key=lambda m: m.start)
