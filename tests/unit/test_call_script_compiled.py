"""The compiled renderer gives exactly what render_for_lead gives, for any value, and refuses bad scripts."""

from __future__ import annotations

import json
from datetime import time

import pytest

from core.domain import Product
from tools.call_script import Institution, build_first_contact_script, render_for_lead
from tools.call_script.compiled import CompiledScript
from tools.call_script.errors import CallScriptError, MissingVariableError, UnknownVariableError
from tools.call_script.hashing import with_content_hash
from tools.call_script.model import CallScript

BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
LOAN = Product(
    id="CL-1", name="示例安心贷", type="consumer_loan", apr_min=3.6, apr_max=12.0, benefits=["按日计息"]
)


def built() -> CallScript:
    return build_first_contact_script(
        script_id="cs-001", campaign_id="cmp-001", institution=BANK, product=LOAN,
        purpose="向您介绍我行的个人消费贷款产品", value_points=[], calling_window=(time(9), time(21)), dnc_days=180,
    )  # fmt: skip


@pytest.mark.parametrize(
    "surname",
    ["王", "欧阳", 'O"Neil', "back\\slash", "${honorific}", "新\n行", "\ue000", "tab\there", "😀"],
)
def test_render_json_equals_the_reference_rendering(surname: str) -> None:
    script = built()
    compiled = CompiledScript(script)
    values = compiled.values_for({"customer_surname": surname, "honorific": "女士"})
    reference = render_for_lead(script, {"customer_surname": surname, "honorific": "女士"})
    assert json.loads(compiled.render_json(values)) == reference.script.model_dump(mode="json")
    assert compiled.masked(values) == reference.masked_variables


def test_values_are_checked_like_render_for_lead() -> None:
    compiled = CompiledScript(built())
    with pytest.raises(MissingVariableError, match="customer_surname"):
        compiled.values_for({"honorific": "先生"})
    with pytest.raises(UnknownVariableError, match="card"):
        compiled.values_for({"customer_surname": "王", "honorific": "先生", "card": "1"})


def test_stale_or_missing_hash_and_reserved_characters_are_refused() -> None:
    script = built()
    with pytest.raises(CallScriptError, match="hash"):
        CompiledScript(script.model_copy(update={"content_hash": None}))
    closing = next(n for n in script.nodes if n.id == "closing")
    assert closing.prompt is not None
    edited = closing.model_copy(update={"prompt": closing.prompt.model_copy(update={"text": "再见\ue000"})})
    nodes = [edited if n.id == "closing" else n for n in script.nodes]
    with pytest.raises(CallScriptError, match="hash"):
        CompiledScript(script.model_copy(update={"nodes": nodes}))
    with pytest.raises(CallScriptError, match="reserved character"):
        CompiledScript(with_content_hash(script.model_copy(update={"nodes": nodes})))


def test_a_stored_document_compiles_and_keeps_the_call_policy() -> None:
    script = built()
    compiled = CompiledScript.from_document(script.model_dump(mode="json"))
    assert compiled.call_policy_json == script.call_policy.model_dump(mode="json")
    assert compiled.script == script
