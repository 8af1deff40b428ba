"""Trace every number in a draft back to a fact source: the product sheet, the bank's settings or the plan.

A draft may state nothing the sheet does not (DESIGN §3, knowledge/products.yaml): a rate, amount, term, date
or phone number that no source holds is an invented fact, and the trace names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from agents.plan import CampaignPlan
from core.domain import Product
from core.settings import Settings
from evals.checks.numbers import DateKey, NumberToken, extract_numbers

MIN_PHONE_DIGITS = 5  # a bare digit run this long may be a hotline written without hyphens


@dataclass(frozen=True)
class FactSources:
    """Every number the sources state, by kind (codes upper-cased, phones as bare digits)."""

    values: frozenset[Decimal] = frozenset()
    codes: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    dates: frozenset[DateKey] = frozenset()
    times: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def collect(
        cls, texts: Iterable[str], values: Iterable[float] = (), dates: Iterable[date] = ()
    ) -> FactSources:
        """Sources from free texts (tokenised like drafts), numeric fields and calendar dates."""
        tokens = [token for text in texts for token in extract_numbers(text)]
        known_dates: set[DateKey] = {(d.year, d.month, d.day) for d in dates}
        known_dates |= {t.date for t in tokens if t.date is not None}
        known_values = {Decimal(str(v)) for v in values} | {t.value for t in tokens if t.value is not None}
        # A year stated alone ("2026年") is traced by any known date in that year.
        known_values |= {Decimal(year) for year, _, _ in known_dates if year is not None}
        return cls(
            values=frozenset(known_values),
            codes=frozenset(t.code for t in tokens if t.code is not None),
            phones=frozenset(t.phone for t in tokens if t.phone is not None),
            dates=frozenset(known_dates),
            times=frozenset(t.time for t in tokens if t.time is not None),
        )

    def traces(self, token: NumberToken) -> bool:
        """Whether some source states this number."""
        if token.value is not None:
            return token.value in self.values or self._is_known_phone(token.value)
        if token.code is not None:
            return token.code in self.codes
        if token.phone is not None:
            return token.phone in self.phones
        if token.time is not None:
            return token.time in self.times
        return token.date is not None and any(_date_agrees(token.date, known) for known in self.dates)

    def _is_known_phone(self, value: Decimal) -> bool:
        digits = str(value)
        return digits.isdigit() and len(digits) >= MIN_PHONE_DIGITS and digits in self.phones


def _date_agrees(stated: DateKey, known: DateKey) -> bool:
    """A stated date matches a known one on every component it gives (12月1日 matches 2026-12-01)."""
    return all(part is None or part == other for part, other in zip(stated, known, strict=True))


@dataclass(frozen=True)
class NumberTrace:
    """The numbers found in a draft and those no source states."""

    found: list[NumberToken]
    untraced: list[NumberToken] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.untraced

    def describe(self) -> str:
        """'untraced numbers: 3.2, 2027年1月5日' for a failure detail."""
        return "untraced numbers: " + ", ".join(token.text for token in self.untraced)


def trace_numbers(text: str, sources: FactSources) -> NumberTrace:
    """Every number in ``text`` and which of them no source states."""
    found = extract_numbers(text)
    return NumberTrace(found=found, untraced=[token for token in found if not sources.traces(token)])


def product_texts(product: Product) -> list[str]:
    """The product sheet's free-text fields that may carry numbers."""
    singles = [product.name, product.term, product.benchmark, product.issuer, product.risk_level]
    return [t for t in singles if t] + [
        *product.fees,
        *product.eligibility,
        *product.disclosures,
        *product.benefits,
    ]


def product_values(product: Product) -> list[float]:
    fields = (product.rate, product.apr_min, product.apr_max, product.min_amount, product.max_amount)
    return [v for v in fields if v is not None]


def settings_texts(settings: Settings) -> list[str]:
    return [settings.bank_name, settings.bank_short_name, settings.sms_signature, settings.bank_hotline,
            settings.calling_hours, str(settings.dnc_days)]  # fmt: skip


def plan_texts(plan: CampaignPlan) -> list[str]:
    waves = [wave.name for wave in plan.waves]
    return [plan.audience_description, *plan.kpis, *plan.constraints, *plan.assumptions, *waves]


def draft_sources(product: Product, settings: Settings, plan: CampaignPlan) -> FactSources:
    """What a content draft for ``product`` under ``plan`` may quote numbers from."""
    dates = [d for d in (product.effective_from, product.effective_to) if d is not None]
    dates += [day for wave in plan.waves for day in (wave.starts_on, wave.ends_on)]
    texts = [*product_texts(product), *settings_texts(settings), *plan_texts(plan)]
    return FactSources.collect(texts, product_values(product), dates)
