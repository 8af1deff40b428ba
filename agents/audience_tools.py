"""What the audience agent works with: catalog tools for the model, and Chinese readings of expressions.

The tools (``search_tags``, ``describe_tag``, ``count_audience``, ``submit_audience``) answer in short Chinese
text the model can act on; bad input (an unknown tag, an expression that does not validate) comes back as a
message naming the problem rather than an exception, so the model can correct itself in the next round.
``explain`` writes the deterministic explanation a reviewer reads, from the expression and the store's result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from tools.tag_store.catalog import TagCatalog, UnknownTagError, normalise_term
from tools.tag_store.errors import ExpressionError, ExpressionIssue, TagStoreError
from tools.tag_store.expression import validate_expression
from tools.tag_store.nodes import AudienceExpression
from tools.tag_store.results import AudienceResult
from tools.tag_store.store import TagStore

# Shares of all customers outside which a selection is suspicious: nobody, or nearly everybody.
ABSURD_SHARE = 0.8
SEARCH_LIMIT = 8
CHANNEL_NAMES = {"sms": "短信", "push": "推送", "wechat": "微信", "article": "文章", "h5": "H5",
                 "wecom": "企业微信", "call_script": "外呼"}  # fmt: skip
_OPS = {"gte": "≥", "lte": "≤", "eq": "=", "ne": "≠"}
# Matches every customer whatever the age column holds: the denominator of "share of all customers".
_EVERYONE = {"or": [{"tag": "age", "op": "exists"}, {"not": {"tag": "age", "op": "exists"}}]}


class SubmitAudience(BaseModel):
    """The model's final answer, given as the arguments of the ``submit_audience`` tool."""

    expression_json: str = Field(description='Audience DSL as a JSON object, e.g. {"and": [...]}.')
    assumptions: list[str] = Field(default_factory=list, description="How vague words were read.")
    explanation: str = Field(default="", description="One or two Chinese sentences for the reviewer.")


@dataclass(frozen=True)
class Submission:
    """A submitted expression that validated, with its count (None when the store could not count)."""

    expression: AudienceExpression
    count: int | None
    assumptions: list[str]
    explanation: str


class AudienceToolbox:
    """Catalog and store access for one drafting conversation."""

    def __init__(self, catalog: TagCatalog, store: TagStore | None) -> None:
        self.catalog = catalog
        self.store = store
        self._total: int | None = None
        self._warned: set[str] = set()

    def search_tags(self, query: str) -> str:
        """Tags and presets whose code, name, synonyms or definition mention the query words."""
        words = [normalise_term(word) for word in query.replace("，", " ").replace(",", " ").split()]
        lines = []
        for tag in self.catalog.tags:
            text = normalise_term(" ".join((*tag.terms(), tag.definition)))
            if tag.is_sensitive or not any(word and word in text for word in words):
                continue
            values = f"；取值：{'、'.join(tag.values)}" if tag.values else ""
            lines.append(f"{tag.code}（{tag.name}，{tag.type}）{values}")
        for preset in self.catalog.presets:
            if any(word and word in normalise_term(" ".join(preset.terms())) for word in words):
                lines.append(f"预设“{preset.name}”：{json.dumps(preset.expression, ensure_ascii=False)}")
        if not lines:
            return f"没有与“{query}”相关的可用标签；请换一个说法，或用 describe_tag 查看具体标签。"
        return "\n".join(lines[:SEARCH_LIMIT])

    def describe_tag(self, code: str) -> str:
        """The catalog's description of one tag (type, values, operators, definition)."""
        try:
            return self.catalog.describe(code.strip())
        except UnknownTagError:
            return f"未知标签 {code!r}；请先用 search_tags 查找标签代码。"

    def count_audience(self, expression_json: str) -> str:
        """Validate an expression and count the customers it matches (before policy exclusions)."""
        try:
            expression = self.parse(expression_json)
        except ExpressionError as exc:
            return f"表达式无效：{exc}"
        count = self._count(expression)
        if count is None:
            return "表达式有效，但人群库暂不可计数。"
        return f"表达式有效，匹配 {count} 人{self._share_text(count)}。{self._warning(count)}"

    def review(self, arguments: dict[str, Any]) -> Submission | str:
        """A valid, plausible submission; or the message that sends the model back to work."""
        try:
            answer = SubmitAudience.model_validate(arguments)
            expression = self.parse(answer.expression_json)
        except (ExpressionError, ValueError) as exc:
            return f"提交未被接受，表达式无效：{exc}。请修正后重新提交。"
        count = self._count(expression)
        canonical = json.dumps(expression.to_json(), ensure_ascii=False, sort_keys=True)
        warning = self._warning(count) if count is not None else ""
        if warning and canonical not in self._warned:
            # Said once: a deliberate broad audience (全体成年客户) is accepted when submitted again unchanged.
            self._warned.add(canonical)
            return f"该表达式匹配 {count} 人{self._share_text(count or 0)}。{warning}若确认无误，请原样再次提交。"
        return Submission(expression, count, answer.assumptions, answer.explanation.strip())

    def parse(self, expression_json: str) -> AudienceExpression:
        """JSON text → validated expression; ``ExpressionError`` naming the bad node or the JSON problem."""
        try:
            raw = json.loads(expression_json)
        except json.JSONDecodeError as exc:
            issue = ExpressionIssue(path="$", message=f"not valid JSON: {exc.msg} at char {exc.pos}")
            raise ExpressionError([issue]) from None
        return validate_expression(raw, self.catalog)

    def _count(self, expression: AudienceExpression) -> int | None:
        if self.store is None:
            return None
        try:
            return self.store.count(expression)
        except TagStoreError:
            return None

    def total(self) -> int | None:
        """All customers in the store (cached for the conversation)."""
        if self._total is None:
            self._total = self._count(validate_expression(_EVERYONE, self.catalog))
        return self._total

    def _share_text(self, count: int) -> str:
        total = self.total()
        return f"（占全部 {total} 名客户的 {count / total:.1%}）" if total else ""

    def _warning(self, count: int) -> str:
        total = self.total()
        if count == 0:
            return "人数为 0：条件可能过严或取值有误，请检查。"
        if total and count > ABSURD_SHARE * total:
            return f"人数超过全部客户的 {ABSURD_SHARE:.0%}：条件可能过宽或漏掉了描述中的限定，请检查。"
        return ""

    def langchain_tools(self) -> list[BaseTool]:
        """The four tools bound to the chat model (``submit_audience`` is handled by the agent's loop)."""
        return [
            _tool(self.search_tags, "search_tags"),
            _tool(self.describe_tag, "describe_tag"),
            _tool(self.count_audience, "count_audience"),
            StructuredTool.from_function(
                _submit_placeholder, name="submit_audience", args_schema=SubmitAudience,
                description="提交最终的受众表达式（JSON 文本）、假设与给审核人看的简短说明；提交后对话结束。",
            ),
        ]  # fmt: skip


