"""Required disclosures per product type and channel, taken from the product sheet's mandatory sentences.

Every channel carries the product type's key disclosure: 理财非存款、产品有风险、投资须谨慎 for 理财, the
structured-deposit risk sentence, the fund risk and distributor sentences, the insurance distributor and
"not a deposit" sentences, and the annualised rate (年化利率) for loans and cards. The 公众号 article, the
long-form channel, carries every disclosure sentence on the sheet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from core.domain import CREDIT_PRODUCT_TYPES, Product

# Words that identify a key disclosure sentence on the sheet; when the sheet has none, the words themselves
# are required (the regulation asks for the wording whether or not the sheet spells it out).
KEY_DISCLOSURE_MARKERS: dict[str, tuple[str, ...]] = {
    "wealth": ("理财非存款、产品有风险、投资须谨慎",),
    "structured_deposit": ("不同于一般性存款",),
    "fund": ("基金有风险", "代理销售机构"),
    "insurance": ("代理销售机构", "不是存款"),
}
LONG_FORM_CHANNELS = frozenset({"wechat"})
# A push body holds 50 汉字, less than some sheet sentences: there the key words themselves must be present.
SHORT_FORM_CHANNELS = frozenset({"push"})
SHORT_FORM_MARKERS: dict[str, tuple[str, ...]] = {
    "fund": ("基金有风险", "代理销售"),
    "insurance": ("代理销售", "不是存款"),
}
_APR = re.compile(r"年化利率(?:\(单利\))?[^\d。;\n]{0,8}(\d+(?:\.\d+)?)%")
_KEPT_PUNCTUATION = frozenset(".%")  # part of numbers: 3.6% must not match 36


def normalized(text: str) -> str:
    """Width-folded text without spaces and punctuation, so a sentence matches however it is punctuated
    (理财非存款，产品有风险 = 理财非存款、产品有风险)."""
    return "".join(
        char
        for char in unicodedata.normalize("NFKC", text)
        if not char.isspace()
        and (char in _KEPT_PUNCTUATION or not unicodedata.category(char).startswith("P"))
    )


@dataclass(frozen=True)
class Disclosure:
    """One required disclosure: a label for reports and the sentence (or APR bounds) it needs."""

    label: str
    sentence: str | None = None
    apr_values: frozenset[Decimal] = frozenset()

    def present_in(self, text: str) -> bool:
        if self.sentence is not None:
            return normalized(self.sentence) in normalized(text)
        stated = {Decimal(m.group(1)) for m in _APR.finditer(unicodedata.normalize("NFKC", text))}
        return bool(stated & self.apr_values)


def _sheet_sentence(product: Product, marker: str) -> Disclosure:
    sentence = next((d for d in product.disclosures if normalized(marker) in normalized(d)), marker)
    return Disclosure(label=sentence, sentence=sentence)


def _apr_disclosure(product: Product) -> Disclosure:
    bounds = {Decimal(str(v)) for v in (product.apr_min, product.apr_max) if v is not None}
    if not bounds:
        raise ValueError(f"product {product.id}: a credit product needs apr_min/apr_max to disclose")
    shown = "、".join(f"{v.normalize():f}%" for v in sorted(bounds))
    return Disclosure(label=f"年化利率（{shown}）", apr_values=frozenset(bounds))


def required_disclosures(product: Product, channel: str) -> list[Disclosure]:
    """What a draft about ``product`` on ``channel`` must state."""
    if channel in SHORT_FORM_CHANNELS and product.type in SHORT_FORM_MARKERS:
        required = [Disclosure(label=m, sentence=m) for m in SHORT_FORM_MARKERS[product.type]]
    else:
        required = [_sheet_sentence(product, m) for m in KEY_DISCLOSURE_MARKERS.get(product.type, ())]
    if product.type in CREDIT_PRODUCT_TYPES:
        required.append(_apr_disclosure(product))
    if channel in LONG_FORM_CHANNELS:
        labels = {d.label for d in required}
        required += [Disclosure(label=d, sentence=d) for d in product.disclosures if d not in labels]
    return required


def missing_disclosures(product: Product, channel: str, text: str) -> list[str]:
    """Labels of the required disclosures ``text`` lacks (empty = all present)."""
    return [d.label for d in required_disclosures(product, channel) if not d.present_in(text)]
