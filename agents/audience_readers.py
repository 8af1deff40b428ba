"""The readers of the offline audience parser: each finds one kind of condition in a clause and blanks it out.

Age ranges, 近N天活跃/未登录, contact-history windows, birthdays, gender, city tiers, thresholds on number tags
(金融资产50万以上), date windows, category values (with 及以上/及以下 on ordered ones), catalog mentions with
negation (非/没有/还没…) and preset stems. Order matters: specific patterns run before bare mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tools.tag_store.catalog import TagCatalog
from tools.tag_store.tags import Preset, TagDef

_AGE_RANGE = re.compile(r"(\d{1,2})\s*(?:-|–|—|~|～|到|至)\s*(\d{1,2})\s*岁")
_AGE_ABOVE = re.compile(r"(\d{1,2})\s*岁(?:及)?以上")
_AGE_BELOW = re.compile(r"(\d{1,2})\s*岁(?:及)?以下")
_ACTIVE = re.compile(r"近\s*(\d{1,3})\s*[天日](?:内)?(?:有)?(?:活跃|登录)(?:过)?")
_CONTACTED = re.compile(
    r"近\s*(\d{1,3})\s*[天日](?:内)?(?:没有?|未)?(?:被)?(?:(?:收到|接到)过?)?"
    r"(?:(短信|外呼|电话|推送|企微|企业微信)(?:触达|联系|营销)?|(?:触达|联系|营销))过?"
)
# "超过90天未登录", "90天以上没登录": days since the last login, from below (超过 is strict on whole days).
_INACTIVE = re.compile(
    r"(超过|多于|大于)?\s*(\d{1,3})\s*[天日](?:及)?(?:以上)?(?:都)?(?:未|没有?)(?:登录|活跃)"
)
_WINDOW = re.compile(r"近\s*(\d{1,3})\s*(天|日|个月)(?:内)?(?:有|新)?$")
_BIRTHDAY = re.compile(r"(\d{1,2})\s*月(?:份)?(?:过)?生日")
_GENDER = re.compile(r"(女性|女客户|女士|男性|男客户|男士)")
_CITY_TIER = re.compile(r"(新一线|一线|二线|三线及以下)城市")
_NEGATORS = ("目前没有", "还没有", "从未", "尚未", "还没", "没有", "不是", "没", "未", "无", "非", "不")
# A negator may sit a verb away from the tag word: 还没[买过]理财, 没[开通]手机银行, 近一年没[办过]分期.
_NEGATION = re.compile(
    r"(?:目前没有|还没有|从未|尚未|还没|没有|不是|没|未|无|非|不)(?:买过|办过|开通|持有|有过|用过|过)?$"
)
_THRESHOLD = re.compile(
    r"[^\d，,。；;]{0,4}?(不少于|不低于|至少|超过|大于|高于|多于|不超过|低于|小于|少于|不足|未满|不到)?"
    r"\s*(\d+(?:\.\d+)?)\s*(万)?\s*[元天岁次]?"
    r"\s*(及以上|以上|起|及以下|以下)?"
)
_RANGE = re.compile(
    r"[^\d，,。；;]{0,4}?(\d+(?:\.\d+)?)\s*(万)?\s*[元天岁次]?\s*(?:到|至|-|–|—|~|～)\s*"
    r"(\d+(?:\.\d+)?)\s*(万)?\s*[元天岁次]?(?:之间)?"
)
_UPPER_WORDS = ("不超过", "低于", "小于", "少于", "不足", "未满", "不到")
_STRICT_WORDS = ("超过", "大于", "高于", "多于", "低于", "小于", "少于", "不足", "未满", "不到")
_ORDER_SUFFIX = re.compile(r"\s*(及以上|以上|及以下|以下)")  # used with .match(text, pos): no ^
_CONTACT_CHANNEL = {"短信": "sms", "外呼": "call_script", "电话": "call_script", "推送": "push",
                    "企微": "wecom", "企业微信": "wecom"}  # fmt: skip
# Values too short or too generic to read as a selection on their own.
_SKIP_VALUES = frozenset({"男", "女", "其他", "未登记", "一线", "二线", "新一线", "三线及以下"})


@dataclass(frozen=True)
class Hit:
    """A condition read from the text, with where its words stand (to join "A或B")."""

    start: int
    end: int
    condition: dict[str, Any]
    phrase: str


def _blank(text: str, start: int, end: int) -> str:
    """Blank out consumed characters (same length, so positions stay valid for later readers)."""
    return text[:start] + " " * (end - start) + text[end:]


def _read_patterns(text: str, _catalog: TagCatalog, channels: list[str]) -> tuple[list[Hit], str]:
    hits: list[Hit] = []
    builders: list[tuple[re.Pattern[str], Callable[[re.Match[str]], dict[str, Any]]]] = [
        (_AGE_RANGE, lambda m: {"tag": "age", "op": "between", "value": sorted([int(m[1]), int(m[2])])}),
        (_AGE_ABOVE, lambda m: {"tag": "age", "op": "gte", "value": int(m[1])}),
        (_AGE_BELOW, lambda m: {"tag": "age", "op": "lte", "value": int(m[1])}),
        # The catalog counts a login today as 0 days ago, so "近30天" is at most 29 days.
        (_ACTIVE, lambda m: {"tag": "last_login_days", "op": "lte", "value": max(int(m[1]) - 1, 0)}),
        (
            _INACTIVE,
            lambda m: {"tag": "last_login_days", "op": "gte", "value": int(m[2]) + (1 if m[1] else 0)},
        ),
        (_BIRTHDAY, lambda m: {"tag": "birthday_month", "op": "eq", "value": int(m[1])}),
        (_GENDER, lambda m: {"tag": "gender", "op": "eq", "value": "女" if "女" in m[1] else "男"}),
        (_CITY_TIER, lambda m: {"tag": "city_tier", "op": "in", "value": [m[1]]}),
    ]
    for pattern, build in builders:
        for match in pattern.finditer(text):
            condition = build(match)
            if _negated_before(text, match.start()):  # 非一线城市, 不是女性
                condition = {"not": condition}
            hits.append(Hit(match.start(), match.end(), condition, match[0]))
            text = _blank(text, match.start(), match.end())
    for match in _CONTACTED.finditer(text):
        targets = (
            [_CONTACT_CHANNEL[match[2]]] if match[2] else [c for c in channels if c != "audience"] or ["sms"]
        )
        # "排除近7天触达过的" and "近7天未触达的" both mean: not contacted in the window.
        for channel in targets:
            window = {"not_contacted": {"channel": channel, "days": int(match[1])}}
            hits.append(Hit(match.start(), match.end(), window, match[0]))
        text = _blank(text, match.start(), match.end())
    return hits, text


def _read_numeric_tags(text: str, catalog: TagCatalog, _channels: list[str]) -> tuple[list[Hit], str]:
    hits: list[Hit] = []
    for tag in catalog.tags:
        if tag.type != "number" or tag.is_sensitive or tag.code == "age":
            continue
        for term in sorted(tag.terms(), key=len, reverse=True):
            position = text.find(term)
            if position < 0:
                continue
            read = _number_condition(tag, text, position + len(term))
            if read is None:
                continue
            condition, end = read
            hits.append(Hit(position, end, condition, text[position:end]))
            text = _blank(text, position, end)
            break
    return hits, text


def _number_condition(tag: TagDef, text: str, position: int) -> tuple[dict[str, Any], int] | None:
    """What follows a number tag's word: a range (5万到20万之间) or a one-sided threshold (50万以上)."""
    span = _RANGE.match(text, position)
    if span is not None:
        low, high = _amount(span[1], span[2] or span[4]), _amount(span[3], span[4])
        return {"tag": tag.code, "op": "between", "value": sorted([low, high])}, span.end()
    match = _THRESHOLD.match(text, position)
    if match is None or not (match[1] or match[4]):
        return None
    value = _amount(match[2], match[3])
    upper = match[1] in _UPPER_WORDS or (match[4] or "").endswith("以下")
    if match[1] in _STRICT_WORDS and tag.integer and isinstance(value, int):
        value += -1 if upper else 1  # 超过90天 on whole days is 91 and more; 不足10天 is at most 9
    return {"tag": tag.code, "op": "lte" if upper else "gte", "value": value}, match.end()


