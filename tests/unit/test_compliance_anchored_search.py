"""Searching a rule regex only around its anchors finds exactly what a scan of the whole text finds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.compliance_engine import production_drafts
from tools.compliance.anchored_search import AnchoredPattern, covers, tracked_literals
from tools.compliance.detectors.base import compile_pattern
from tools.compliance.gate import Gate
from tools.compliance.normalize import normalize

_PATTERN_KEYS = {"patterns", "offer_patterns", "periodic_rate_patterns", "apr_patterns", "trigger", "pattern"}


def _patterns_in(node: object) -> Iterator[str]:
    """Every regex string under a pattern-holding key of a rule's detector params (parts included)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _PATTERN_KEYS:
                yield from [value] if isinstance(value, str) else value
            else:
                yield from _patterns_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns_in(item)


@cache
def _rule_patterns() -> tuple[AnchoredPattern, ...]:
    sources: set[str] = set()
    for path in sorted(Path("knowledge/rules").glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")):
            sources.update(_patterns_in(rule["detector"]))
    return tuple(AnchoredPattern(compile_pattern(source)) for source in sorted(sources))


@cache
def _gate() -> Gate:
    return Gate({}, tracked=tracked_literals(_rule_patterns()))


def _assert_same_matches(text: str) -> None:
    norm = normalize(text)
    starts = _gate().scan(norm.folded).literal_starts
    for pattern in _rule_patterns():
        anchored = [(m.start(), m.end(), m.group()) for m in pattern.finditer(norm.text, starts)]
        full = [(m.start(), m.end(), m.group()) for m in pattern.pattern.finditer(norm.text)]
        assert anchored == full, pattern.pattern.pattern


def test_most_rule_patterns_are_searched_around_their_anchors() -> None:
    """Guards the tests below against passing because nothing is windowed."""
    patterns = _rule_patterns()
    assert len(patterns) >= 80
    assert sum(p.windowed for p in patterns) >= 40
    assert sum(p.start_bounded for p in patterns) >= 10


def test_same_matches_on_the_production_like_corpus_and_the_suite() -> None:
    for _, text in production_drafts():
        _assert_same_matches(text)
    cases = yaml.safe_load(Path("evals/datasets/compliance.yaml").read_text(encoding="utf-8"))["cases"]
    texts = [case["text"] for case in cases]
    for start in range(0, len(texts), 20):  # long drafts: many windows, merged and separate
        _assert_same_matches("\n".join(texts[start : start + 20]))


# Pieces that open windows close to each other, at the text's edges and next to digits and punctuation.
_PIECES = ["手续费", "年化", "%", "3.6", "0.05%", "每天", "/", "日", "月", "最高", "逾期", "您", "的", "已", "存款保险",
           "50万", "偿付限额", "别家", "银行", "AI", "ai", "不是", "智能客服", "据统计", "数据来源:", "，", "。", "\n",
           " ", "8", "年", "收益率", "排名", "第一", "不", "保本", "承诺", "本金"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40).map("".join))
def test_same_matches_on_random_copy(text: str) -> None:
    _assert_same_matches(text)


def test_a_match_is_reported_once_when_two_windows_are_close() -> None:
    pattern = AnchoredPattern(re.compile("保本[^。]{0,3}收益"))
    text = "保本收益。" + "x" * 10 + "保本和收益"
    starts = Gate({}, tracked={"保本", "收益"}).scan(text).literal_starts
    assert [m.span() for m in pattern.finditer(text, starts)] == [(0, 4), (15, 20)]


@cache
def _exempt_patterns() -> tuple[AnchoredPattern, ...]:
    sources: set[str] = set()
    for path in sorted(Path("knowledge/rules").glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")):
            sources.update(_values_of(rule["detector"], "exempt_patterns"))
    return tuple(AnchoredPattern(compile_pattern(source)) for source in sorted(sources))


def _values_of(node: object, key: str) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from value if name == key else _values_of(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values_of(item, key)


def test_covers_agrees_with_a_full_scan_for_every_exemption_pattern() -> None:
    """Every span inside a full-scan match is covered; a text with no match covers nothing."""
    patterns = _exempt_patterns()
    assert len(patterns) >= 20 and sum(p.windowable for p in patterns) >= 15
    cases = yaml.safe_load(Path("evals/datasets/compliance.yaml").read_text(encoding="utf-8"))["cases"]
    texts = [normalize(case["text"]).folded for case in cases] + [
        normalize(text).folded for _, text in production_drafts()
    ]
    checked = 0
    for pattern in patterns:
        for text in texts:
            matches = [m.span() for m in pattern.pattern.finditer(text) if m.end() > m.start()]
            for low, high in matches:
                assert covers(pattern, text, low, high), (pattern.pattern.pattern, text[low:high])
                assert covers(pattern, text, low, low + 1), pattern.pattern.pattern
                checked += 1
            if not matches and len(text) > 4:
                assert not covers(pattern, text, 2, 4), pattern.pattern.pattern
    assert checked >= 50
