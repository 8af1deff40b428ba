"""The rule gate: anchors derived from regexes, and a gated check equal to an ungated one."""

from __future__ import annotations

from functools import cache

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from evals.suites.compliance import DATASET_BANK, EVAL_DATE
from tools.compliance import check, load_rules
from tools.compliance.gate import Gate, regex_anchors
from tools.compliance.meta import CheckMeta
from tools.compliance.rules import RuleSet


@pytest.mark.parametrize(
    ("pattern", "anchors"),
    [
        ("保本", {"保本"}),
        ("(央行|国家)[^,]{0,4}(认证|兜底)", {"央行", "国家"}),  # a branch gives one anchor per alternative
        ("年化[^。]{0,12}?\\d+%", {"年化"}),
        ("预期(年化)?收益率?", {"预期收益"} | {"预期"}),
        ("(收益率?|业绩比较基准)[^,]{0,6}最高\\d", {"最高"}),  # the longest-shortest literal wins
        ("(保本)?收益?", {"收"}),  # optional parts are no anchors; the required 收 is
        ("\\d+%", {"%"}),
        ("NO\\.1", {"no.1"}),  # case-folded like the text the gate scans
    ],
)
def test_regex_anchors_are_literals_every_match_contains(pattern: str, anchors: set[str]) -> None:
    found = regex_anchors(pattern)
    assert found is not None
    assert found <= anchors


@pytest.mark.parametrize("pattern", ["\\d+", "[^,]+", "(保本)?\\d?", "(a|\\d)"])
def test_patterns_without_a_required_literal_are_ungated(pattern: str) -> None:
    assert regex_anchors(pattern) is None


def test_gate_opens_rules_by_anchor_and_always_opens_ungated_ones() -> None:
    gate = Gate({"A": frozenset({"保本"}), "B": frozenset({"年化"}), "C": None})
    assert gate.open_rules("本产品保本") == {"A", "C"}
    assert gate.open_rules("无关文字") == {"C"}


@cache
def _rules() -> tuple[RuleSet, RuleSet]:
    gated = load_rules()
    opened = load_rules()
    opened.gate = Gate({rule.id: None for rule in opened})
    return gated, opened


def _same_result(text: str, channel: str, product_type: str | None, meta: CheckMeta | None) -> None:
    gated, opened = _rules()
    kwargs = {"bank_short_name": DATASET_BANK, "on_date": EVAL_DATE, "meta": meta}
    fast = check(text, channel, product_type, rules=gated, **kwargs)  # type: ignore[arg-type]
    slow = check(text, channel, product_type, rules=opened, **kwargs)  # type: ignore[arg-type]
    assert fast == slow
    # Every span points into the text as written, whatever normalisation removed or folded.
    for finding in fast.findings:
        if finding.span is not None:
            assert text[finding.span.start : finding.span.end] == finding.span.quote


def test_gated_check_equals_ungated_check_and_spans_quote_the_original_on_every_suite_case() -> None:
    with open("evals/datasets/compliance.yaml", encoding="utf-8") as handle:
        cases = yaml.safe_load(handle)["cases"]
    for case in cases:
        meta = CheckMeta.model_validate(case["meta"]) if case.get("meta") else None
        _same_result(case["text"], case["channel"], case.get("product_type"), meta)


_WORDS = ["保本", "年化利率", "3.6%", "日息万三", "最高", "收益", "理财", "存款保险", "分期", "手续费率0.6%", "您",
          "逾期", "不", "“", "”", "谨防", "，", "。", "专家推荐", "别家银行", "排名第一", "数据来源：", "拒收请回复R"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14).map("".join),
    st.sampled_from(["sms", "wechat", "h5", "call_script"]),
    st.sampled_from([None, "wealth", "consumer_loan", "credit_card", "deposit"]),
)
def test_gated_check_equals_ungated_check_on_random_copy(
    text: str, channel: str, product_type: str | None
) -> None:
    _same_result(text, channel, product_type, None)
