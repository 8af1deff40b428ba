"""The mobile renderer: escaped, self-contained, PREVIEW only in preview, and the checked text is what is shown."""

from __future__ import annotations

import re
from datetime import date

import pytest

from agents.drafts import checkable_text
from tests.h5_plans import H5Plan, PlanWave
from tools.h5 import H5Page, build_offline_h5, render_h5, visible_text
from tools.products import default_catalog


@pytest.fixture()
def page() -> H5Page:
    plan = H5Plan("activation", [PlanWave(date(2026, 12, 1), date(2026, 12, 31))])
    return build_offline_h5(plan, default_catalog().get("CL-001"))


def test_the_page_is_a_self_contained_mobile_page(page):
    html = render_h5(page, preview=False)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "default-src 'none'" in html
    for external in ("http://", "https://", "<script", "<img", "<link", "<iframe", "@import", "url("):
        assert external not in html, external


def test_preview_has_a_banner_and_clauses_the_public_page_has_neither(page):
    preview, public = render_h5(page, preview=True), render_h5(page, preview=False)
    assert "PREVIEW" in preview and "noindex" in preview and "依据：product-CL-001#产品特点" in preview
    assert "PREVIEW" not in public and "依据：" not in public
    assert 'data-clause="product-CL-001#产品特点"' in public


def test_no_consent_box_is_rendered_ticked(page):
    html = render_h5(page, preview=False)
    boxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert len(boxes) == len(page.lead_form.consents) == 5
    assert not any("checked" in box for box in boxes)
    assert sum(" required" in box for box in boxes) == 2


def test_model_text_is_escaped(page):
    hostile = page.model_copy(
        update={"steps": ['<script>alert("x")</script>', "</li><li>假步骤"], "ai_label": "<b>AI</b>"}
    )
    html = render_h5(hostile, preview=True)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;/li&gt;&lt;li&gt;假步骤" in html and "<b>AI</b>" not in html


def test_the_form_is_sendable_only_with_an_action(page):
    without = render_h5(page, preview=False)
    assert "disabled" in without and "在线提交暂未开通，请致电400-000-0000咨询。" in without
    with_action = render_h5(page, preview=False, form_action="/h5/cmp_1/leads")
    assert 'action="/h5/cmp_1/leads"' in with_action and '<button type="submit">' in with_action
    assert page.lead_form.after_submit in with_action


def test_visible_text_is_the_page_in_reading_order(page):
    text = visible_text(page)
    lines = text.splitlines()
    assert lines[0] == "示例e贷" and lines[-1] == "本页内容由AI辅助生成，经人工审核后发布"
    order = [
        "年化利率（单利）：3.6%–18%",
        "额度1000元至20万元",
        "借款提示",
        "授权选项",
        "活动规则",
        "客服热线：",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "2026年12月1日至2026年12月31日（北京时间）" in text
    assert "请输入手机号" in text  # placeholders are read too
    assert "{" not in text and "font-size" not in text and "PREVIEW" not in text


def test_checkable_text_of_an_h5_draft_is_its_visible_text(page):
    content = {**page.model_dump(mode="json"), "meta": {"ai_generated": True, "label": "x"}}
    assert checkable_text("h5", content) == visible_text(page)
    with pytest.raises(ValueError, match="hero"):
        checkable_text("h5", {"text": "只有一句话"})
