"""LN-01 numeric consistency: periodic rates are read as numbers and checked against the stated 年化利率."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain import Finding
from tools.compliance import check
from tools.compliance.detectors.rate_numbers import (
    RateParseError,
    chinese_number,
    find_annual_rates,
    find_periodic_rates,
    format_percent,
    is_consistent,
)
from tools.compliance.normalize import normalize

DAY = date(2026, 11, 23)


def ln01(text: str) -> list[Finding]:
    result = check(text, "h5", "consumer_loan", on_date=DAY, bank_short_name="示例银行")
    return [f for f in result.findings if f.rule_id == "LN-01"]


@pytest.mark.parametrize(
    ("text", "annual"),
    [
        ("日息万三", 10.95),
        ("日息万分之3", 10.95),
        ("日利率万分之0.8", 2.92),
        ("日利率0.02%", 7.3),
        ("日利率0.0119%", 4.3435),
        ("0.03%/天", 10.95),
        ("月利率0.5%", 6.0),
        ("月息千分之五", 6.0),
        ("日费率3‱", 10.95),
        ("日息万八", 29.2),
        ("日利率低至万分之五", 18.25),
    ],
)
def test_periodic_rates_are_annualised(text: str, annual: float) -> None:
    [rate] = find_periodic_rates(normalize(text).text)
    assert rate.annual_percent == pytest.approx(annual)
    assert rate.quote == normalize(text).text[rate.start : rate.end]


def test_a_rate_without_a_unit_is_not_guessed() -> None:
    assert find_periodic_rates("日息3，随借随还") == []


@pytest.mark.parametrize(
    ("token", "value"), [("三", 3.0), ("十", 10.0), ("十五", 15.0), ("二十", 20.0), ("0.8", 0.8)]
)
def test_chinese_numbers(token: str, value: float) -> None:
    assert chinese_number(token) == value


@pytest.mark.parametrize("token", ["", "三五", "abc", "十十"])
def test_unreadable_numbers_raise_a_typed_error(token: str) -> None:
    with pytest.raises(RateParseError, match="numeral|number"):
        chinese_number(token)


def test_annual_rates_single_and_range() -> None:
    text = normalize("年化利率（单利）3.6%起；另一款年化利率7.2%-18%").text
    assert find_annual_rates(text) == [(3.6, 3.6), (7.2, 18.0)]
    assert is_consistent(10.0, [(7.2, 18.0)], 0.05) and not is_consistent(2.92, [(3.6, 3.6)], 0.05)
    assert (
        format_percent(10.95) == "10.95" and format_percent(3.6) == "3.6" and format_percent(2.92) == "2.92"
    )


def test_inconsistent_daily_rate_blocks_and_names_both_numbers() -> None:
    text = "示例快贷日利率万分之0.8，年化利率（单利）3.6%起，额度以审批结果为准。"
    [hit] = ln01(text)
    assert hit.severity == "block" and hit.span is not None and hit.span.quote == "日利率万分之0.8"
    assert "2.92%" in hit.message and "3.6%" in hit.message


def test_inconsistent_monthly_rate_blocks() -> None:
    [hit] = ln01("示例消费贷月利率1%，年化利率（单利）6%起")
    assert "12%" in hit.message and "6%" in hit.message


@pytest.mark.parametrize(
    "text",
    [
        "示例消费贷日息万三（年化利率（单利）10.95%），随借随还",
        "示例快贷日利率0.0119%，年化利率（单利）4.35%起",
        "示例快贷0.03%/天，年化利率10.95%",
        "示例快贷日利率万分之2至万分之5，年化利率（单利）7.3%-18.25%",
        "示例快贷年化利率（单利）3.6%起，额度以审批结果为准",
    ],
)
def test_consistent_or_absent_periodic_rates_pass(text: str) -> None:
    assert ln01(text) == []


def test_trailing_daily_rate_without_apr_is_located() -> None:
    [hit] = ln01("示例快贷0.03%/天，随借随还")
    assert hit.span is not None and hit.span.quote == "0.03%/天"
