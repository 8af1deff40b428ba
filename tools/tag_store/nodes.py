"""Nodes of the audience DSL as Pydantic models, discriminated by the one kind-key each JSON object carries.

See :mod:`tools.tag_store.expression` for the JSON form and for validation against the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
)

from tools.tag_store.tags import Op

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
ConditionValue = Scalar | list[Scalar] | None
ContactChannel = Literal["sms", "push", "wechat", "article", "h5", "wecom", "call_script"]

_NODE_MODEL = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True)


class TagCondition(BaseModel):
    """A leaf: ``{"tag": code, "op": op, "value": ...}`` (no value for ``exists``)."""

    model_config = _NODE_MODEL

    tag: str = Field(min_length=1)
    op: Op
    value: ConditionValue = None

    @field_validator("value", mode="wrap")
    @classmethod
    def _json_value(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # One clear message instead of one error per member of the union.
        try:
            return handler(value)
        except ValidationError:
            raise ValueError("must be a boolean, number, string, or a list of those") from None


class ContactWindow(BaseModel):
    """Channel and look-back window of a ``not_contacted`` node."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: ContactChannel
    days: int = Field(ge=1, le=365)


class NotContacted(BaseModel):
    """``{"not_contacted": {"channel": "sms", "days": 7}}``: no contact on that channel in the window."""

    model_config = _NODE_MODEL

    not_contacted: ContactWindow


class AndNode(BaseModel):
    """``{"and": [node, ...]}``: every child holds."""

    model_config = _NODE_MODEL

    items: list[Node] = Field(alias="and", min_length=1)

    @classmethod
    def of(cls, *items: Node) -> AndNode:
        """Build from Python nodes (type checkers only see the JSON alias as the keyword)."""
        return cls.model_validate({"and": list(items)})


class OrNode(BaseModel):
    """``{"or": [node, ...]}``: at least one child holds."""

    model_config = _NODE_MODEL

    items: list[Node] = Field(alias="or", min_length=1)

    @classmethod
    def of(cls, *items: Node) -> OrNode:
        """Build from Python nodes."""
        return cls.model_validate({"or": list(items)})


class NotNode(BaseModel):
    """``{"not": node}``: the child does not hold (customers with an unknown value included)."""

    model_config = _NODE_MODEL

    operand: Node = Field(alias="not")

    @classmethod
    def of(cls, operand: Node) -> NotNode:
        """Build from a Python node."""
        return cls.model_validate({"not": operand})


_KIND_BY_KEY = {
    "and": "AndNode",
    "or": "OrNode",
    "not": "NotNode",
    "tag": "TagCondition",
    "not_contacted": "NotContacted",
}
NODE_KINDS = frozenset(_KIND_BY_KEY.values())  # also the discriminator tags pydantic puts in error locations


def _node_kind(raw: Any) -> str | None:
    """Discriminate a node by the one kind-key it carries (None → a clear 'invalid_node' error)."""
    if isinstance(raw, BaseModel):
        return type(raw).__name__
    if not isinstance(raw, dict):
        return None
    kinds = [kind for key, kind in _KIND_BY_KEY.items() if key in raw]
    return kinds[0] if len(kinds) == 1 else None


_INVALID_NODE = (
    'a node must be exactly one of {"and": [...]}, {"or": [...]}, {"not": {...}}, '
    '{"not_contacted": {...}} or {"tag": ..., "op": ..., "value": ...}'
)

Node = Annotated[
    Annotated[AndNode, Tag("AndNode")]
    | Annotated[OrNode, Tag("OrNode")]
    | Annotated[NotNode, Tag("NotNode")]
    | Annotated[TagCondition, Tag("TagCondition")]
    | Annotated[NotContacted, Tag("NotContacted")],
    Discriminator(_node_kind, custom_error_type="invalid_node", custom_error_message=_INVALID_NODE),
]

for _model in (AndNode, OrNode, NotNode):
    _model.model_rebuild()


class AudienceExpression(RootModel[Node]):
    """A whole audience expression; ``root`` is the top node."""

    model_config = ConfigDict(frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON form, exactly as the DSL is written (aliases, no empty values)."""
        dumped: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped

    def tag_codes(self) -> list[str]:
        """Codes of the tags the expression uses, in first-use order."""
        codes: list[str] = []
        for condition in iter_conditions(self.root):
            if condition.tag not in codes:
                codes.append(condition.tag)
        return codes


def iter_conditions(node: Node) -> Iterator[TagCondition]:
    """Every tag condition under ``node``, depth first, left to right."""
    if isinstance(node, TagCondition):
        yield node
    elif isinstance(node, AndNode | OrNode):
        for item in node.items:
            yield from iter_conditions(item)
    elif isinstance(node, NotNode):
        yield from iter_conditions(node.operand)
