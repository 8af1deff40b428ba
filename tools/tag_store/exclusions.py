"""Policy exclusions the store applies to every selection, whatever the expression says (DESIGN §4).

Order is fixed; each step counts only the customers that the steps before it left in, so the counts add up
to ``matched - size``. Unknown values (NULL) are treated as the risky case: a customer whose age, student or
overdue flag, consent or risk profile is unknown is excluded where that fact matters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict

from core.domain import CREDIT_PRODUCT_TYPES, INVESTMENT_PRODUCT_TYPES, PRODUCT_TYPES, TEXT_CHANNELS
from tools.tag_store.compile import ParamBag, column, day_start
from tools.tag_store.errors import SelectionError

RiskLevel = Literal["R1", "R2", "R3", "R4", "R5"]
CUSTOMER_RISK_LEVELS = ("C1", "C2", "C3", "C4", "C5")
ADULT_AGE = 18
FREQUENCY_WINDOW_DAYS = 30
# Most contacts one customer may receive per channel in FREQUENCY_WINDOW_DAYS before being left out.
FREQUENCY_CAPS_30D: Mapping[str, int] = MappingProxyType(
    {"sms": 4, "push": 8, "wechat": 8, "article": 8, "h5": 4, "wecom": 4, "call_script": 2}
)


class ExtraExclusions(BaseModel):
    """Customer ids the operational database knows must be left out (recent refusals and opt-outs)."""

    model_config = ConfigDict(frozen=True)

    do_not_call: frozenset[int] = frozenset()
    opted_out: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SelectionContext:
    """Everything that decides which exclusions apply and how."""

    product_type: str | None
    channels: tuple[str, ...]
    product_risk_level: RiskLevel | None
    extra: ExtraExclusions
    today: date
    frequency_caps: Mapping[str, int]

    @classmethod
    def checked(
        cls,
        *,
        product_type: str | None,
        channels: list[str],
        product_risk_level: RiskLevel | None,
        extra: ExtraExclusions | None,
        today: date,
        frequency_caps: Mapping[str, int] = FREQUENCY_CAPS_30D,
    ) -> SelectionContext:
        """Build a context, refusing unknown channels/product types and unassessable suitability."""
        unknown = [channel for channel in channels if channel not in TEXT_CHANNELS]
        if unknown:
            raise SelectionError(f"unknown channel(s) {unknown}; expected some of {list(TEXT_CHANNELS)}")
        if product_type is not None and product_type not in PRODUCT_TYPES:
            raise SelectionError(
                f"unknown product type {product_type!r}; expected one of {list(PRODUCT_TYPES)}"
            )
        if product_type in INVESTMENT_PRODUCT_TYPES and product_risk_level is None:
            raise SelectionError(f"{product_type} is an investment product: pass product_risk_level (R1-R5)")
        if product_risk_level is not None and product_risk_level not in ("R1", "R2", "R3", "R4", "R5"):
            raise SelectionError(f"product_risk_level must be R1-R5, not {product_risk_level!r}")
        return cls(
            product_type=product_type,
            channels=tuple(dict.fromkeys(channels)),
            product_risk_level=product_risk_level,
            extra=extra or ExtraExclusions(),
            today=today,
            frequency_caps=frequency_caps,
        )

    @property
    def is_credit(self) -> bool:
        return self.product_type in CREDIT_PRODUCT_TYPES

    @property
    def is_investment(self) -> bool:
        return self.product_type in INVESTMENT_PRODUCT_TYPES


@dataclass(frozen=True)
class ExclusionStep:
    """One exclusion: when it applies, and the SQL that is true for a customer it removes."""

    code: str
    label: str
    applies: Callable[[SelectionContext], bool]
    condition: Callable[[SelectionContext, ParamBag], str]


def _opted_out(ctx: SelectionContext, params: ParamBag) -> str:
    # Opted out of any channel this campaign uses (or of everything) leaves the customer out entirely:
    # one campaign, one audience, and the conservative reading of 个人信息保护法 §24.
    channels = params.add_all(["all", *ctx.channels])
    sql = (
        f"{column('marketing_consent')} IS NOT TRUE OR c.customer_id IN "
        f"(SELECT o.customer_id FROM opt_outs AS o WHERE o.channel IN ({channels}))"
    )
    if ctx.extra.opted_out:
        sql += f" OR c.customer_id IN (SELECT unnest({params.add(sorted(ctx.extra.opted_out))}::BIGINT[]))"
    return sql


def _do_not_call(ctx: SelectionContext, params: ParamBag) -> str:
    sql = (
        "c.customer_id IN (SELECT d.customer_id FROM do_not_call AS d "
        f"WHERE d.until >= {params.add(ctx.today)})"
    )
    if ctx.extra.do_not_call:
        sql += f" OR c.customer_id IN (SELECT unnest({params.add(sorted(ctx.extra.do_not_call))}::BIGINT[]))"
    return sql


def _suitability(ctx: SelectionContext, params: ParamBag) -> str:
    assert ctx.product_risk_level is not None  # SelectionContext.checked guarantees it for investment types
    product_rank = int(ctx.product_risk_level[1:])
    allowed = params.add_all(list(CUSTOMER_RISK_LEVELS[product_rank - 1 :]))
    risk, expiry = column("risk_level"), column("risk_test_expiry")
    return (
        f"{risk} IS NULL OR {risk} NOT IN ({allowed}) "
        f"OR {expiry} IS NULL OR {expiry} < {params.add(ctx.today)}"
    )


def _frequency_cap(ctx: SelectionContext, params: ParamBag) -> str:
    since = params.add(day_start(ctx.today - timedelta(days=FREQUENCY_WINDOW_DAYS)))
    channels = [channel for channel in ctx.channels if channel in ctx.frequency_caps]
    caps = " ".join(
        f"WHEN {params.add(channel)} THEN {params.add(ctx.frequency_caps[channel])}" for channel in channels
    )
    return (
        "c.customer_id IN (SELECT h.customer_id FROM contact_history AS h "
        f"WHERE h.contacted_at >= {since} AND h.channel IN ({params.add_all(channels)}) "
        f"GROUP BY h.customer_id, h.channel HAVING count(*) >= CASE h.channel {caps} END)"
    )


EXCLUSION_STEPS: tuple[ExclusionStep, ...] = (
    ExclusionStep("opted_out", "未同意营销或已退订", lambda ctx: True, _opted_out),
    ExclusionStep(
        "do_not_call",
        "拒绝外呼名单",
        lambda ctx: "call_script" in ctx.channels,
        _do_not_call,
    ),
    ExclusionStep(
        "minor",
        "未成年人（信贷产品）",
        lambda ctx: ctx.is_credit,
        lambda ctx, params: f"{column('age')} IS NULL OR {column('age')} < {params.add(ADULT_AGE)}",
    ),
    ExclusionStep(
        "student",
        "在校学生（信贷产品）",
        lambda ctx: ctx.is_credit,
        lambda ctx, params: f"{column('is_student')} IS NOT FALSE",
    ),
    ExclusionStep(
        "overdue",
        "当前逾期（信贷产品）",
        lambda ctx: ctx.is_credit,
        lambda ctx, params: f"{column('is_overdue')} IS NOT FALSE",
    ),
    ExclusionStep(
        "suitability",
        "风险等级不匹配或风险测评过期（投资类产品）",
        lambda ctx: ctx.is_investment,
        _suitability,
    ),
    ExclusionStep(
        "frequency_cap",
        f"近{FREQUENCY_WINDOW_DAYS}天触达次数已达上限",
        lambda ctx: any(channel in ctx.frequency_caps for channel in ctx.channels),
        _frequency_cap,
    ),
)

# Columns the steps read; the store checks the customers table has them.
EXCLUSION_COLUMNS = ("marketing_consent", "age", "is_student", "is_overdue", "risk_level", "risk_test_expiry")


def applicable_steps(ctx: SelectionContext) -> list[ExclusionStep]:
    return [step for step in EXCLUSION_STEPS if step.applies(ctx)]


def exclusion_case(steps: list[ExclusionStep], ctx: SelectionContext, params: ParamBag) -> str:
    """A CASE naming the first step that removes the customer (NULL when none does)."""
    # Step codes are our own constants, never user input, so they may be SQL literals.
    branches = " ".join(f"WHEN ({step.condition(ctx, params)}) THEN '{step.code}'" for step in steps)
    return f"CASE {branches} ELSE NULL END"
