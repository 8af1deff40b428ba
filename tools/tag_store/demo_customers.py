"""Vectorised generation of one chunk of fictitious customers, one numpy array per column.

Encoding (the loader turns these into SQL values): bool tags are bool arrays; integer tags are int arrays with
``NULL_INT`` for unknown; other numbers are floats with NaN for unknown; dates are int32 day offsets from the
build's as-of day with ``NULL_DAYS`` for unknown. Text columns (categories, surnames) are :class:`Categorical`
codes into a short label tuple, -1 for unknown: handing DuckDB numpy string arrays is several times slower.

Correlations follow the brief: students are young, mostly C1-C2 and rarely granted credit; most credit
customers have not drawn; value tier follows AUM; about 3% overdue; about 8% without marketing consent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.tag_store import demo_profiles as p

NULL_INT = -1
NULL_DAYS = int(np.iinfo(np.int32).min)
VALUE_TIERS = ("V0", "V1", "V2", "V3", "V4", "V5")
RISK_LEVELS = ("C1", "C2", "C3", "C4", "C5")
LIFECYCLE_STAGES = ("新客", "成长", "成熟", "沉睡", "流失")
PREFERRED_CHANNELS = ("移动端", "微信端", "网点柜面", "电话客服")


@dataclass(frozen=True)
class Categorical:
    """A text column as codes into ``labels`` (-1 = unknown)."""

    labels: tuple[str, ...]
    codes: np.ndarray


@dataclass
class CustomerChunk:
    """Generated columns: plain arrays and categorical text columns, keyed by column name."""

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    text: dict[str, Categorical] = field(default_factory=dict)

    def put_text(self, name: str, labels: tuple[str, ...], codes: np.ndarray) -> None:
        self.text[name] = Categorical(labels, codes.astype(np.int16))

    def columns(self) -> set[str]:
        return set(self.arrays) | set(self.text)


def generate_customers(rng: np.random.Generator, size: int) -> CustomerChunk:
    """All tag columns (plus surname and masked name) for ``size`` customers."""
    chunk = CustomerChunk()
    _demographics(rng, size, chunk)
    _names(rng, size, chunk)
    tier, near_empty = _wealth(rng, chunk)
    _credit(rng, chunk.arrays)
    _investment(rng, chunk, tier)
    _engagement(rng, chunk.arrays, near_empty)
    _lifecycle(chunk, tier)
    _consent_and_sensitive(rng, chunk, tier)
    # Tags added to the catalog later draw from a child stream: spawning leaves ``rng``'s own draws
    # untouched, so every earlier column (and the contact history drawn after this) stays identical.
    _later_tags(rng.spawn(1)[0], chunk)
    return chunk


def _demographics(rng: np.random.Generator, size: int, chunk: CustomerChunk) -> None:
    band = p.weighted_choice(rng, tuple(share for _, _, share in p.AGE_BANDS), size)
    low = np.array([lo for lo, _, _ in p.AGE_BANDS])[band]
    high = np.array([hi for _, hi, _ in p.AGE_BANDS])[band]
    age = rng.integers(low, high)
    chunk.arrays["age"] = age
    chunk.put_text("gender", ("男", "女"), (rng.random(size) >= 0.51).astype(np.int16))
    city = p.weighted_choice(rng, tuple(w for *_, w in p.CITIES), size)
    chunk.put_text("city", tuple(c for c, *_ in p.CITIES), city)
    provinces = tuple(dict.fromkeys(prov for _, prov, _, _ in p.CITIES))
    chunk.put_text("province", provinces, np.array([provinces.index(c[1]) for c in p.CITIES])[city])
    tiers = tuple(dict.fromkeys(tier for _, _, tier, _ in p.CITIES))
    chunk.put_text("city_tier", tiers, np.array([tiers.index(c[2]) for c in p.CITIES])[city])
    student_odds = np.select([age < 18, age <= 22, age <= 25, age <= 29], [0.9, 0.6, 0.2, 0.03], 0.0)
    is_student = rng.random(size) < student_odds
    chunk.arrays["is_student"] = is_student
    jobs = (*(name for name, _ in p.OCCUPATIONS_OF_WORKERS), "退休", "学生")
    occupation = p.weighted_choice(rng, tuple(w for _, w in p.OCCUPATIONS_OF_WORKERS), size)
    occupation = np.where((age >= 60) & (rng.random(size) < 0.85), jobs.index("退休"), occupation)
    occupation = np.where(rng.random(size) < 0.08, -1, occupation)  # never registered
    chunk.put_text("occupation", jobs, np.where(is_student, jobs.index("学生"), occupation))
    chunk.arrays["birthday_month"] = rng.integers(1, 13, size)


def _names(rng: np.random.Generator, size: int, chunk: CustomerChunk) -> None:
    """Surname and masked name only: one * per given-name character, never a given name."""
    surnames = tuple(s for s, _ in p.SURNAMES)
    surname = p.weighted_choice(rng, tuple(w for _, w in p.SURNAMES), size)
    two_char_given_name = rng.random(size) >= 0.25
    chunk.put_text("surname", surnames, surname)
    masked = tuple(s + stars for stars in ("*", "**") for s in surnames)
    chunk.put_text("name_masked", masked, surname + len(surnames) * two_char_given_name)


def _wealth(rng: np.random.Generator, chunk: CustomerChunk) -> tuple[np.ndarray, np.ndarray]:
    """AUM, deposits, payroll and value tier; returns (tier index, near-empty flag) for later steps."""
    age, is_student = chunk.arrays["age"], chunk.arrays["is_student"]
    size = int(age.shape[0])
    payroll = (~is_student) & (age >= 22) & (age < 60) & (rng.random(size) < 0.38)
    chunk.arrays["salary_payroll"] = payroll
    log_mean = np.log(15_000) + np.clip(age - 18, 0, 50) / 50 * 1.8 - 1.2 * is_student + 0.5 * payroll
    average_aum = np.exp(rng.normal(log_mean, 1.6))
    near_empty = rng.random(size) < 0.08  # accounts kept open with almost nothing in them
    average_aum = np.where(near_empty, average_aum * 0.0005, average_aum)
    tier = np.searchsorted(np.array(p.VALUE_TIER_FLOORS), average_aum, side="right")
    chunk.put_text("value_tier", VALUE_TIERS, tier)
    # Today's balance wanders around the 3-month average the tier is computed from.
    aum = np.round(average_aum * rng.lognormal(0.0, 0.15, size), 2)
    chunk.arrays["aum"] = aum
    deposit_share = np.clip(rng.beta(4, 2, size) - 0.08 * tier, 0.05, 1.0)
    chunk.arrays["deposit_balance"] = np.round(aum * deposit_share, 2)
    return tier, near_empty


def _credit(rng: np.random.Generator, cols: dict[str, np.ndarray]) -> None:
    age, is_student, payroll = cols["age"], cols["is_student"], cols["salary_payroll"]
    size = int(age.shape[0])
    adult = age >= 18
    worker = adult & ~is_student
    granted = rng.random(size) < np.select([worker, adult], [0.30 + 0.15 * payroll, 0.02], 0.0)
    drawn = granted & (rng.random(size) < 0.38)
    limit = np.clip(np.round(rng.lognormal(np.log(60_000), 0.6, size), -3), 10_000, 500_000)
    cols["credit_granted"], cols["credit_drawn"] = granted, drawn
    cols["credit_limit"] = np.where(granted, limit, np.nan)
    mortgage = worker & (age >= 28) & (age <= 58) & (rng.random(size) < 0.22)
    card = rng.random(size) < np.select([worker, adult], [0.36, 0.04], 0.0)
    installment = card & (rng.random(size) < 0.27)
    cols["mortgage"], cols["has_credit_card"], cols["card_installment_user"] = mortgage, card, installment
    consumer = np.where(drawn, limit * rng.uniform(0.1, 0.95, size), 0.0)
    housing = np.where(mortgage, rng.lognormal(np.log(600_000), 0.5, size), 0.0)
    cols["loan_balance"] = np.round(consumer + housing, 2)
    # Each kind of debt carries its own chance of being overdue; together about 3% of all customers.
    stay_current = (1 - 0.12 * drawn) * (1 - 0.03 * card) * (1 - 0.06 * installment) * (1 - 0.02 * mortgage)
    cols["is_overdue"] = rng.random(size) < 1 - stay_current


def _investment(rng: np.random.Generator, chunk: CustomerChunk, tier: np.ndarray) -> None:
    cols = chunk.arrays
    age, is_student, aum = cols["age"], cols["is_student"], cols["aum"]
    size = int(tier.shape[0])
    adult = age >= 18
    student_damping = np.where(is_student, 0.3, 1.0)
    wealth_odds = np.array([0.01, 0.06, 0.22, 0.42, 0.58, 0.72])[tier] * student_damping
    fund_odds = np.array([0.005, 0.04, 0.14, 0.28, 0.38, 0.50])[tier] * student_damping
    insurance_odds = np.array([0.01, 0.04, 0.10, 0.20, 0.30, 0.40])[tier]
    has_wealth = adult & (rng.random(size) < wealth_odds)
    has_fund = adult & (rng.random(size) < fund_odds)
    cols["has_wealth"], cols["has_fund"] = has_wealth, has_fund
    cols["has_large_cd"] = (aum >= 200_000) & (rng.random(size) < 0.35)
    cols["has_insurance"] = adult & (rng.random(size) < insurance_odds)
    assessed = has_wealth | has_fund | (rng.random(size) < 0.2)
    mixes = np.array([p.RISK_MIX_GENERAL, p.RISK_MIX_STUDENT, p.RISK_MIX_SENIOR])
    level = p.mixture_choice(rng, mixes, np.select([is_student, age >= 65], [1, 2], 0))
    chunk.put_text("risk_level", RISK_LEVELS, np.where(assessed, level, -1))
    # A test stays valid for a year; about a quarter of assessed customers are past expiry.
    expiry = rng.integers(-120, 366, size)
    cols["risk_test_expiry"] = np.where(assessed, expiry, NULL_DAYS).astype(np.int32)


def _engagement(rng: np.random.Generator, cols: dict[str, np.ndarray], near_empty: np.ndarray) -> None:
    age = cols["age"]
    size = int(age.shape[0])
    mobile = rng.random(size) < np.select([age < 18, age >= 60], [0.4, 0.5], 0.8)
    active = mobile & (rng.random(size) < 0.65)
    active_days = np.where(active, np.clip(rng.geometric(0.12, size), 1, 30), 0)
    recent_login = rng.integers(0, 31 - np.maximum(active_days, 1))
    old_login = np.clip(30 + rng.geometric(1 / 120, size), 30, 720)
    cols["has_mobile_banking"] = mobile
    cols["app_active_days_30"] = active_days
    cols["last_login_days"] = np.where(mobile, np.where(active, recent_login, old_login), NULL_INT)
    max_years = np.clip(age - 15, 1, 15)
    new_account = rng.random(size) < 0.04
    account_age = np.where(
        new_account, rng.integers(0, 90, size), (rng.random(size) * max_years * 365).astype(int)
    )
    cols["account_open_date"] = (-account_age).astype(np.int32)
    idle_mean = np.where(near_empty, 400.0, 120.0)  # near-empty accounts are rarely used
    gap = np.where(active, rng.integers(0, 31, size), rng.exponential(idle_mean).astype(int))
    gap = np.minimum(gap, account_age)
    never_traded = new_account & (rng.random(size) < 0.25)
    cols["last_txn_date"] = np.where(never_traded, NULL_DAYS, -gap).astype(np.int32)


def _lifecycle(chunk: CustomerChunk, tier: np.ndarray) -> None:
    """Derived in the order the catalog's definition of lifecycle_stage gives."""
    cols = chunk.arrays
    account_age = -cols["account_open_date"].astype(np.int64)
    last_txn = cols["last_txn_date"].astype(np.int64)
    gap = np.where(last_txn == NULL_DAYS, 10**6, -last_txn)
    stage = np.select(
        [account_age < 90, (gap > 365) & (cols["aum"] < 10), gap >= 90, tier >= 2],
        [LIFECYCLE_STAGES.index(name) for name in ("新客", "流失", "沉睡", "成熟")],
        LIFECYCLE_STAGES.index("成长"),
    )
    chunk.put_text("lifecycle_stage", LIFECYCLE_STAGES, stage)