def _amount(digits: str, wan: str | None) -> int | float:
    """ "20" + "万" → 200000; whole numbers stay ints so the DSL reads naturally."""
    value = float(digits) * (10_000 if wan else 1)
    return int(value) if value.is_integer() else value


def _read_date_windows(text: str, catalog: TagCatalog, _channels: list[str]) -> tuple[list[Hit], str]:
    """ "近30天新开户": a date tag's word right after a 近N天 window → ``within_days`` N−1 (0 = today)."""
    hits: list[Hit] = []
    for tag in catalog.tags:
        if tag.type != "date" or tag.is_sensitive:
            continue
        stems = {term.removesuffix("日期").removesuffix("时间") for term in tag.terms()} | set(tag.terms())
        for stem in sorted((s for s in stems if len(s) >= 2), key=len, reverse=True):
            for found in re.finditer(re.escape(stem), text):
                window = _WINDOW.search(text, 0, found.start())
                if window is None:
                    continue
                days = int(window[1]) * (30 if window[2] == "个月" else 1)
                condition = {"tag": tag.code, "op": "within_days", "value": max(days - 1, 0)}
                hits.append(Hit(window.start(), found.end(), condition, text[window.start() : found.end()]))
                text = _blank(text, window.start(), found.end())
    return hits, text


