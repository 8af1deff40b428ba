"""A/B variants: the planner reads the request, each variant gets its own angle, every variant of every product and
text channel is grounded and compliant, the graph fans out per variant and the draft store keys by variant."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest

from agents.content import write_content
from agents.drafts import checkable_text
from agents.nodes import route_after_plan
from agents.plan import CampaignPlan, Wave, plan_offline, requested_variants
from agents.state import draft_key
from agents.variants import angle_points, product_texts, variant_letters, variant_meta, variant_of
from core.db import migrate, session_scope
from core.settings import get_settings
from tools.campaign_api.campaigns import create_campaign
from tools.campaign_api.drafts import campaign_drafts, save_version
from tools.campaign_api.errors import InvalidInput
from tools.channel_rules.validators import validate_channel
from tools.claims import build_ledger
from tools.compliance.engine import check
from tools.products import default_catalog

TEXT_CHANNELS = ("sms", "push", "wechat", "wecom", "h5")


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def plan_for(product_id: str, *, variants: int = 3, channels=("sms",)) -> CampaignPlan:
    wave = Wave(
        name="第一波", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31), channels=list(channels)
    )
    return CampaignPlan(
        objective="activation", product_ids=[product_id], audience_description="代发工资客户",
        channels=list(channels), waves=[wave], kpis=["转化率"], constraints=[], assumptions=[],
        variant_count=variants,
    )  # fmt: skip


# ── the planner ────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("brief", "count"),
    [
        ("短信做A/B测试", 2),
        ("短信AB测试", 2),
        ("准备两个版本的推送", 2),
        ("短信出两版", 2),
        ("做三个版本对比", 3),
        ("A/B/C 三组对照", 3),
        ("给代发客户发短信", 1),
        ("APP推送tab页入口", 1),  # "ab" inside a word is not a request
    ],
)
def test_requested_variants(brief, count):
    assert requested_variants(brief) == (count, None)


def test_unnumbered_versions_become_two_with_a_stated_assumption():
    plan = plan_offline("下月给授信未借款的年轻客户做消费贷促活，短信多版本", default_catalog())
    assert isinstance(plan, CampaignPlan) and plan.variant_count == 2
    assert any("A/B两个版本" in note for note in plan.assumptions)


def test_plan_defaults_to_one_variant_and_rejects_more_than_three():
    plan = plan_offline("下月给授信未借款的年轻客户做消费贷促活，短信", default_catalog())
    assert isinstance(plan, CampaignPlan) and plan.variant_count == 1
    with pytest.raises(ValueError, match="variant_count"):
        plan.model_validate({**plan.model_dump(), "variant_count": 4})


# ── letters, keys and metadata ─────────────────────────────────────────────────────────────────────────────


def test_letters_keys_and_meta():
    assert variant_letters(1) == ["A"] and variant_letters(3) == ["A", "B", "C"]
    with pytest.raises(ValueError, match="variant count must be 1..3"):
        variant_letters(4)
    assert [draft_key("sms"), draft_key("sms", "A"), draft_key("sms", "B")] == ["sms", "sms", "sms#B"]
    with pytest.raises(ValueError, match="must not contain"):
        draft_key("sms#B", "C")
    assert variant_meta("C") == {"variant": "C", "angle": "reassurance", "angle_label": "安心型"}
    with pytest.raises(ValueError, match="unknown variant 'D'"):
        variant_meta("D")
    assert variant_of({"text": "x", "meta": {"variant": "B"}}) == "B" and variant_of({"text": "x"}) is None


def test_writer_rejects_an_unknown_variant():
    with pytest.raises(ValueError, match="unknown variant 'Z'"):
        write_content(plan_for("CL-001"), "sms", run_id="t", variant="Z")


@pytest.mark.parametrize("product", default_catalog().all(), ids=lambda p: p.id)
def test_angle_phrases_are_quoted_from_the_sheet(product):
    sheet = "".join(product_texts(product))
    for angle in ("convenience", "reassurance"):
        points = angle_points(product, angle)
        assert points and all(point in sheet for point in points), (angle, points)
    assert angle_points(product, "benefit") == []


# ── every variant grounded, compliant and different ─────────────────────────────────────────────────────────


def _blocking(channel: str, content: dict, product, plan: CampaignPlan) -> list[str]:
    text = checkable_text(channel, content)
    signature = get_settings().sms_signature
    problems = [f.rule_id for f in validate_channel(channel, content, text, product.type, sms_signature=signature)
                if f.severity == "block"]  # fmt: skip
    problems += [f"unlinked {e.value}" for e in build_ledger(text, product, plan) if not e.linked]
    problems += [f.rule_id for f in check(text, channel, product.type).findings if f.severity == "block"]
    return problems


@pytest.mark.parametrize("channel", TEXT_CHANNELS)
@pytest.mark.parametrize("product", default_catalog().all(), ids=lambda p: p.id)
def test_every_variant_is_grounded_compliant_and_distinct(product, channel):
    plan = plan_for(product.id)
    drafts = {v: write_content(plan, channel, run_id="t", variant=v) for v in "ABC"}
    for variant, draft in drafts.items():
        assert _blocking(channel, draft.content, product, plan) == [], variant
        meta = draft.content["meta"]
        assert meta["ai_generated"] is True and meta["label"] and meta["variant"] == variant
    bodies = {v: {k: x for k, x in d.content.items() if k != "meta"} for v, d in drafts.items()}
    for first, second in combinations("ABC", 2):
        assert bodies[first] != bodies[second], (first, second)


def test_variant_a_is_the_single_draft_with_a_label():
    plan = plan_for("DP-001", variants=1)
    single, first = (
        write_content(plan, "sms", run_id="t"),
        write_content(plan, "sms", run_id="t", variant="A"),
    )
    assert single.content["text"] == first.content["text"]
    assert "variant" not in single.content["meta"] and first.content["meta"]["angle"] == "benefit"


# ── the graph fans out per variant ─────────────────────────────────────────────────────────────────────────


def test_route_after_plan_sends_one_writer_per_variant_of_each_text_channel():
    plan = plan_for("CL-001", variants=2, channels=("sms", "call_script"))
    state = {
        "campaign_id": "c1",
        "brief": "b",
        "author": "a",
        "status": "drafting",
        "plan": plan.model_dump(mode="json"),
    }
    sends = [(s.node, s.arg.get("channel"), s.arg.get("variant")) for s in route_after_plan(state)]
    assert sends == [
        ("select_audience", "audience", None),
        ("write_content", "sms", "A"),
        ("write_content", "sms", "B"),
        ("write_call_script", "call_script", None),
    ]


# ── the draft store keys by campaign, channel and variant ───────────────────────────────────────────────────


def _save(session, variant: str, text: str):
    return save_version(
        session, campaign_id="cmp_v", channel="sms", content={"text": text}, findings=[], verdict="pass",
        mode="offline", notes=[], created_by="marketing-brain", variant=variant,
    )  # fmt: skip


def test_each_variant_is_its_own_draft_with_its_own_versions():
    migrate()
    with session_scope() as session:
        create_campaign(session, campaign_id="cmp_v", brief="b", author="marketer", mode="offline")
        first_a, first_b = _save(session, "A", "甲"), _save(session, "B", "乙")
        second_b = _save(session, "B", "乙二")
        again_b = _save(session, "B", "乙二")  # unchanged: no new version
        assert first_a.draft_id != first_b.draft_id == second_b.draft_id == again_b.draft_id
        assert (first_a.version, second_b.version, again_b.version) == (1, 2, 2)
        listed = {d.variant: d.content["text"] for d in campaign_drafts(session, "cmp_v")}
        assert listed == {"A": "甲", "B": "乙二"}
        with pytest.raises(InvalidInput, match="one capital letter"):
            _save(session, "b2", "x")
