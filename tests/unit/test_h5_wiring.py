"""H5 as a content channel: the planner plans it, the content agent writes it, a model's page is grounded."""

from __future__ import annotations

import pytest

from agents.content import CHANNEL_SCHEMAS, _grounded_h5, write_content
from agents.plan import CampaignPlan, plan_offline
from core.llm import LLMUnavailable
from core.settings import get_settings
from tools.h5 import H5Page
from tools.products import default_catalog

BRIEF = "下月给授信未借款的年轻客户做消费贷促活，短信+H5落地页"


@pytest.fixture()
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture()
def plan(offline) -> CampaignPlan:
    result = plan_offline(BRIEF, default_catalog())
    assert isinstance(result, CampaignPlan)
    return result


def test_the_planner_plans_an_h5_deliverable(plan):
    assert plan.channels == ["sms", "h5"]
    assert not any("H5" in assumption for assumption in plan.assumptions)
    assert CHANNEL_SCHEMAS["h5"] is H5Page


def test_the_content_agent_writes_an_h5_page_offline(plan):
    draft = write_content(plan, "h5", run_id="run-h5")
    assert draft.channel == "h5" and draft.mode == "offline"
    assert draft.content["meta"]["ai_generated"] is True
    page = H5Page.model_validate({k: v for k, v in draft.content.items() if k != "meta"})
    assert page.product_id == "CL-001"
    assert page.activity_rules.starts_on == min(w.starts_on for w in plan.waves)
    assert isinstance(draft.content["activity_rules"]["starts_on"], str)  # JSON-ready for the draft store


def test_a_model_page_citing_an_invented_clause_falls_back(plan):
    loan = default_catalog().get("CL-001")
    page = H5Page.model_validate(
        {k: v for k, v in write_content(plan, "h5", run_id="r").content.items() if k != "meta"}
    )
    invented = page.model_copy(update={"benefits": [page.benefits[0].model_copy(update={"clause": "AD-77"})]})
    with pytest.raises(LLMUnavailable, match="AD-77"):
        _grounded_h5(invented, plan, loan)
    grounded = _grounded_h5(page, plan, loan)
    assert grounded["rate_and_fees"] == page.model_dump(mode="json")["rate_and_fees"]
