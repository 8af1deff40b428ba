"""Where a claim may come from: the product sheet, the campaign plan, the bank's settings, the policy KB.

Each source field is read with the same quantity extractor as drafts, and every fact remembers the field it came
from (``product:CL-001.apr_min``, ``product:CL-001.fees[0]``, ``plan.waves[0].starts_on``, ``settings.bank_hotline``,
``kb:reg-deposit-insurance#第五条``), so the ledger can say exactly where a number in the copy was taken from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from core.domain import Product
from core.settings import Settings
from tools.claims.kb import MIN_SHARED_BIGRAMS, KbSection, context_bigrams
from tools.claims.quantities import Key, Quantity, extract_quantities

_NUMERIC_FIELDS = {
    "apr_min": "rate",
    "apr_max": "rate",
    "rate": "rate",
    "min_amount": "amount",
    "max_amount": "amount",
}
_TEXT_FIELDS = ("name", "term", "benchmark", "issuer", "risk_level")
_LIST_FIELDS = ("fees", "eligibility", "disclosures", "benefits")
# Plan fields that name things rather than state facts a customer reads.
_PLAN_SKIPPED = frozenset({"product_ids", "objective", "channels"})
_SETTINGS_FIELDS = ("bank_name", "bank_short_name", "sms_signature", "bank_hotline", "calling_hours")


@dataclass(frozen=True)
class SourceText:
    """One source field's text and the quantities it states."""

    source: str
    text: str
    keys: tuple[Key, ...]


def _date_key(day: date) -> Key:
    return ("date", day.year, day.month, day.day)


def _text(source: str, text: str) -> SourceText:
    return SourceText(source, text, tuple(q.key for q in extract_quantities(text)))


def product_sources(product: Product) -> list[SourceText]:
    """Every product-sheet field that can carry a fact, numeric fields first (the most specific source)."""
    prefix = f"product:{product.id}"
    found: list[SourceText] = []
    for name, kind in _NUMERIC_FIELDS.items():
        value = getattr(product, name)
        if value is not None:
            found.append(SourceText(f"{prefix}.{name}", f"{value:g}", ((kind, Decimal(str(value))),)))
    for name in ("effective_from", "effective_to"):
        day = getattr(product, name)
        if day is not None:
            found.append(SourceText(f"{prefix}.{name}", day.isoformat(), (_date_key(day),)))
    found += [
        _text(f"{prefix}.{name}", getattr(product, name)) for name in _TEXT_FIELDS if getattr(product, name)
    ]
    for name in _LIST_FIELDS:
        found += [_text(f"{prefix}.{name}[{i}]", item) for i, item in enumerate(getattr(product, name))]
    return found


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, text) for every string, number and date in a JSON-like tree."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key not in _PLAN_SKIPPED:
                yield from _leaves(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif isinstance(value, str | int | float | date) and not isinstance(value, bool):
        yield path, value.isoformat() if isinstance(value, date) else str(value)


def plan_sources(plan: BaseModel | Mapping[str, Any] | None) -> list[SourceText]:
    """Every plan field as a source (``plan.waves[0].starts_on`` …); the plan is the marketer's own statement."""
    if plan is None:
        return []
    tree = plan.model_dump(mode="json") if isinstance(plan, BaseModel) else plan
    return [_text(path, text) for path, text in _leaves(tree, "plan")]


def settings_sources(settings: Settings) -> list[SourceText]:
    """The bank's own settings quoted in copy: names, hotline, calling hours, do-not-call days."""
    found = [_text(f"settings.{name}", str(getattr(settings, name))) for name in _SETTINGS_FIELDS]
    found.append(
        SourceText("settings.dnc_days", str(settings.dnc_days), (("term", "天", Decimal(settings.dnc_days)),))
    )
    return found


def keys_agree(claim: Key, fact: Key) -> bool:
    """Whether a fact states the claim: equal keys, or a date that agrees on every part the claim gives."""
    if claim == fact:
        return True
    if claim[0] != "date" or fact[0] != "date":
        return False
    return all(part is None or part == other for part, other in zip(claim[1:], fact[1:], strict=True))


def kb_source_for(
    quantity: Quantity, text: str, sections: tuple[KbSection, ...], product_type: str
) -> KbSection | None:
    """The first KB section for this product type that states the number and talks about the same thing."""
    around = context_bigrams(text, quantity.start, quantity.end)
    for section in sections:
        if product_type not in section.product_types:
            continue
        if any(keys_agree(quantity.key, key) for key in section.keys) and (
            len(around & section.bigrams) >= MIN_SHARED_BIGRAMS
        ):
            return section
    return None
