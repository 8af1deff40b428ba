"""Product catalog: the shipped data, the loader's validation errors, lookup and brief matching."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.domain import INVESTMENT_PRODUCT_TYPES, PRODUCT_TYPES
from tools.products import ProductCatalog, ProductCatalogError, load_products

SUPERLATIVES = ("最", "第一", "唯一", "首选", "顶级", "保本", "无风险")


@pytest.fixture(scope="module")
def catalog() -> ProductCatalog:
    return load_products()


def _write(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "products.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def _loan(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "CL-T1",
        "name": "测试贷",
        "type": "consumer_loan",
        "apr_min": 4.0,
        "apr_max": 12.0,
        "disclosures": ["贷款年化利率（单利）4.0%–12.0%。"],
    }
    entry.update(overrides)
    return entry


# ---- the shipped catalog ----------------------------------------------------------------------------


def test_catalog_has_ten_products_covering_every_product_type(catalog: ProductCatalog) -> None:
    assert len(catalog) == 10
    assert {p.type for p in catalog} == set(PRODUCT_TYPES)
    assert len({p.id for p in catalog}) == 10


def test_consumer_loan_states_apr_amount_term_and_no_other_fees(catalog: ProductCatalog) -> None:
    loan = catalog.get("CL-001")
    assert loan.name == "示例e贷"
    assert (loan.apr_min, loan.apr_max, loan.max_amount) == (3.6, 18.0, 200000)
    assert loan.term is not None and "36期" in loan.term
    assert any("无其他费用" in fee for fee in loan.fees)
    assert any("年化利率" in d and "3.6%" in d and "18.0%" in d for d in loan.disclosures)
    assert {"消费贷", "信用贷", "e贷", "装修贷"} <= set(loan.keywords)


def test_wealth_products_carry_risk_sentence_and_benchmark_basis(catalog: ProductCatalog) -> None:
    wealth = catalog.by_type("wealth")
    assert {p.risk_level for p in wealth} == {"R2", "R4"}
    for product in wealth:
        assert "理财非存款、产品有风险、投资须谨慎。" in product.disclosures
        assert product.benchmark is not None and "测算依据" in product.benchmark


def test_agency_products_name_issuer_and_distributor_role(catalog: ProductCatalog) -> None:
    for product in catalog.by_type("fund") + catalog.by_type("insurance"):
        assert product.issuer
        assert any(product.issuer in d and "代理销售" in d for d in product.disclosures)
    assert catalog.get("FD-001").risk_level == "R3"


def test_investment_products_have_risk_levels(catalog: ProductCatalog) -> None:
    for product in catalog:
        if product.type in INVESTMENT_PRODUCT_TYPES:
            assert product.risk_level is not None, product.id


def test_benefits_are_free_of_superlatives(catalog: ProductCatalog) -> None:
    for product in catalog:
        for benefit in product.benefits:
            assert not any(word in benefit for word in SUPERLATIVES), (product.id, benefit)


# ---- lookup -----------------------------------------------------------------------------------------


def test_get_unknown_id_raises_key_error_naming_it(catalog: ProductCatalog) -> None:
    with pytest.raises(KeyError, match="NOPE-1"):
        catalog.get("NOPE-1")


def test_by_type_filters_and_rejects_unknown_type(catalog: ProductCatalog) -> None:
    assert [p.id for p in catalog.by_type("large_cd")] == ["LCD-001"]
    with pytest.raises(ValueError, match="mortgage"):
        catalog.by_type("mortgage")


def test_all_returns_catalog_order(catalog: ProductCatalog) -> None:
    assert [p.id for p in catalog.all()] == [p.id for p in catalog]


# ---- matching a brief -------------------------------------------------------------------------------


def test_match_consumer_loan_brief_ranks_consumer_loan_first(catalog: ProductCatalog) -> None:
    matches = catalog.match("给授信未借款的年轻客户做消费贷促活")
    assert matches[0].id == "CL-001"


def test_match_prefers_longest_keyword(catalog: ProductCatalog) -> None:
    ids = [p.id for p in catalog.match("下周推一期结构性存款")]
    assert ids[0] == "SD-001"
    assert "DP-001" in ids  # 存款 also matches, but the longer 结构性存款 wins


def test_match_normalises_width_and_case(catalog: ProductCatalog) -> None:
    assert catalog.match("ｅ贷老客户回访")[0].id == "CL-001"
    assert catalog.match("E贷老客户回访")[0].id == "CL-001"


def test_match_is_deterministic_and_empty_for_unrelated_text(catalog: ProductCatalog) -> None:
    brief = "理财和基金一起做个活动"
    assert [p.id for p in catalog.match(brief)] == [p.id for p in catalog.match(brief)]
    assert catalog.match("周末天气不错") == []
    assert catalog.match("   ") == []


# ---- validation errors ------------------------------------------------------------------------------


def test_missing_apr_on_loan_names_product_and_field(tmp_path: Path) -> None:
    entry = _loan()
    del entry["apr_max"]
    with pytest.raises(ProductCatalogError, match=r"CL-T1 field 'apr_max'.*credit"):
        load_products(_write(tmp_path, [entry]))


def test_wrong_field_type_names_product_and_field(tmp_path: Path) -> None:
    with pytest.raises(ProductCatalogError, match=r"CL-T1 field 'apr_min'"):
        load_products(_write(tmp_path, [_loan(apr_min="低")]))


def test_apr_range_must_be_ordered(tmp_path: Path) -> None:
    with pytest.raises(ProductCatalogError, match=r"field 'apr_max'"):
        load_products(_write(tmp_path, [_loan(apr_min=20.0, apr_max=10.0)]))


def test_unknown_field_and_unknown_type_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ProductCatalogError, match=r"unknown field\(s\) \['yield_rate'\]"):
        load_products(_write(tmp_path, [_loan(yield_rate=3.0)]))
    with pytest.raises(ProductCatalogError, match=r"CL-T1 field 'type'"):
        load_products(_write(tmp_path, [_loan(type="mortgage")]))


def test_wealth_without_benchmark_is_rejected(tmp_path: Path) -> None:
    entry = {"id": "WM-T", "name": "测试理财", "type": "wealth", "risk_level": "R2", "disclosures": ["x"]}
    with pytest.raises(ProductCatalogError, match=r"WM-T field 'benchmark'"):
        load_products(_write(tmp_path, [entry]))


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ProductCatalogError, match="CL-T1: duplicate id"):
        load_products(_write(tmp_path, [_loan(), _loan(name="另一个")]))


def test_file_shape_errors(tmp_path: Path) -> None:
    with pytest.raises(ProductCatalogError, match="cannot read"):
        load_products(tmp_path / "missing.yaml")
    with pytest.raises(ProductCatalogError, match="non-empty list"):
        load_products(_write(tmp_path, {"id": "x"}))
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: [unclosed", encoding="utf-8")
    with pytest.raises(ProductCatalogError, match="not valid YAML"):
        load_products(bad)
