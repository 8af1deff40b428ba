"""H5Page schema rules: consent boxes never pre-ticked, no 最终解释权 anywhere, the standard's limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from tests.h5_plans import H5Plan, PlanWave
from tools.h5 import H5Page, build_offline_h5
from tools.products import default_catalog


def _plan() -> H5Plan:
    return H5Plan("activation", [PlanWave(date(2026, 12, 1), date(2026, 12, 31))])


@pytest.fixture()
def page_data() -> dict[str, Any]:
    return build_offline_h5(_plan(), default_catalog().get("CL-001")).model_dump(mode="json")


def _error_text(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        H5Page.model_validate(data)
    return str(caught.value)


def test_a_built_page_round_trips_through_json(page_data):
    page = H5Page.model_validate(page_data)
    assert page.model_dump(mode="json") == page_data
    assert all(not consent.checked for consent in page.lead_form.consents)


def test_a_pre_ticked_consent_box_is_refused(page_data):
    page_data["lead_form"]["consents"][2]["checked"] = True
    assert "must not be pre-ticked" in _error_text(page_data)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("activity_rules", "closing"), "本活动最终解释权归示例银行所有。"),
        (("hero", "subtitle"), "最 终·解-释 权归本行"),
        (("benefits", 0, "text"), "活动解释权归主办方所有"),
        (("lead_form", "privacy_notice"), "本行保留最终解释权"),
    ],
)
def test_a_unilateral_interpretation_clause_is_refused_anywhere(page_data, path, text):
    target: Any = page_data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = text
    message = _error_text(page_data)
    assert "最终解释权" in message and "page." in message


def test_interpretation_words_elsewhere_are_fine(page_data):
    page_data["steps"][0] = "客户经理将为您解释产品条款"
    assert H5Page.model_validate(page_data).steps[0] == "客户经理将为您解释产品条款"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["hero"].update(title="标" * 21), "hero.title"),
        (lambda d: d["hero"].update(cta="立即点击马上申请"), None),
        (lambda d: d["hero"].update(cta="立即点击马上申请啊"), "hero.cta"),
        (lambda d: d.update(benefits=d["benefits"] * 2), "benefits"),
        (lambda d: d["benefits"][0].update(clause="见说明书"), "clause"),
        (lambda d: d["lead_form"].update(fields=d["lead_form"]["fields"] * 3), "fields"),
        (
            lambda d: d["lead_form"]["consents"].append(d["lead_form"]["consents"][0]),
            "one consent box per purpose",
        ),
        (lambda d: d["lead_form"].update(consents=d["lead_form"]["consents"][1:]), "data_processing"),
        (lambda d: d["activity_rules"].update(starts_on="2027-01-01"), "after it ends"),
        (lambda d: d["activity_rules"].update(contact_hotline="请致电客服"), "contact_hotline"),
        (lambda d: d["risk_disclosure"].update(items=[]), "risk_disclosure.items"),
        (lambda d: d["rate_and_fees"].update(items=["  "]), "must not be blank"),
        (lambda d: d.update(extra_banner="限时"), "extra_banner"),
        (lambda d: d.update(product_type="crypto"), "product_type"),
    ],
)
def test_the_standard_limits_are_enforced(page_data, mutate, expected):
    mutate(page_data)
    if expected is None:
        H5Page.model_validate(page_data)
    else:
        assert expected in _error_text(page_data)
