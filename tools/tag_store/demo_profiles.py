"""Fictitious population parameters for the demo tag store: geography, surnames, age and tier shapes.

The numbers are plausible for a mid-sized Chinese retail bank, not measured from any real one.
"""

from __future__ import annotations

import numpy as np

# (city, province, city tier, relative weight of the bank's customers there)
CITIES: tuple[tuple[str, str, str, float], ...] = (
    ("北京", "北京", "一线", 6.0),
    ("上海", "上海", "一线", 6.0),
    ("广州", "广东", "一线", 5.0),
    ("深圳", "广东", "一线", 5.0),
    ("成都", "四川", "新一线", 4.0),
    ("杭州", "浙江", "新一线", 4.0),
    ("重庆", "重庆", "新一线", 4.0),
    ("武汉", "湖北", "新一线", 4.0),
    ("西安", "陕西", "新一线", 3.0),
    ("苏州", "江苏", "新一线", 3.0),
    ("南京", "江苏", "新一线", 3.0),
    ("天津", "天津", "新一线", 3.0),
    ("长沙", "湖南", "新一线", 3.0),
    ("郑州", "河南", "新一线", 3.0),
    ("东莞", "广东", "新一线", 2.5),
    ("青岛", "山东", "新一线", 2.5),
    ("宁波", "浙江", "新一线", 2.5),
    ("合肥", "安徽", "新一线", 2.5),
    ("佛山", "广东", "新一线", 2.0),
    ("沈阳", "辽宁", "二线", 2.0),
    ("昆明", "云南", "二线", 2.0),
    ("济南", "山东", "二线", 2.0),
    ("厦门", "福建", "二线", 1.5),
    ("福州", "福建", "二线", 2.0),
    ("无锡", "江苏", "二线", 1.5),
    ("大连", "辽宁", "二线", 1.5),
    ("哈尔滨", "黑龙江", "二线", 1.5),
    ("南宁", "广西", "二线", 1.5),
    ("石家庄", "河北", "二线", 1.5),
    ("南昌", "江西", "二线", 1.5),
    ("贵阳", "贵州", "二线", 1.2),
    ("温州", "浙江", "二线", 1.2),
    ("洛阳", "河南", "三线及以下", 1.0),
    ("绵阳", "四川", "三线及以下", 0.8),
    ("赣州", "江西", "三线及以下", 0.8),
    ("桂林", "广西", "三线及以下", 0.6),
    ("襄阳", "湖北", "三线及以下", 0.7),
    ("扬州", "江苏", "三线及以下", 0.7),
)

# Common surnames with rough relative frequencies; a few two-character ones for realism.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.8), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2), ("赵", 2.0),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.5), ("马", 1.2), ("朱", 1.2), ("胡", 1.1), ("郭", 1.1),
    ("何", 1.0), ("高", 1.0), ("林", 1.0), ("罗", 0.9), ("郑", 0.9), ("梁", 0.9), ("谢", 0.8), ("宋", 0.7),
    ("唐", 0.7), ("许", 0.7), ("韩", 0.7), ("冯", 0.7), ("邓", 0.7), ("曹", 0.6), ("彭", 0.6), ("曾", 0.6),
    ("肖", 0.6), ("田", 0.6), ("董", 0.5), ("潘", 0.5), ("袁", 0.5), ("蔡", 0.5), ("蒋", 0.5), ("余", 0.5),
    ("欧阳", 0.05), ("司马", 0.02), ("诸葛", 0.01),
)  # fmt: skip

# (lowest age, highest age + 1, share of customers)
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (16, 18, 0.015),
    (18, 25, 0.14),
    (25, 35, 0.24),
    (35, 45, 0.21),
    (45, 55, 0.17),
    (55, 65, 0.13),
    (65, 81, 0.095),
)

OCCUPATIONS_OF_WORKERS: tuple[tuple[str, float], ...] = (
    ("企业职员", 0.50),
    ("公务员及事业单位", 0.12),
    ("个体工商户", 0.12),
    ("自由职业", 0.12),
    ("其他", 0.06),
)

# Lower AUM bound (yuan, 3-month daily average) of tiers V1..V5; below the first is V0.
VALUE_TIER_FLOORS: tuple[float, ...] = (1_000, 50_000, 200_000, 500_000, 6_000_000)

# Risk-profile mixes C1..C5 for the general population, students and customers aged 65+.
RISK_MIX_GENERAL = (0.12, 0.30, 0.34, 0.17, 0.07)
RISK_MIX_STUDENT = (0.60, 0.40, 0.0, 0.0, 0.0)
RISK_MIX_SENIOR = (0.30, 0.40, 0.22, 0.06, 0.02)

RELIGIONS: tuple[tuple[str, float], ...] = (
    ("未登记", 0.90),
    ("佛教", 0.04),
    ("道教", 0.01),
    ("基督教", 0.025),
    ("伊斯兰教", 0.015),
    ("其他", 0.01),
)

# Marketing contacts in the demo history: channel mix and look-back window.
CONTACT_CHANNELS: tuple[tuple[str, float], ...] = (
    ("sms", 0.42),
    ("push", 0.28),
    ("call_script", 0.10),
    ("wecom", 0.08),
    ("wechat", 0.07),
    ("h5", 0.05),
)
CONTACT_HISTORY_DAYS = 90
DEMO_CAMPAIGNS = 60

OPT_OUT_CHANNELS: tuple[tuple[str, float], ...] = (
    ("all", 0.40),
    ("sms", 0.35),
    ("call_script", 0.15),
    ("push", 0.10),
)


# Credit-card statement days 1..28: issuers favour a few round days, so those carry more weight.
BILL_DAY_WEIGHTS: tuple[float, ...] = tuple(3.0 if day % 5 == 0 else 1.0 for day in range(1, 29))

# Preferred-channel mixes (移动端, 微信端, 网点柜面, 电话客服) for: app users active in the last 30 days,
# app users not active lately, customers 60+ without the app, other customers without the app.
CHANNEL_PREFERENCE_MIXES: tuple[tuple[float, float, float, float], ...] = (
    (0.80, 0.10, 0.07, 0.03),
    (0.35, 0.20, 0.35, 0.10),
    (0.00, 0.05, 0.75, 0.20),
    (0.00, 0.45, 0.45, 0.10),
)


def weighted_choice(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> np.ndarray:
    """Indices drawn with the given relative weights."""
    probabilities = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def mixture_choice(rng: np.random.Generator, mixes: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each row, an index drawn from the probability row ``mixes[group[row]]``."""
    cumulative = np.cumsum(mixes, axis=1)
    cumulative[:, -1] = 1.0  # guard against rounding leaving a gap at the top
    draws = rng.random(int(group.shape[0]))
    chosen: np.ndarray = (draws[:, None] >= cumulative[group]).sum(axis=1)
    return chosen
