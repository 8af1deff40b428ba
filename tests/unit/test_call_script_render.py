"""Per-lead rendering, PII masking and flattening."""

from __future__ import annotations

from datetime import time

import pytest

from core.domain import Product
from tools.call_script import (
    Institution,
    MissingVariableError,
    UnknownVariableError,
    build_first_contact_script,
    flatten_text,
    node_at,
    render_for_lead,
    text_segments,
)
from tools.call_script.model import CallScript
from tools.call_script.render import SENSITIVE_MASK, mask_value

BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
LOAN = Product(
    id="CL-1", name="示例安心贷", type="consumer_loan", apr_min=3.6, apr_max=12.0, benefits=["按日计息"]
)
LEAD = {"customer_surname": "欧阳", "honorific": "女士"}


def built() -> CallScript:
    return build_first_contact_script(
        script_id="cs-001",
        campaign_id="cmp-001",
        institution=BANK,
        product=LOAN,
        purpose="向您介绍我行的个人消费贷款产品",
        value_points=[],
        calling_window=(time(9), time(21)),
        dnc_days=180,
    )


def test_render_fills_variables_and_pins_the_source() -> None:
    script = built()
    rendered = render_for_lead(script, LEAD)
    opening = rendered.script.nodes[0].prompt
    assert opening is not None and opening.text.startswith("欧阳女士您好，这里是示例银行")
    assert "${" not in flatten_text(rendered.script)
    assert (rendered.source_version, rendered.source_content_hash) == (1, script.content_hash)
    assert rendered.script.content_hash is None
    assert script.nodes[0].prompt is not None and "${customer_surname}" in script.nodes[0].prompt.text


def test_pii_variables_are_masked_for_logs_and_kept_out_of_repr() -> None:
    rendered = render_for_lead(built(), LEAD)
    assert rendered.masked_variables == {"customer_surname": "欧*", "honorific": "女士"}
    assert "欧阳" not in repr(rendered)


def test_missing_and_unknown_variables_raise_naming_them() -> None:
    with pytest.raises(MissingVariableError, match="customer_surname"):
        render_for_lead(built(), {"honorific": "先生"})
    with pytest.raises(MissingVariableError, match="honorific"):
        render_for_lead(built(), {"customer_surname": "李", "honorific": "  "})
    with pytest.raises(UnknownVariableError, match="phone"):
        render_for_lead(built(), {**LEAD, "phone": "13800138000"})


def test_values_are_substituted_once_never_expanded() -> None:
    rendered = render_for_lead(built(), {"customer_surname": "${honorific}", "honorific": "先生"})
    opening = rendered.script.nodes[0].prompt
    assert opening is not None and opening.text.startswith("${honorific}先生您好")


@pytest.mark.parametrize(
    ("value", "pii", "masked"),
    [
        ("张", "personal", "*"),
        ("张三", "personal", "张*"),
        ("欧阳娜娜", "personal", "欧***"),
        ("110101199003071234", "personal", "110***********1234"),
        ("13800138000", "personal", "138****8000"),
        ("110101199003071234", "sensitive", SENSITIVE_MASK),
        ("先生", "none", "先生"),
    ],
)
def test_mask_value(value: str, pii: str, masked: str) -> None:
    assert mask_value(value, pii) == masked  # type: ignore[arg-type]


def test_flatten_text_joins_every_prompt_and_maps_back_to_nodes() -> None:
    script = built()
    text = flatten_text(script)
    prompts = [n.prompt.text for n in script.nodes if n.prompt is not None]
    assert text.split("\n") == prompts
    segments = text_segments(script)
    for segment in segments:
        assert text[segment.start : segment.end] == script.node(segment.node_id).prompt.text  # type: ignore[union-attr]
    apr_offset = text.index("年化利率（单利）")
    assert node_at(script, apr_offset) == "value_proposition"
    assert node_at(script, len(text) + 5) is None
