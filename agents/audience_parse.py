"""Offline audience parser: a marketer's Chinese description → audience DSL over the tag catalog.

It knows the catalog's names, synonyms and presets, category values (cities, tiers, stages), age ranges,
"近N天活跃" and "排除近N天触达过的". What it reads is reported back as stated assumptions, and what it cannot
read is left out rather than guessed.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from tools.tag_store.catalog import TagCatalog
from tools.tag_store.tags import Preset, TagDef

_EXCLUDE_MARKERS = re.compile(r"(排除|剔除|去掉|除去|不含|不包括)")
_CLAUSE_END = re.compile(r"[，,。；;、+＋\n]|和|及")
_AGE_RANGE = re.compile(r"(\d{1,2})\s*(?:-|–|—|~|～|到|至)\s*(\d{1,2})\s*岁")
_AGE_ABOVE = re.compile(r"(\d{1,2})\s*岁(?:及)?以上")
_AGE_BELOW = re.compile(r"(\d{1,2})\s*岁(?:及)?以下")
_ACTIVE = re.compile(r"近\s*(\d{1,3})\s*[天日](?:内)?(?:有)?(?:活跃|登录)")
_CONTACTED = re.compile(
    r"近\s*(\d{1,3})\s*[天日](?:内)?(?:已|被)?(短信|外呼|电话|推送|企微|企业微信)?(?:触达|联系|营销)"
)
_NEGATION = re.compile(r"(非|未|无|没有|不是)$")
_CONTACT_CHANNEL = {"短信": "sms", "外呼": "call_script", "电话": "call_script", "推送": "push",
                    "企微": "wecom", "企业微信": "wecom"}  # fmt: skip
# Values that are too short or too generic to read as a selection on their own.
_SKIP_VALUES = frozenset({"男", "女", "其他", "未登记", "一线", "二线"})


class ParsedAudience(BaseModel):
    expression: dict[str, Any]
    understood: list[str]


def parse_audience(text: str, catalog: TagCatalog, *, channels: list[str]) -> ParsedAudience:
    """Parse ``text``; ``channels`` are the campaign's channels, used for "近N天触达过的" without a channel."""
    include, exclude = _split(text)
    understood: list[str] = []
    conditions = _conditions(include, catalog, channels, understood, negated=False)
    conditions += _conditions(exclude, catalog, channels, understood, negated=True)
    if not conditions:
        understood.append("未识别到具体圈选条件，按全体成年客户圈选（系统仍会执行全部政策排除）")
        conditions = [{"tag": "age", "op": "gte", "value": 18}]
    expression = conditions[0] if len(conditions) == 1 else {"and": conditions}
    return ParsedAudience(expression=expression, understood=understood)


def _split(text: str) -> tuple[str, list[str]]:
    """Split into the including text and the excluded clauses (each runs to the next clause end)."""
    include_parts, excluded = [], []
    position = 0
    for marker in _EXCLUDE_MARKERS.finditer(text):
        if marker.start() < position:
            continue
        include_parts.append(text[position : marker.start()])
        end = _CLAUSE_END.search(text, marker.end())
        stop = end.start() if end else len(text)
        excluded.append(text[marker.end() : stop])
        position = stop
    include_parts.append(text[position:])
    return "".join(include_parts), excluded


def _conditions(
    parts: str | list[str], catalog: TagCatalog, channels: list[str], understood: list[str], *, negated: bool
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for part in [parts] if isinstance(parts, str) else parts:
        rest, numeric = _numeric_conditions(part, channels, understood, negated=negated)
        found += numeric
        found += _catalog_conditions(rest, catalog, understood, negated=negated)
    return found


def _numeric_conditions(
    text: str, channels: list[str], understood: list[str], *, negated: bool
) -> tuple[str, list[dict[str, Any]]]:
    found: list[dict[str, Any]] = []
    for pattern, build in (
        (_AGE_RANGE, lambda m: {"tag": "age", "op": "between", "value": sorted([int(m[1]), int(m[2])])}),
        (_AGE_ABOVE, lambda m: {"tag": "age", "op": "gte", "value": int(m[1])}),
        (_AGE_BELOW, lambda m: {"tag": "age", "op": "lte", "value": int(m[1])}),
        (_ACTIVE, lambda m: {"tag": "last_login_days", "op": "lte", "value": int(m[1])}),
    ):
        for match in pattern.finditer(text):
            condition = build(match)
            found.append({"not": condition} if negated else condition)
            understood.append(f"“{match[0]}”→ {_describe(condition, negated)}")
        text = pattern.sub("  ", text)
    for match in _CONTACTED.finditer(text):
        days = int(match[1])
        targets = [_CONTACT_CHANNEL[match[2]]] if match[2] else [c for c in channels if c != "audience"]
        # "排除近7天触达过的" and "近7天未触达的" both mean: not contacted in the window.
        for channel in targets or ["sms"]:
            found.append({"not_contacted": {"channel": channel, "days": days}})
        understood.append(f"“{match[0]}”→ 近{days}天未在 {'、'.join(targets or ['sms'])} 触达")
    return _CONTACTED.sub("  ", text), found


def _catalog_conditions(
    text: str, catalog: TagCatalog, understood: list[str], *, negated: bool
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in catalog.mentions(text):
        condition = _entry_condition(entry, text)
        if condition is None:
            continue
        found.append({"not": condition} if negated else condition)
        understood.append(f"“{_label(entry)}”→ {_describe(condition, negated)}")
    for tag in catalog.tags:
        if tag.type != "category" or tag.is_sensitive:
            continue
        values = [v for v in tag.values if len(v) >= 2 and v not in _SKIP_VALUES and v in text]
        if tag.code == "province":
            continue  # city names double as province names (北京, 上海): read them as cities
        if values:
            condition = {"tag": tag.code, "op": "in", "value": values}
            found.append({"not": condition} if negated else condition)
            understood.append(f"“{'、'.join(values)}”→ {_describe(condition, negated)}")
    return found


def _entry_condition(entry: TagDef | Preset, text: str) -> dict[str, Any] | None:
    if isinstance(entry, Preset):
        return entry.expression
    if entry.type != "bool" or entry.is_sensitive:
        return None  # a bare mention of a number or category tag says nothing about which values
    position = min((text.find(term) for term in entry.terms() if term in text), default=-1)
    value = not (position > 0 and _NEGATION.search(text[max(0, position - 2) : position]))
    return {"tag": entry.code, "op": "eq", "value": value}


def _label(entry: TagDef | Preset) -> str:
    return entry.name


def _describe(condition: dict[str, Any], negated: bool) -> str:
    prefix = "排除 " if negated else ""
    if "tag" in condition:
        return f"{prefix}{condition['tag']} {condition['op']} {condition.get('value', '')}".rstrip()
    return f"{prefix}{condition}"
