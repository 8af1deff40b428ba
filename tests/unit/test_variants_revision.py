"""A request for changes rewrites only what the reviewer's comment is about; everything else stays as it was,
offline (another grounded template phrasing of the named field) and with a model (given the current draft)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from agents.compliance_check import check_draft
from agents.content import write_content
from agents.drafts import DraftState
from agents.plan import CampaignPlan, Wave
from agents.review import keep_unrequested, requested_fields, rewrite_for_comment
from core.db import migrate
from core.settings import get_settings


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def plan_for(product_id: str) -> CampaignPlan:
    wave = Wave(name="第一波", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31), channels=["sms"])
    return CampaignPlan(
        objective="activation", product_ids=[product_id], audience_description="代发工资客户", channels=["sms"],
        waves=[wave], kpis=["转化率"], constraints=[], assumptions=[],
    )  # fmt: skip


def asked(plan: CampaignPlan, channel: str, comment: str, variant: str | None = None) -> DraftState:
    draft = write_content(plan, channel, run_id="t", variant=variant)
    return draft.model_copy(update={"phase": "changes_requested", "review_comment": comment, "version": 1})


def test_comment_fields():
    assert requested_fields("wechat", "标题和摘要都太长") == ["title", "digest"]
    assert requested_fields("push", "正文换个说法") == ["text"]
    assert requested_fields("wechat", "语气再亲切些") is None
    assert requested_fields("h5", "标题换一个") is None
    current, rewritten = {"title": "旧", "body": "正文"}, {"title": "新", "body": "改过的正文"}
    assert keep_unrequested(current, rewritten, ["title"]) == {"title": "新", "body": "正文"}
    assert keep_unrequested(current, rewritten, None) == rewritten


# ── offline ─────────────────────────────────────────────────────────────────────────────────────────────────


def test_offline_title_comment_changes_the_title_only_and_stays_compliant():
    plan = plan_for("DP-001")
    draft = asked(plan, "wechat", "标题换一个更直白的")
    revised = rewrite_for_comment(draft, plan, run_id="t")
    assert revised.phase == "revised" and revised.content["title"] != draft.content["title"]
    assert revised.content["body"] == draft.content["body"]
    assert revised.content["digest"] == draft.content["digest"]
    assert revised.content["meta"] == draft.content["meta"]
    assert any("title" in note and "其余内容保持不变" in note for note in revised.notes)
    assert check_draft(revised, plan).verdict != "block"


def test_offline_shorter_request_picks_a_shorter_body_or_says_there_is_none():
    plan = plan_for("CL-001")
    draft = asked(plan, "sms", "短信太长了，精简一点", variant="B")
    revised = rewrite_for_comment(draft, plan, run_id="t")
    assert len(revised.content["text"]) < len(draft.content["text"])
    assert check_draft(revised, plan).verdict != "block"
    longest = asked(plan_for("WM-R2-001"), "wecom", "内容太长了，精简一点")  # every other phrasing is longer
    kept = rewrite_for_comment(longest, plan_for("WM-R2-001"), run_id="t")
    assert kept.content == longest.content and any("没有符合审核意见" in note for note in kept.notes)


def test_offline_variant_rewrite_stays_on_its_angle():
    plan = plan_for("CL-001")
    draft = asked(plan, "sms", "正文换一种说法", variant="B")
    revised = rewrite_for_comment(draft, plan, run_id="t")
    assert revised.content["text"] != draft.content["text"]
    assert revised.content["meta"]["angle"] == "convenience"
    sibling = write_content(plan, "sms", run_id="t", variant="A").content["text"]
    assert revised.content["text"] != sibling


def test_offline_without_an_alternative_returns_the_draft_unchanged_with_a_note():
    plan = plan_for("CL-001")
    draft = asked(plan, "push", "标题换一个")  # every template writes the product name as the push title
    revised = rewrite_for_comment(draft, plan, run_id="t")
    assert revised.content == draft.content and revised.phase == "revised"
    assert any("没有符合审核意见" in note for note in revised.notes)
    page = asked(plan, "h5", "副标题换一个")
    assert rewrite_for_comment(page, plan, run_id="t").content == page.content


# ── with a model ────────────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture()
def llm(fake_llm_url, monkeypatch):
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("MBRAIN_KB_EMBEDDER", "hashing")  # the writer's guidance search indexes fast, no model
    get_settings.cache_clear()
    migrate()
    return fake_llm_url.fake


def test_llm_rewrite_gets_the_current_draft_and_keeps_what_the_comment_did_not_name(llm):
    plan = plan_for("DP-001")
    llm.script(
        "WechatCopy", json={"title": "定期存款，手机银行也能办", "digest": "重写的摘要", "body": "重写的正文"}
    )
    draft = DraftState.model_validate(
        {"channel": "wechat", "mode": "llm", "phase": "changes_requested", "review_comment": "标题改得更口语化",
         "content": {"title": "整存整取定期存款介绍", "digest": "原摘要", "body": "原正文", "meta": {"ai_generated": True}}}
    )  # fmt: skip
    revised = rewrite_for_comment(draft, plan, run_id="t")
    assert revised.content["title"] == "定期存款，手机银行也能办" and revised.mode == "llm"
    assert (revised.content["digest"], revised.content["body"]) == ("原摘要", "原正文")
    prompt = json.dumps(llm.requests_for("WechatCopy")[-1].body, ensure_ascii=False)
    assert "原正文" in prompt and "标题改得更口语化" in prompt and "只改动" in prompt


def test_llm_variant_prompt_names_the_angle(llm):
    llm.script(
        "SmsCopy", json={"text": "【示例银行】示例e贷手机银行线上申请，年化利率（单利）3.6%起。拒收请回复R"}
    )
    draft = write_content(plan_for("CL-001"), "sms", run_id="t", variant="B")
    assert draft.mode == "llm" and draft.content["meta"]["angle_label"] == "便捷型"
    prompt = json.dumps(llm.requests_for("SmsCopy")[-1].body, ensure_ascii=False)
    assert "便捷型" in prompt and "手机银行线上申请" in prompt and "<current_draft>" not in prompt
