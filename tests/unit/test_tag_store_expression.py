"""Audience DSL: parsing, catalog validation with JSON paths, round trip, and SQL compilation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from tools.tag_store import (
    AndNode,
    AudienceExpression,
    ExpressionError,
    NotNode,
    OrNode,
    ParamBag,
    TagCatalog,
    TagCondition,
    compile_count,
    compile_where,
    parse_expression,
    validate_expression,
)

TODAY = date(2026, 11, 20)
BRIEF_EXAMPLE: dict[str, Any] = {
    "and": [
        {"tag": "credit_granted", "op": "eq", "value": True},
        {"tag": "age", "op": "between", "value": [25, 35]},
        {"not": {"tag": "city", "op": "in", "value": ["上海"]}},
        {"not_contacted": {"channel": "sms", "days": 7}},
    ]
}


@pytest.fixture(scope="module")
def catalog() -> TagCatalog:
    return TagCatalog.default()


def _errors(raw: Any, catalog: TagCatalog) -> list[str]:
    with pytest.raises(ExpressionError) as caught:
        validate_expression(raw, catalog)
    return [str(issue) for issue in caught.value.issues]


def test_brief_example_validates_and_round_trips(catalog: TagCatalog) -> None:
    expression = validate_expression(BRIEF_EXAMPLE, catalog)
    assert isinstance(expression.root, AndNode)
    assert isinstance(expression.root.items[2], NotNode)
    assert expression.to_json() == BRIEF_EXAMPLE
    assert AudienceExpression.model_validate_json(expression.model_dump_json(by_alias=True)) == expression
    assert expression.tag_codes() == ["credit_granted", "age", "city"]


def test_exists_round_trips_without_a_value(catalog: TagCatalog) -> None:
    raw = {"or": [{"tag": "risk_level", "op": "exists"}, {"tag": "aum", "op": "gte", "value": 1000.5}]}
    assert validate_expression(raw, catalog).to_json() == raw


def test_models_built_in_python_serialise_to_the_dsl() -> None:
    node = AndNode.of(
        TagCondition(tag="age", op="gte", value=18),
        NotNode.of(OrNode.of(TagCondition(tag="x", op="exists"))),
    )
    assert AudienceExpression(node).to_json() == {
        "and": [{"tag": "age", "op": "gte", "value": 18}, {"not": {"or": [{"tag": "x", "op": "exists"}]}}]
    }
    with pytest.raises(ValueError, match="at least 1 item"):
        AndNode.of()


def test_bad_category_value_is_reported_at_its_json_path(catalog: TagCatalog) -> None:
    raw = {"and": [*BRIEF_EXAMPLE["and"][:2], {"not": {"tag": "city", "op": "in", "value": ["火星"]}}]}
    (error,) = _errors(raw, catalog)
    assert error.startswith("$.and[2].not.value: city has no value '火星'")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"and": []}, "$.and: must hold at least one condition"),
        ({"or": [{"and": []}]}, "$.or[0].and: must hold at least one condition"),
        ({"tag": "age", "op": "like", "value": 3}, "$.op: Input should be 'eq'"),
        ({"tag": "age", "op": "eq", "value": 3, "extra": 1}, "$.extra: unexpected key"),
        ({"tag": "age", "value": 3}, "$.op: required key is missing"),
        ({"and": [{"tag": "age", "or": []}]}, "$.and[0]: a node must be exactly one of"),
        ({"nand": []}, "$: a node must be exactly one of"),
        ({"tag": "age", "op": "eq", "value": {"x": 1}}, "$.value: must be a boolean, number, string"),
        ({"not_contacted": {"channel": "fax", "days": 7}}, "$.not_contacted.channel: Input should be 'sms'"),
        ({"not_contacted": {"channel": "sms", "days": 0}}, "$.not_contacted.days: Input should be greater"),
    ],
)
def test_structural_errors_name_the_node(raw: Any, expected: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(raw)
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"tag": "religion", "op": "eq", "value": "佛教"}, "$.tag: tag 'religion' (宗教信仰) is sensitive"),
        ({"tag": "health_flag", "op": "exists"}, "$.tag: tag 'health_flag' (健康状况标记) is sensitive"),
        ({"tag": "年纪", "op": "gte", "value": 18}, "$.tag: unknown tag '年纪'; did you mean 'age' (年龄)?"),
        (
            {"tag": "授信未用信", "op": "exists"},
            "$.tag: unknown tag '授信未用信'; it is the preset '授信未借款'",
        ),
        ({"tag": "agee", "op": "exists"}, "$.tag: unknown tag 'agee'; close codes: age"),
        ({"tag": "credit_granted", "op": "gte", "value": 1}, "$.op: op 'gte' does not apply to bool tag"),
        ({"tag": "city", "op": "between", "value": ["北京", "上海"]}, "$.op: op 'between' does not apply"),
        ({"tag": "age", "op": "within_days", "value": 7}, "$.op: op 'within_days' does not apply to number"),
        ({"tag": "credit_granted", "op": "eq", "value": "true"}, "$.value: credit_granted is a yes/no tag"),
        (
            {"tag": "age", "op": "eq", "value": True},
            "$.value: age is a number tag (岁): True is not a number",
        ),
        ({"tag": "age", "op": "between", "value": [35, 25]}, "$.value: between bounds are reversed"),
        ({"tag": "age", "op": "between", "value": [25]}, "$.value: between needs a list of two bounds"),
        ({"tag": "age", "op": "in", "value": []}, "$.value: in needs a non-empty list"),
        ({"tag": "age", "op": "gte", "value": [18]}, "$.value: gte needs a single value"),
        ({"tag": "age", "op": "exists", "value": 1}, "$.value: exists takes no value"),
        ({"tag": "value_tier", "op": "gte", "value": "V9"}, "$.value: value_tier has no value 'V9'"),
        ({"tag": "account_open_date", "op": "gte", "value": "2026-13-01"}, "is not a date (YYYY-MM-DD)"),
        ({"tag": "account_open_date", "op": "within_days", "value": 0}, "within_days needs a whole number"),
    ],
)
def test_catalog_errors(catalog: TagCatalog, condition: dict[str, Any], expected: str) -> None:
    (error,) = _errors(condition, catalog)
    assert expected in error


def test_every_bad_node_is_reported(catalog: TagCatalog) -> None:
    raw = {
        "and": [{"tag": "religion", "op": "exists"}, {"or": [{"tag": "city", "op": "eq", "value": "火星"}]}]
    }
    errors = _errors(raw, catalog)
    assert [error.split(":")[0] for error in errors] == ["$.and[0].tag", "$.and[1].or[0].value"]


# ----- compilation -----


def _compile(raw: dict[str, Any], catalog: TagCatalog) -> tuple[str, dict[str, Any]]:
    params = ParamBag()
    sql = compile_where(parse_expression(raw), catalog, params, today=TODAY)
    return sql, params.values


def test_values_become_parameters_never_sql_text(catalog: TagCatalog) -> None:
    hostile = "上海' OR 1=1 --"
    sql, params = _compile({"tag": "city", "op": "in", "value": [hostile, "北京"]}, catalog)
    assert sql == '(c."city" IN ($p0, $p1))'
    assert params == {"p0": hostile, "p1": "北京"}
    assert "OR 1=1" not in sql


def test_brief_example_compiles(catalog: TagCatalog) -> None:
    sql, params = _compile(BRIEF_EXAMPLE, catalog)
    assert sql == (
        '((c."credit_granted" = $p0) AND (c."age" BETWEEN $p1 AND $p2) AND (NOT (c."city" IN ($p3))) AND '
        "(NOT EXISTS (SELECT 1 FROM contact_history AS h WHERE h.customer_id = c.customer_id "
        "AND h.channel = $p4 AND h.contacted_at >= $p5)))"
    )
    assert params == {"p0": True, "p1": 25, "p2": 35, "p3": "上海", "p4": "sms", "p5": datetime(2026, 11, 13)}


def test_nullable_tags_are_guarded_so_not_means_everyone_else(catalog: TagCatalog) -> None:
    sql, _ = _compile({"not": {"tag": "risk_level", "op": "eq", "value": "C3"}}, catalog)
    assert sql == '(NOT (c."risk_level" IS NOT NULL AND c."risk_level" = $p0))'


def test_ordered_category_ranges_become_in_lists(catalog: TagCatalog) -> None:
    assert _compile({"tag": "value_tier", "op": "gte", "value": "V4"}, catalog)[1] == {"p0": "V4", "p1": "V5"}
    assert _compile({"tag": "risk_level", "op": "lte", "value": "C2"}, catalog)[1] == {"p0": "C1", "p1": "C2"}
    sql, params = _compile({"tag": "value_tier", "op": "between", "value": ["V1", "V3"]}, catalog)
    assert sql == '(c."value_tier" IN ($p0, $p1, $p2))' and list(params.values()) == ["V1", "V2", "V3"]


def test_date_operators_bind_dates(catalog: TagCatalog) -> None:
    sql, params = _compile({"tag": "account_open_date", "op": "within_days", "value": 30}, catalog)
    assert sql == '(c."account_open_date" BETWEEN $p0 AND $p1)'
    assert params == {"p0": date(2026, 10, 21), "p1": TODAY}
    _, params = _compile({"tag": "account_open_date", "op": "gte", "value": "2026-01-31"}, catalog)
    assert params == {"p0": date(2026, 1, 31)}


def test_compile_count_wraps_the_where_clause(catalog: TagCatalog) -> None:
    query = compile_count(
        validate_expression({"tag": "is_student", "op": "ne", "value": True}, catalog), catalog, today=TODAY
    )
    assert query.sql == 'SELECT count(*) FROM customers AS c WHERE (c."is_student" <> $p0)'
    assert query.params == {"p0": True}