def _consent_and_sensitive(rng: np.random.Generator, chunk: CustomerChunk, tier: np.ndarray) -> None:
    cols = chunk.arrays
    size = int(tier.shape[0])
    cols["marketing_consent"] = rng.random(size) >= 0.08
    cols["phone_valid"] = rng.random(size) >= 0.03
    cols["wecom_friend"] = rng.random(size) < np.where(tier >= 3, 0.30, 0.18)
    cols["health_flag"] = rng.random(size) < 0.04
    religion = p.weighted_choice(rng, tuple(w for _, w in p.RELIGIONS), size)
    chunk.put_text("religion", tuple(name for name, _ in p.RELIGIONS), religion)


def _later_tags(rng: np.random.Generator, chunk: CustomerChunk) -> None:
    """Bill day, maturing wealth, mobile transactions, preferred channel and complaints."""
    cols = chunk.arrays
    size = int(cols["age"].shape[0])
    bill_day = 1 + p.weighted_choice(rng, p.BILL_DAY_WEIGHTS, size)
    cols["card_bill_day"] = np.where(cols["has_credit_card"], bill_day, NULL_INT)
    # About two in five wealth holders have a product maturing or opening for redemption within 90 days.
    maturing = cols["has_wealth"] & (rng.random(size) < 0.4)
    cols["wealth_maturing_90d"] = np.round(
        np.where(maturing, cols["aum"] * rng.uniform(0.05, 0.45, size), 0.0), 2
    )
    # Transactions follow active days; payroll and card customers pay and transfer more often.
    per_day = rng.gamma(2.0, 0.4, size) * (1 + 0.5 * cols["salary_payroll"] + 0.3 * cols["has_credit_card"])
    cols["mobile_txn_count_30"] = rng.poisson(cols["app_active_days_30"] * per_day)
    _preferred_channel(rng, chunk)
    odds = 0.012 * (1 + 2.0 * cols["is_overdue"]) * (1 + 0.5 * cols["card_installment_user"])
    cols["complaint_12m"] = rng.random(size) < odds * np.where(cols["age"] >= 60, 1.3, 1.0)


def _preferred_channel(rng: np.random.Generator, chunk: CustomerChunk) -> None:
    """Active app users prefer the app; seniors without the app prefer the branch; dormant customers have none."""
    cols = chunk.arrays
    size = int(cols["age"].shape[0])
    group = np.select(
        [cols["app_active_days_30"] > 0, cols["has_mobile_banking"], cols["age"] >= 60],
        [0, 1, 2],
        3,
    )
    channel = p.mixture_choice(rng, np.array(p.CHANNEL_PREFERENCE_MIXES), group)
    lifecycle = chunk.text["lifecycle_stage"]
    idle_codes = [lifecycle.labels.index(stage) for stage in ("沉睡", "流失")]
    idle = np.isin(lifecycle.codes, idle_codes)
    unknown = rng.random(size) < np.where(idle, 0.7, 0.05)
    chunk.put_text("preferred_channel", PREFERRED_CHANNELS, np.where(unknown, -1, channel))