def _tool(function: Callable[[str], str], name: str) -> BaseTool:
    # Arguments that do not fit the schema come back to the model as a message, not as an exception.
    return StructuredTool.from_function(
        function, name=name, handle_validation_error=lambda exc: f"工具参数有误：{exc}"
    )


def _submit_placeholder(expression_json: str, assumptions: list[str], explanation: str) -> str:
    """Never run: the agent's loop reviews submissions itself (the signature documents the arguments)."""
    return "submitted"


# ---- Chinese readings ------------------------------------------------------------------------------------


def describe_node(node: dict[str, Any], catalog: TagCatalog) -> str:
    """A Chinese reading of an expression node, e.g. 年龄在18至34岁之间；已授信：是."""
    if "and" in node:
        return "；".join(describe_node(item, catalog) for item in node["and"])
    if "or" in node:
        return "（" + " 或 ".join(describe_node(item, catalog) for item in node["or"]) + "）"
    if "not" in node:
        return f"排除[{describe_node(node['not'], catalog)}]"
    if "not_contacted" in node:
        window = node["not_contacted"]
        return f"近{window['days']}天未经{CHANNEL_NAMES.get(window['channel'], window['channel'])}触达"
    return _describe_condition(node, catalog)


def _describe_condition(node: dict[str, Any], catalog: TagCatalog) -> str:
    tag = catalog.get(str(node.get("tag")))
    name, unit = (tag.name, tag.unit or "") if tag else (str(node.get("tag")), "")
    op, value = node.get("op"), node.get("value")
    if op == "exists":
        return f"{name}有记录"
    if tag is not None and tag.type == "bool" and op in ("eq", "ne"):
        return f"{name}：{'是' if (value is True) == (op == 'eq') else '否'}"
    if op == "between" and isinstance(value, list):
        return f"{name}在{_amount(value[0], unit)}至{_amount(value[1], unit)}之间"
    if op == "in" and isinstance(value, list):
        return f"{name}为{'、'.join(str(v) for v in value)}"
    if op == "within_days":
        return f"{name}在近{value}天内"
    if tag is not None and tag.ordered and op in ("gte", "lte"):
        return f"{name}{value}{'及以上' if op == 'gte' else '及以下'}"
    return f"{name}{_OPS.get(str(op), str(op))}{_amount(value, unit)}"


def _amount(value: Any, unit: str) -> str:
    if unit == "元" and isinstance(value, int | float) and value >= 10_000 and value % 10_000 == 0:
        return f"{int(value) // 10_000}万元"
    return f"{value}{unit}"


def explain(
    expression: dict[str, Any],
    result: AudienceResult,
    catalog: TagCatalog,
    *,
    assumptions: list[str],
    model_explanation: str = "",
) -> str:
    """The reviewer's explanation: what was selected, every exclusion with its count, and the assumptions."""
    lines = [
        f"圈选条件：{describe_node(expression, catalog)}。",
        f"匹配 {result.matched} 人，政策排除 {result.excluded} 人，最终 {result.size} 人。",
    ]
    if result.exclusions:
        steps = "；".join(f"{step.label} {step.count} 人" for step in result.exclusions)
        lines.append(f"排除明细（系统强制执行，按顺序）：{steps}。")
    if assumptions:
        lines.append(f"理解与假设：{'；'.join(assumptions)}。")
    if model_explanation:
        lines.append(f"模型说明：{model_explanation}")
    return "\n".join(lines)
