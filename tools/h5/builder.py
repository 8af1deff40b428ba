"""Offline H5 builder: a complete landing page from the campaign plan and the product sheet only.

Every figure on the page (rates, amounts, terms, fees, disclosures, eligibility) is copied from the sheet; the
plan contributes the objective and the period; settings contribute the bank's name and hotline. Nothing is
invented, so a sheet that lacks what a page must show is a clear error rather than a page with a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from core.domain import Product
from core.settings import Settings, get_settings
from tools.h5 import wording
from tools.h5.clauses import product_clause
from tools.h5.model import (
    ActivityRules,
    Benefit,
    Consent,
    Disclosure,
    FormField,
    H5Page,
    Hero,
    Institution,
    LeadForm,
)

TITLE_MAX = 20
LOAN_TYPES = frozenset({"consumer_loan", "business_loan"})
# The sheet's own words for "interest is the only charge"; only then is the financing cost the rate range.
NO_OTHER_FEES = "无其他费用"
FINANCING_COST = "综合融资成本"
SUBTITLE_MAX = 40


class H5BuildError(ValueError):
    """The plan or the product sheet lacks something the page must show."""


class PlanWave(Protocol):
    @property
    def starts_on(self) -> date: ...

    @property
    def ends_on(self) -> date: ...


class PlanLike(Protocol):
    """What the builder reads from a campaign plan (agents.plan.CampaignPlan satisfies it)."""

    @property
    def objective(self) -> str: ...

    @property
    def waves(self) -> Sequence[PlanWave]: ...


def build_offline_h5(plan: PlanLike, product: Product) -> H5Page:
    """Assemble the page for ``product`` in campaign ``plan`` (H5BuildError when the sheet falls short)."""
    settings = get_settings()
    family = wording.family_of(product.type)
    bank, hotline = settings.bank_short_name, settings.bank_hotline
    name = short_product_name(product, bank)
    return H5Page(
        product_id=product.id,
        product_type=product.type,
        hero=Hero(
            title=name, subtitle=_subtitle(product), cta=wording.CTA, cta_note=wording.CTA_NOTES[family]
        ),
        benefits=_benefits(product),
        steps=[step.format(hotline=hotline) for step in wording.STEPS[family]],
        rate_and_fees=rate_and_fees(product),
        risk_disclosure=risk_disclosure(product),
        lead_form=_lead_form(settings),
        activity_rules=_activity_rules(plan, product, name, settings),
        institution=Institution(
            legal_name=settings.bank_name,
            hotline=hotline,
            complaint_channel=f"客服热线{hotline}或本行各营业网点",
        ),
        ai_label=wording.AI_LABEL_TEXT,
    )


def short_product_name(product: Product, bank_short_name: str) -> str:
    """The product name for the 20-character title: without the bank's name, then without a parenthetical."""
    name = product.name
    if len(name) > TITLE_MAX and name.startswith(bank_short_name):
        name = name[len(bank_short_name) :]
    if len(name) > TITLE_MAX and "（" in name:
        name = name[: name.index("（")]
    if len(name) > TITLE_MAX:
        raise H5BuildError(
            f"product {product.id} name {product.name!r} does not fit a {TITLE_MAX}-character title"
        )
    return name


def rate_and_fees(product: Product) -> Disclosure:
    """The price of the product as the sheet states it: its rate or benchmark, then every fee verbatim."""
    family = wording.family_of(product.type)
    if family == "credit":
        lines = [f"年化利率（单利）：{_apr_range(product)}", *_financing_cost(product)]
        heading = "年化利率与费用"
    elif family == "deposit":
        lines = [f"年利率：{_deposit_rate(product)}"]
        heading = "利率与费用"
    else:
        lines = [_benchmark_line(product.benchmark)] if product.benchmark else []
        heading = "业绩比较基准与费用" if product.benchmark else "费用说明"
    if not product.fees:
        raise H5BuildError(f"product {product.id} lists no fees on its sheet; the page must state them")
    lines.extend(product.fees)
    return Disclosure(heading=heading, items=lines)


def _apr_range(product: Product) -> str:
    if product.apr_min is None or product.apr_max is None:
        raise H5BuildError(f"credit product {product.id} has no annualised rate range on its sheet")
    return f"{product.apr_min:g}%–{product.apr_max:g}%"


def _deposit_rate(product: Product) -> str:
    if product.rate is None:
        raise H5BuildError(f"deposit product {product.id} has no rate on its sheet")
    return f"{product.rate:g}%"


