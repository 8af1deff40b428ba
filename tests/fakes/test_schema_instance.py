"""Schema-driven generation must yield valid instances (checked by Pydantic, which produced the schemas)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field

from tests.fakes.regex_sample import PatternSampleError, sample_matching
from tests.fakes.schema_instance import SchemaGenerationError, instance_from_schema


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=6)
    weight: float = Field(gt=0, lt=1)
    step: int = Field(ge=10, le=40, multiple_of=7)


class TreeNode(BaseModel):
    label: str
    children: list[TreeNode] = Field(default_factory=list)
    parent: TreeNode | None = None


class Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["sms", "push"]
    fixed: Literal["v1"]
    segments: list[Segment] = Field(min_length=3, max_length=5)
    unique_tags: set[str] = Field(min_length=2)
    optional_segment: Segment | None = None
    code: Annotated[str, Field(pattern=r"^[A-Z]{2}-\d{4}$")]
    phone: Annotated[str, Field(pattern=r"^1[3-9]\d{9}$", min_length=11, max_length=11)]
    amount: Decimal
    scores: dict[str, Annotated[int, Field(ge=-5, le=-1)]]
    pair: tuple[int, str]
    when: date
    stamp: datetime
    span: timedelta
    ident: UUID
    flag: bool
    tree: TreeNode


@pytest.mark.parametrize("model", [Segment, TreeNode, Everything])
def test_pydantic_schemas_round_trip(model: type[BaseModel]) -> None:
    instance = instance_from_schema(model.model_json_schema())
    model.model_validate(instance)  # raises if the generated data is invalid
    assert instance == instance_from_schema(model.model_json_schema())  # deterministic


def test_strict_openai_tool_schema_round_trips() -> None:
    parameters = convert_to_openai_tool(Everything, strict=True)["function"]["parameters"]
    Everything.model_validate(instance_from_schema(parameters))


@pytest.mark.parametrize(
    ("schema", "check"),
    [
        ({"type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 5}, lambda v: v == 4),
        ({"type": "integer", "minimum": 3, "exclusiveMinimum": True}, lambda v: v > 3),  # draft 4
        ({"type": "number", "maximum": -2}, lambda v: v <= -2),
        ({"type": ["null", "string"], "minLength": 3}, lambda v: isinstance(v, str) and len(v) >= 3),
        ({"type": "string", "nullable": True, "maxLength": 2}, lambda v: isinstance(v, str) and len(v) <= 2),
        ({"const": {"a": 1}}, lambda v: v == {"a": 1}),
        ({"enum": [3, 4]}, lambda v: v == 3),
        (
            {
                "allOf": [
                    {"properties": {"a": {"type": "integer"}}, "required": ["a"]},
                    {"properties": {"b": {"type": "boolean"}}},
                ]
            },
            lambda v: isinstance(v["a"], int) and v["b"] is True,
        ),
        (
            {"type": "array", "items": {"enum": ["x", "y", "z"]}, "minItems": 3, "uniqueItems": True},
            lambda v: sorted(v) == ["x", "y", "z"],
        ),
        ({"type": "array", "maxItems": 0}, lambda v: v == []),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
                "minProperties": 1,
            },
            lambda v: set(v) == {"a"},
        ),
        ({"type": "string", "format": "email"}, lambda v: re.fullmatch(r"[a-z0-9]+@example\.com", v)),
        ({"type": "string", "format": "uri"}, lambda v: v.startswith("https://")),
        ({"$ref": "#/definitions/a~1b", "definitions": {"a/b": {"type": "boolean"}}}, lambda v: v is True),
    ],
)
def test_keyword_coverage(schema: dict[str, Any], check: Any) -> None:
    assert check(instance_from_schema(schema))


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "integer", "minimum": 5, "maximum": 4}, "no integer fits"),
        ({"type": "string", "minLength": 5, "maxLength": 3}, "cannot fit"),
        ({"type": "array", "items": {"const": 1}, "minItems": 2, "uniqueItems": True}, "distinct"),
        ({"$ref": "#/$defs/missing"}, "does not resolve"),
        ({"$ref": "https://example.com/schema"}, "local"),
        (
            {
                "$ref": "#/$defs/Loop",
                "$defs": {
                    "Loop": {
                        "type": "object",
                        "properties": {"next": {"$ref": "#/$defs/Loop"}},
                        "required": ["next"],
                    }
                },
            },
            "recursion",
        ),
        ({"type": "object", "additionalProperties": False, "minProperties": 1}, "minProperties"),
        ({"type": "frobnicate"}, "unknown type"),
        ({"enum": []}, "empty enum"),
    ],
)
def test_unsatisfiable_schemas_raise_naming_the_problem(schema: dict[str, Any], problem: str) -> None:
    with pytest.raises(SchemaGenerationError, match=problem):
        instance_from_schema(schema)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{2}\d{3,}(-x|y)?$",
        r"[^a-c]\w\s.",
        r"^(?:CN|HK)-\d+$",
        r"^[\u4e00-\u9fa5]{2,4}$",
        r"^[^\s]+$",
        r"^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$",
    ],
)
def test_pattern_samples_match(pattern: str) -> None:
    # The last pattern is Pydantic's Decimal pattern: its negative look-ahead needs the lengthened retry.
    for extra in (0, 1, 3):
        try:
            text = sample_matching(pattern, extra_repeats=extra)
        except PatternSampleError:
            continue
        assert re.search(pattern, text)
        return
    pytest.fail(f"no sample for {pattern}")


def test_unsupported_pattern_raises() -> None:
    with pytest.raises(PatternSampleError):
        sample_matching(r"(a)\1b")
    with pytest.raises(PatternSampleError, match="invalid pattern"):
        sample_matching(r"(")
