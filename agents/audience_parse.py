"""Offline audience parser: a marketer's Chinese description → audience DSL over the tag catalog.

It reads the catalog's names, synonyms and presets, category values (cities, provinces, tiers, stages,
occupations) with "及以上/及以下", numeric thresholds on number tags (金融资产50万以上), age ranges, 近N天活跃,
contact-history exclusions, negations (非/没有/还没/不是…), "排除…/除…以外" and "A或B". What it reads is reported
back as stated interpretations; what it cannot read is left out rather than guessed.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from agents.audience_readers import READERS, Hit
from agents.audience_tools import describe_node
from tools.tag_store.catalog import TagCatalog

_EXCLUDE_MARKERS = re.compile(r"(排除|剔除|去掉|除去|不含|不包括)")
_EXCEPT = re.compile(r"除(?:了)?([^，,。；;]{1,12}?)(?:以外|之外)")
_CLAUSE_END = re.compile(r"[，,。；;\n]")


class ParsedAudience(BaseModel):
    expression: dict[str, Any]
    understood: list[str]


def parse_audience(text: str, catalog: TagCatalog, *, channels: list[str]) -> ParsedAudience:
    """Parse ``text``; ``channels`` are the campaign's channels, used for "近N天触达过的" without a channel."""
    include, excluded = _split(_EXCEPT.sub(lambda m: f"排除{m.group(1)}，", text))
    understood: list[str] = []
    conditions: list[dict[str, Any]] = []
    for clause in (c for c in _CLAUSE_END.split(include) if c.strip()):
        conditions += _clause_conditions(clause, catalog, channels, understood, negated=False)
    for clause in excluded:
        conditions += _clause_conditions(clause, catalog, channels, understood, negated=True)
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
        include_parts.append(text[position : marker.start()] + "，")
        end = _CLAUSE_END.search(text, marker.end())
        stop = end.start() if end else len(text)
        excluded.append(text[marker.end() : stop])
        position = stop
    include_parts.append(text[position:])
    return "".join(include_parts), excluded


def _clause_conditions(
    clause: str, catalog: TagCatalog, channels: list[str], understood: list[str], *, negated: bool
) -> list[dict[str, Any]]:
    hits: list[Hit] = []
    masked = clause
    for reader in READERS:
        found, masked = reader(masked, catalog, channels)
        hits += found
    hits.sort(key=lambda h: h.start)
    hits = _join_alternatives(clause, hits)
    result = []
    for hit in hits:
        keeps_meaning = negated and "not_contacted" not in hit.condition
        result.append({"not": hit.condition} if keeps_meaning else hit.condition)
        understood.append(
            f"“{hit.phrase}”→ {'排除 ' if keeps_meaning else ''}{describe_node(hit.condition, catalog)}"
        )
    return result


def _join_alternatives(clause: str, hits: list[Hit]) -> list[Hit]:
    """ "持有基金或者持有理财": the two conditions either side of 或 become one ``or``."""
    for match in re.finditer(r"或者|或", clause):
        before = [h for h in hits if h.end <= match.start() and match.start() - h.end <= 3]
        after = [h for h in hits if h.start >= match.end() and h.start - match.end() <= 3]
        if not (before and after):
            continue
        left, right = before[-1], after[0]
        if left is right or left.condition.get("tag") == right.condition.get("tag") == left.condition.get(
            "tag"
        ):
            if left.condition.get("op") == right.condition.get("op") == "in":
                continue  # already merged into one IN list
        joined = Hit(left.start, right.end, {"or": [left.condition, right.condition]},
                      f"{left.phrase}或{right.phrase}")  # fmt: skip
        hits = [h for h in hits if h is not left and h is not right] + [joined]
        hits.sort(key=lambda h: h.start)
    return hits