def _financing_cost(product: Product) -> list[str]:
    """The 年化综合融资成本 line(s) a personal-loan page must show next to the rate (金规〔2026〕2号, LN-02).

    The sheet's own sentence is quoted when it has one. Otherwise the cost equals the rate range only when the
    sheet states that nothing but interest is charged; without either the cost is unknown and no page is built.
    """
    if product.type not in LOAN_TYPES:
        return []
    stated = [text for text in product.disclosures if FINANCING_COST in text]
    if stated:
        return stated
    if not any(NO_OTHER_FEES in text for text in [*product.fees, *product.disclosures]):
        raise H5BuildError(
            f"loan {product.id}: its sheet neither states {FINANCING_COST} nor that no fee beyond interest is charged"
        )
    return [f"年化综合融资成本：{_apr_range(product)}（含利息及全部相关费用，除利息外无其他费用）"]


def risk_disclosure(product: Product) -> Disclosure:
    """The sheet's mandatory disclosure sentences, verbatim and complete."""
    if not product.disclosures:
        raise H5BuildError(f"product {product.id} has no disclosures on its sheet")
    return Disclosure(
        heading=wording.RISK_HEADINGS[wording.family_of(product.type)], items=list(product.disclosures)
    )


def _benchmark_line(benchmark: str) -> str:
    # The sheet wraps the long text over lines; the page shows it as one sentence run.
    text = "".join(part.strip() for part in benchmark.splitlines())
    return text if text.startswith("业绩比较基准") else f"业绩比较基准：{text}"


def _subtitle(product: Product) -> str:
    """One line of key facts for the first screen; falls back to fewer facts to stay within 40 characters."""
    family = wording.family_of(product.type)
    if family == "credit":
        parts = [f"年化利率（单利）{_apr_range(product)}"]
        if product.max_amount is not None and product.type != "credit_card":
            parts.append(f"最高可借{_yuan(product.max_amount)}")
    elif family == "deposit":
        parts = [f"年利率{_deposit_rate(product)}"]
        if product.min_amount is not None:
            parts.append(f"{_yuan(product.min_amount)}起存")
        if product.term:
            parts.append(f"期限{product.term}")
    else:
        parts = [f"风险等级{product.risk_level}" if product.risk_level else "风险等级详见产品说明书"]
        if product.term:
            parts.append(product.term)
    while len("，".join(parts)) > SUBTITLE_MAX and len(parts) > 1:
        parts.pop()
    return "，".join(parts)[:SUBTITLE_MAX]


def _yuan(amount: float) -> str:
    return f"{amount / 10000:g}万元" if amount >= 10000 else f"{amount:g}元"


def _benefits(product: Product) -> list[Benefit]:
    """The sheet's selling points (at most six), each tied to the sheet section it is quoted from."""
    if not product.benefits:
        raise H5BuildError(f"product {product.id} lists no benefits on its sheet; a page needs at least one")
    return [Benefit(text=text, clause=product_clause(product.id)) for text in product.benefits[:6]]


def _lead_form(settings: Settings) -> LeadForm:
    bank, hotline = settings.bank_short_name, settings.bank_hotline
    return LeadForm(
        heading=wording.FORM_HEADING,
        fields=[
            FormField(
                name="surname",
                label="称呼",
                input_type="text",
                placeholder="如：王先生",
                purpose="客户经理联系您时如何称呼您",
            ),
            FormField(
                name="phone",
                label="手机号",
                input_type="tel",
                placeholder="请输入手机号",
                purpose="仅用于就本次咨询与您联系",
            ),
        ],
        consents=[
            Consent(purpose=purpose, label=label.format(bank=bank), required=required)
            for purpose, label, required in wording.CONSENTS
        ],
        privacy_notice=wording.PRIVACY_NOTICE.format(bank=bank, hotline=hotline),
        submit_label=wording.SUBMIT,
        after_submit=wording.AFTER_SUBMIT.format(bank=bank, hours=settings.calling_hours, hotline=hotline),
    )


def _activity_rules(plan: PlanLike, product: Product, name: str, settings: Settings) -> ActivityRules:
    if not plan.waves:
        raise H5BuildError("the plan has no waves, so the activity has no period")
    starts_on = max(min(w.starts_on for w in plan.waves), product.effective_from or date.min)
    ends_on = min(max(w.ends_on for w in plan.waves), product.effective_to or date.max)
    if starts_on > ends_on:
        raise H5BuildError(f"product {product.id} is not on sale during the campaign period")
    label = wording.OBJECTIVE_LABELS.get(plan.objective)
    if label is None:
        raise H5BuildError(f"unknown campaign objective {plan.objective!r}")
    return ActivityRules(
        name=f"{name}{label}",
        starts_on=starts_on,
        ends_on=ends_on,
        organizer=settings.bank_name,
        eligibility=list(product.eligibility) or ["符合本产品办理条件的个人客户，具体以产品说明为准"],
        how_to_join=list(wording.HOW_TO_JOIN),
        rewards=[wording.NO_REWARDS],
        contact_hotline=settings.bank_hotline,
        closing=wording.RULES_CLOSING.format(hotline=settings.bank_hotline),
    )
