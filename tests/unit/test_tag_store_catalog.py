"""Tag catalog: the shipped YAML loads and is complete; bad catalogs fail with errors naming the entry."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.tag_store import (
    DEFAULT_CATALOG_PATH,
    CatalogError,
    TagCatalog,
    UnknownTagError,
    validate_expression,
)

REQUIRED_CODES = {
    "age", "gender", "city", "province", "value_tier", "lifecycle_stage", "is_student", "credit_granted",
    "credit_drawn", "credit_limit", "loan_balance", "is_overdue", "risk_level", "risk_test_expiry",
    "marketing_consent", "aum", "has_credit_card", "card_installment_user", "has_wealth", "has_fund",
    "has_large_cd", "app_active_days_30", "last_login_days", "salary_payroll", "mortgage", "occupation",
    "health_flag", "religion",
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> TagCatalog:
    return TagCatalog.default()


@pytest.fixture(scope="module")
def shipped_document() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"), Loader=loader)
    return document


@pytest.fixture
def document(shipped_document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(shipped_document)


def test_shipped_catalog_has_every_required_tag(catalog: TagCatalog) -> None:
    assert len(catalog) >= 30
    assert REQUIRED_CODES <= set(catalog.codes)


def test_required_vocabularies(catalog: TagCatalog) -> None:
    assert catalog.require("value_tier").values == ("V0", "V1", "V2", "V3", "V4", "V5")
    assert catalog.require("value_tier").ordered
    assert catalog.require("risk_level").values == ("C1", "C2", "C3", "C4", "C5")
    assert catalog.require("lifecycle_stage").values == ("新客", "成长", "成熟", "沉睡", "流失")
    assert catalog.require("risk_test_expiry").type == "date"
    assert catalog.require("marketing_consent").type == "bool"
    assert {tag.code for tag in catalog.tags if tag.is_sensitive} >= {"health_flag", "religion"}
    assert [band.label for band in catalog.require("last_login_days").bands][:3] == [
        "近7天",
        "近30天",
        "近90天",
    ]


def test_find_by_code_name_and_synonym(catalog: TagCatalog) -> None:
    assert catalog.find("资产").code == "aum"  # type: ignore[union-attr]
    assert catalog.find("ＡＵＭ ").code == "aum"  # type: ignore[union-attr]  # width and case folded
    assert catalog.find("代发工资").code == "salary_payroll"  # type: ignore[union-attr]
    assert catalog.find("年龄").code == "age"  # type: ignore[union-attr]
    assert catalog.find("火星人") is None
    assert catalog.find("授信未借款") is None  # a preset, not a tag
    assert catalog.find_preset("授信未用信").name == "授信未借款"  # type: ignore[union-attr]


def test_presets_validate_and_credit_preset_matches_the_definition(catalog: TagCatalog) -> None:
    preset = catalog.find_preset("授信未借款")
    assert preset is not None
    assert preset.expression == {
        "and": [
            {"tag": "credit_granted", "op": "eq", "value": True},
            {"tag": "credit_drawn", "op": "eq", "value": False},
        ]
    }
    for each in catalog.presets:
        validate_expression(each.expression, catalog)


def test_mentions_finds_tags_and_presets_in_a_brief(catalog: TagCatalog) -> None:
    found = catalog.mentions("下月给授信未借款的年轻客户做消费贷促活，排除学生")
    names = [getattr(entry, "code", None) or getattr(entry, "name", None) for entry in found]
    assert names == ["授信未借款", "年轻客户", "is_student"]
    assert [tag.code for tag in catalog.tags_with_value("上海")] == ["province", "city"]


def test_describe_mentions_definition_values_and_sensitivity(catalog: TagCatalog) -> None:
    text = catalog.describe("value_tier")
    assert "value_tier（客户价值等级）" in text and "V0、V1" in text and "由低到高" in text
    assert "禁止用于营销圈选" in catalog.describe("religion")
    assert "18-24岁（≥18 且 <25）" in catalog.describe("age")
    with pytest.raises(UnknownTagError, match="unknown tag code 'nope'"):
        catalog.describe("nope")


def test_band_condition_is_half_open_and_guards_nullable_tags(catalog: TagCatalog) -> None:
    assert catalog.band_condition("age", "25-34岁") == {
        "and": [
            {"tag": "age", "op": "gte", "value": 25},
            {"not": {"tag": "age", "op": "gte", "value": 35}},
        ]
    }
    assert catalog.band_condition("last_login_days", "近7天") == {
        "and": [
            {"tag": "last_login_days", "op": "exists"},
            {"not": {"tag": "last_login_days", "op": "gte", "value": 7}},
        ]
    }
    with pytest.raises(KeyError, match="no band '火星'"):
        catalog.band_condition("age", "火星")


def _tag(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(tag for tag in document["tags"] if tag["code"] == code)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["tags"].append(copy.deepcopy(d["tags"][0])), "tag code 'age' is defined twice"),
        (lambda d: _tag(d, "city").update(values=[]), r"tags\[\d+\] \(city\): .*non-empty 'values'"),
        (
            lambda d: _tag(d, "age").update(bands=[{"label": "x", "min": 5, "max": 1}]),
            "min 5.0 must be below max",
        ),
        (
            lambda d: _tag(d, "age").update(type="date"),
            r"\(age\).*'bands' and 'integer' only apply to number",
        ),
        (
            lambda d: _tag(d, "gender").update(synonyms=["年纪"]),
            "the word '年纪' names both tag 'age' and tag 'gender'",
        ),
        (lambda d: _tag(d, "aum").update(code="AUM-total"), r"tags\[\d+\] \(AUM-total\)\.code"),
        (lambda d: _tag(d, "aum").update(refresh="hourly"), r"\(aum\)\.refresh"),
        (lambda d: _tag(d, "aum").pop("definition"), r"\(aum\)\.definition: Field required"),
        (
            lambda d: d["presets"][0]["expression"]["and"].append({"tag": "religion", "op": "exists"}),
            r"preset '授信未借款': \$\.and\[2\]\.tag: tag 'religion' .* sensitive",
        ),
    ],
)
def test_bad_catalogs_name_the_entry(document: dict[str, Any], mutate: Any, message: str) -> None:
    mutate(document)
    with pytest.raises(CatalogError, match=message):
        TagCatalog.from_data(document, source="tags.yaml")


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="tag catalog not found"):
        TagCatalog.from_yaml(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tags: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        TagCatalog.from_yaml(broken)
