"""Lead intake pieces without a server: strict form reading, masking and hashing, the rate limiter, variant
choice, the receipt pages, and the migration that adds the leads table (up and down)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import create_engine, inspect

from core.db import MIGRATIONS_DIR
from tools.campaign_api.h5_lead_form import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    LeadRejected,
    parse_form_body,
    validate_lead,
)
from tools.campaign_api.h5_leads import mask_mobile, mobile_hash
from tools.campaign_api.h5_pages import choose_variant, valid_visitor_id
from tools.campaign_api.rate_limit import SlidingWindowLimiter
from tools.h5 import H5Page, build_offline_h5
from tools.h5.receipt import render_notice, render_refusal
from tools.products import default_catalog

GOOD = {
    "surname": "李女士",
    "phone": "15912345678",
    "consent_data_processing": "yes",
    "consent_callback_call": "yes",
}


@pytest.fixture(scope="module")
def page() -> H5Page:
    plan = SimpleNamespace(
        objective="activation",
        waves=[SimpleNamespace(starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31))],
    )
    return build_offline_h5(plan, default_catalog().get("CL-001"))


def _body(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode("ascii")


def test_a_good_submission_keeps_the_shown_consent_texts(page):
    lead = validate_lead(page.lead_form, parse_form_body(_body({**GOOD, "phone": "159-1234-5678"})))
    assert lead.mobile == "15912345678" and lead.fields == {"surname": "李女士"}
    granted = {c.purpose: c.granted for c in lead.consents}
    assert granted == {
        p.purpose: p.purpose in ("data_processing", "callback_call") for p in page.lead_form.consents
    }
    first = lead.consents[0]
    assert first.text.startswith(page.lead_form.consents[0].label) and first.text.endswith("（必选）")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"consent_data_processing": None}, "consent_required"),
        ({"consent_callback_call": None}, "consent_required"),
        ({"consent_callback_call": "on"}, "invalid_consent_value"),
        ({"phone": "12912345678"}, "invalid_mobile"),
        ({"phone": "1591234567"}, "invalid_mobile"),
        ({"phone": "１５９１２３４５６７８"}, "invalid_mobile"),  # full-width digits
        ({"phone": ""}, "missing_field"),
        ({"surname": "  "}, "missing_field"),
        ({"surname": "李" * 33}, "field_too_long"),
        ({"surname": "李\x00"}, "invalid_characters"),
        ({"email": "a@b.c"}, "unknown_field"),
        ({"consent_unknown": "yes"}, "unknown_field"),
    ],
)
def test_each_rule_refuses_with_its_reason(page, change, reason):
    fields = {k: v for k, v in {**GOOD, **change}.items() if v is not None}  # None: leave the field out
    with pytest.raises(LeadRejected) as caught:
        validate_lead(page.lead_form, parse_form_body(_body(fields)))
    assert caught.value.code == reason and caught.value.status == 422
    assert "1591234567" not in caught.value.message  # errors never echo the number


def test_the_body_itself_is_checked():
    with pytest.raises(LeadRejected, match="more than once") as repeated:
        parse_form_body(b"phone=1&phone=2")
    assert repeated.value.code == "repeated_field"
    with pytest.raises(LeadRejected) as malformed:
        parse_form_body(b"surname=%FF")
    assert malformed.value.code == "malformed_form"
    with pytest.raises(BodyTooLarge):
        parse_form_body(b"a" * (MAX_BODY_BYTES + 1))
    assert parse_form_body(b"") == {}


def test_the_data_processing_box_can_never_be_optional(page):
    content = page.model_dump()
    content["lead_form"]["consents"][0]["required"] = False
    assert content["lead_form"]["consents"][0]["purpose"] == "data_processing"
    with pytest.raises(ValidationError, match="must be required"):
        H5Page.model_validate(content)


def test_mobiles_are_masked_and_hashed_with_a_key():
    assert mask_mobile("13800138000") == "138****8000"
    with pytest.raises(ValueError):
        mask_mobile("138")
    one, other = b"k" * 32, b"j" * 32
    assert mobile_hash("13800138000", one) == mobile_hash("13800138000", one)
    assert mobile_hash("13800138000", one) != mobile_hash("13800138000", other)
    assert mobile_hash("13800138000", one) != mobile_hash("13800138001", one)


def test_the_limiter_slides_and_bounds_its_memory():
    clock = [0.0]
    limiter = SlidingWindowLimiter(limit=2, window_s=60, clock=lambda: clock[0], max_keys=2)
    assert [limiter.allow("ip1") for _ in range(3)] == [True, True, False]
    assert limiter.retry_after_s("ip1") == 60 and limiter.retry_after_s("ip2") == 0
    clock[0] = 30.0
    assert limiter.allow("ip2") and not limiter.allow("ip1")
    clock[0] = 60.0
    assert limiter.allow("ip1")  # the first two hits left the window
    limiter.allow("ip3")  # a third key evicts one of the two known
    assert len(limiter._hits) == 2
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit=0, window_s=60)


def test_variant_choice_is_stable_spread_and_overridable():
    variants = ["B", "A"]
    visitors = [f"{n:016x}" for n in range(200)]
    picks = [choose_variant(variants, campaign_id="cmp_1", visitor_id=v) for v in visitors]
    assert picks == [choose_variant(variants, campaign_id="cmp_1", visitor_id=v) for v in visitors]
    assert 60 < picks.count("A") < 140  # both variants get real traffic
    assert choose_variant(variants, campaign_id="cmp_1", visitor_id=visitors[0], override="B") == "B"
    assert choose_variant(["A"], campaign_id="cmp_1", visitor_id=visitors[0], override="C") == "A"
    with pytest.raises(ValueError):
        choose_variant([], campaign_id="cmp_1", visitor_id=visitors[0])
    assert valid_visitor_id("0123456789abcdef") and valid_visitor_id("<script>") is None


def test_receipt_pages_escape_and_explain():
    html = render_notice(title="<b>", message="a&b", back_href='/h5/x"y')
    assert "&lt;b&gt;" in html and "a&amp;b" in html and 'href="/h5/x&quot;y"' in html
    assert "请勾选" in render_refusal("consent_required", back_href="/h5/x")
    assert "default-src 'none'" in render_refusal("anything_else", back_href="/h5/x")


def test_the_leads_migration_goes_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")
    engine = create_engine(url)
    assert "h5_leads" in inspect(engine).get_table_names()
    command.downgrade(config, "0001")
    assert "h5_leads" not in inspect(create_engine(url)).get_table_names()
    engine.dispose()