def _read_categories(text: str, catalog: TagCatalog, _channels: list[str]) -> tuple[list[Hit], str]:
    hits: list[Hit] = []
    cities = set(catalog.require("city").values) if "city" in catalog else set()
    for tag in catalog.tags:
        if tag.type != "category" or tag.is_sensitive:
            continue
        found: list[tuple[int, int, str]] = []
        for value in tag.values:
            if len(value) < 2 or value in _SKIP_VALUES or (tag.code == "province" and value in cities):
                continue  # city names double as province names (北京, 上海): read them as cities
            for word in _value_words(value):
                for match in re.finditer(re.escape(word), text):
                    found.append((match.start(), match.end(), value))
        for start, end, value in sorted(found):
            suffix = _ORDER_SUFFIX.match(text, end) if tag.ordered else None
            if suffix:
                op = "lte" if suffix[1].endswith("以下") else "gte"
                hits.append(
                    Hit(start, suffix.end(), {"tag": tag.code, "op": op, "value": value}, value + suffix[1])
                )
                text = _blank(text, start, suffix.end())
                continue
            condition: dict[str, Any] = {"tag": tag.code, "op": "in", "value": [value]}
            if _negated_before(text, start):
                condition = {"not": condition}
            hits.append(Hit(start, end, condition, value))
            text = _blank(text, start, end)
    return _merge_in_lists(hits), text


def _value_words(value: str) -> list[str]:
    """A compound value also answers to each of its parts: 公务员及事业单位 ← 公务员, 事业单位."""
    parts = [part for part in value.split("及") if len(part) >= 2 and part not in ("以上", "以下")]
    return [value, *parts] if len(parts) > 1 else [value]


def _merge_in_lists(hits: list[Hit]) -> list[Hit]:
    """上海、杭州 → one ``city in [上海, 杭州]`` condition."""
    merged: dict[str, Hit] = {}
    others: list[Hit] = []
    for hit in hits:
        condition = hit.condition
        if condition.get("op") != "in":
            others.append(hit)
            continue
        key = condition["tag"]
        if key in merged:
            previous = merged[key]
            values = list(dict.fromkeys([*previous.condition["value"], *condition["value"]]))
            merged[key] = Hit(previous.start, hit.end, {**condition, "value": values},
                               f"{previous.phrase}、{hit.phrase}")  # fmt: skip
        else:
            merged[key] = hit
    return others + list(merged.values())


def _read_mentions(text: str, catalog: TagCatalog, _channels: list[str]) -> tuple[list[Hit], str]:
    hits: list[Hit] = []
    for entry in catalog.mentions(text):
        position, term = _first_term(entry, text)
        if position < 0:
            continue
        condition = _entry_condition(entry, text, position)
        if condition is None:
            continue
        hits.append(Hit(position, position + len(term), condition, term))
        text = _blank(text, position, position + len(term))
    return hits, text


def _read_preset_stems(text: str, catalog: TagCatalog, _channels: list[str]) -> tuple[list[Hit], str]:
    """ "年轻信用卡客户": a preset named "X客户/X人/X客群" also answers to X inside a longer phrase."""
    hits: list[Hit] = []
    for preset, stem in _preset_stems(catalog):
        position = text.find(stem)
        if position >= 0:
            hits.append(Hit(position, position + len(stem), preset.expression, stem))
            text = _blank(text, position, position + len(stem))
    return hits, text


@lru_cache(maxsize=8)
def _preset_stems(catalog: TagCatalog) -> tuple[tuple[Preset, str], ...]:
    """Stems no other tag or preset uses (活跃 is left out: it is also part of 活跃天数), longest first."""
    stems: list[tuple[Preset, str]] = []
    for preset in catalog.presets:
        entries: list[TagDef | Preset] = [*catalog.tags, *catalog.presets]
        others = [term for entry in entries if entry is not preset for term in entry.terms()]
        for term in preset.terms():
            stem = re.sub(r"(客户|客群|人)$", "", term)
            if stem != term and len(stem) >= 2 and not any(stem in other for other in others):
                stems.append((preset, stem))
    return tuple(sorted(stems, key=lambda item: -len(item[1])))


def _first_term(entry: TagDef | Preset, text: str) -> tuple[int, str]:
    found = [(text.find(term), term) for term in entry.terms() if term and term in text]
    if not found:
        return -1, ""
    return min(found, key=lambda item: (item[0], -len(item[1])))


def _entry_condition(entry: TagDef | Preset, text: str, position: int) -> dict[str, Any] | None:
    if isinstance(entry, Preset):
        return entry.expression
    if entry.type != "bool" or entry.is_sensitive:
        return None  # a bare mention of a number or category tag says nothing about which values
    term_negated = any(
        term.startswith(("没", "未", "无", "非", "不")) for term in entry.terms() if term in text
    )
    value = not _negated_before(text, position) and not term_negated
    return {"tag": entry.code, "op": "eq", "value": value}


def _negated_before(text: str, position: int) -> bool:
    window = text[max(0, position - 6) : position].rstrip()
    return bool(_NEGATION.search(window))


Reader = Callable[[str, TagCatalog, list[str]], tuple[list[Hit], str]]
# Order matters: each reader blanks what it consumed, so specific patterns go before bare mentions.
READERS: tuple[Reader, ...] = (
    _read_patterns, _read_date_windows, _read_numeric_tags, _read_categories, _read_mentions, _read_preset_stems,
)  # fmt: skip
