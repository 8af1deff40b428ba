"""Offline H5 builder: every figure from the sheet, clauses that resolve, clear errors when the sheet falls short."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.domain import Product
from tests.h5_plans import H5Plan, PlanWave
from tools.compliance.engine import check
from tools.h5 import (
    H5BuildError,
    build_offline_h5,
    clause_problem,
    ground_page,
    unresolved_clauses,
    visible_text,
)
from tools.products import default_catalog

CATALOG = default_catalog()


DECEMBER = H5Plan(
    "activation",
    [PlanWave(date(2026, 12, 1), date(2026, 12, 15)), PlanWave(date(2026, 12, 16), date(2026, 12, 31))],
)


def _sheet_text(product: Product) -> str:
    return product.model_dump_json()


@pytest.mark.parametrize("product", CATALOG.all(), ids=lambda p: p.id)
def test_every_catalog_product_builds_a_page_that_passes_the_rule_engine(product):
    page = build_offline_h5(DECEMBER, product)
    assert page.risk_disclosure.items == product.disclosures
    assert all(fee in page.rate_and_fees.items for fee in product.fees)
    assert [b.text for b in page.benefits] == product.benefits[:6]
    assert unresolved_clauses(page) == []
    assert page.activity_rules.eligibility == product.eligibility
    result = check(visible_text(page), "h5", product.type)
    assert result.verdict != "block", [(f.rule_id, f.message) for f in result.findings]


@pytest.mark.parametrize("product", CATALOG.all(), ids=lambda p: p.id)
def test_every_percentage_on_the_page_is_on_the_sheet(product):
    text = visible_text(build_offline_h5(DECEMBER, product))
    sheet = _sheet_text(product)
    for figure in re.findall(r"\d+(?:\.\d+)?(?=%)", text):
        assert float(figure) in {float(x) for x in re.findall(r"\d+(?:\.\d+)?", sheet)}, figure


def test_a_changed_sheet_changes_the_page():
    sheet = CATALOG.get("CL-001")
    loan = sheet.model_copy(
        update={
            "apr_min": 4.2,
            "apr_max": 15.5,
            "max_amount": 80000.0,
            "disclosures": [d for d in sheet.disclosures if "综合融资成本" not in d],
        }
    )
    page = build_offline_h5(DECEMBER, loan)
    assert page.rate_and_fees.items[0] == "年化利率（单利）：4.2%–15.5%"
    # Interest is the only charge on this sheet, so the financing cost is the rate range itself.
    assert page.rate_and_fees.items[1].startswith("年化综合融资成本：4.2%–15.5%")
    assert page.hero.subtitle == "年化利率（单利）4.2%–15.5%，最高可借8万元"


def test_a_financing_cost_sentence_on_the_sheet_is_quoted_beside_the_rate():
    stated = "贷款年化综合融资成本（含利息及全部相关费用）5%–9%，与年化利率一致。"
    loan = CATALOG.get("BL-001").model_copy(update={"disclosures": [stated, "请理性借贷。"]})
    assert build_offline_h5(DECEMBER, loan).rate_and_fees.items[1] == stated


def test_the_wealth_page_carries_the_benchmark_and_the_risk_wording_verbatim():
    wealth = CATALOG.get("WM-R2-001")
    page = build_offline_h5(DECEMBER, wealth)
    assert page.rate_and_fees.items[0].startswith("业绩比较基准为年化2.60%–3.20%")
    assert "\n" not in page.rate_and_fees.items[0]
    assert "理财非存款、产品有风险、投资须谨慎。" in page.risk_disclosure.items
    assert page.hero.subtitle.startswith("风险等级R2") and "3.20%" not in page.hero.subtitle


def test_the_period_is_the_plan_clipped_to_the_sale_period():
    cd = CATALOG.get("LCD-001")
    page = build_offline_h5(H5Plan("retention", [PlanWave(date(2026, 12, 20), date(2027, 1, 20))]), cd)
    assert (page.activity_rules.starts_on, page.activity_rules.ends_on) == (
        date(2026, 12, 20),
        date(2026, 12, 31),
    )
    assert page.activity_rules.name == "2026年第3期个人大额存单（3年期）到期续作咨询活动"
    with pytest.raises(H5BuildError, match="not on sale"):
        build_offline_h5(H5Plan("retention", [PlanWave(date(2027, 2, 1), date(2027, 2, 28))]), cd)


def test_a_sheet_that_falls_short_is_a_clear_error():
    loan = CATALOG.get("CL-001")
    with pytest.raises(H5BuildError, match="no disclosures"):
        build_offline_h5(DECEMBER, loan.model_copy(update={"disclosures": []}))
    with pytest.raises(H5BuildError, match="no benefits"):
        build_offline_h5(DECEMBER, loan.model_copy(update={"benefits": []}))
    with pytest.raises(H5BuildError, match="综合融资成本"):
        build_offline_h5(
            DECEMBER, loan.model_copy(update={"fees": ["服务费：年化1%"], "disclosures": ["请理性借贷。"]})
        )
    with pytest.raises(H5BuildError, match="annualised rate"):
        build_offline_h5(DECEMBER, loan.model_copy(update={"apr_max": None}))
    with pytest.raises(H5BuildError, match="objective"):
        build_offline_h5(H5Plan("growth", DECEMBER.waves), loan)
    with pytest.raises(H5BuildError, match="no waves"):
        build_offline_h5(H5Plan("activation", []), loan)


@pytest.mark.parametrize(
    ("clause", "problem"),
    [
        ("LN-01", None),
        ("AD-01", None),
        ("LN-99", "no compliance rule"),
        ("product-CL-001#产品特点", None),
        ("product-CL-001#费用", None),
        ("int-h5-landing-standard#权益卖点", None),
        ("product-CL-001#收益保障", "has no section"),
        ("product-XX-001#产品特点", "no knowledge-base document"),
    ],
)
def test_clauses_resolve_against_rules_and_knowledge_base(clause, problem):
    found = clause_problem(clause)
    assert found is None if problem is None else problem in (found or "")


def test_grounding_keeps_model_wording_but_restores_sheet_facts():
    loan = CATALOG.get("CL-001")
    written = build_offline_h5(DECEMBER, loan).model_dump(mode="json")
    written["hero"]["title"] = "装修旅行轻松借"
    written["rate_and_fees"]["items"] = ["年化利率低至1.8%"]
    written["activity_rules"]["rewards"] = ["申请即送100元话费"]
    written["benefits"] = [{"text": "线上申请，额度可循环使用", "clause": "LN-01"}]
    grounded = ground_page(type(build_offline_h5(DECEMBER, loan)).model_validate(written), DECEMBER, loan)
    assert grounded.hero.title == "装修旅行轻松借"
    assert grounded.benefits[0].clause == "LN-01"
    assert "年化利率低至1.8%" not in grounded.rate_and_fees.items
    assert grounded.activity_rules.rewards == ["本活动为产品咨询活动，不另设奖品或其他奖励"]


def test_grounding_refuses_a_benefit_without_a_real_clause():
    loan = CATALOG.get("CL-001")
    page = build_offline_h5(DECEMBER, loan)
    invented = page.model_copy(update={"benefits": [page.benefits[0].model_copy(update={"clause": "LN-42"})]})
    with pytest.raises(H5BuildError, match="LN-42"):
        ground_page(invented, DECEMBER, loan)
