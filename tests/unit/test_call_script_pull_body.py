"""The memoised pull body is byte for byte the text the gate wrote before it was memoised.

``reference_body`` is the gate's previous rendering, kept verbatim: one ``json.dumps`` of the head fields plus
the compiled script. Values that need JSON escaping (quotes, backslashes, control characters, non-BMP, private
use) and repeated pulls (memo hits) must all give the reference's bytes.
"""

from __future__ import annotations

import json
from datetime import time

import pytest

from core.domain import Product
from tools.call_script import Institution, build_first_contact_script
from tools.call_script.compiled import CompiledScript
from tools.call_script.errors import MissingVariableError
from tools.campaign_api.call_gate import PulledScript
from tools.campaign_api.publications import PublishedPointer
from tools.campaign_api.pull_body import render_pull_body

BANK = Institution(legal_name="示例银行股份有限公司", short_name="示例银行", hotline="400-000-0000")
LOAN = Product(
    id="CL-1", name="示例安心贷", type="consumer_loan", apr_min=3.6, apr_max=12.0, benefits=["按日计息"]
)
SURNAMES = [
    "王",
    "欧阳",
    'O"Neil',
    "back\\slash",
    "${honorific}",
    "新\n行",
    "\ue000",
    "tab\there",
    "😀",
    "王",
]


@pytest.fixture(scope="module")
def compiled() -> CompiledScript:
    script = build_first_contact_script(
        script_id="cs-001", campaign_id="cmp-001", institution=BANK, product=LOAN,
        purpose="向您介绍我行的个人消费贷款产品", value_points=[], calling_window=(time(9), time(21)), dnc_days=180,
    )  # fmt: skip
    return CompiledScript(script)


def reference_body(
    script: CompiledScript,
    campaign_id: str,
    lead_id: int,
    pointer: PublishedPointer,
    variables: dict[str, str],
) -> str:
    values = script.values_for(variables)
    head = json.dumps(
        {"campaign_id": campaign_id, "lead_id": lead_id, "publication_id": pointer.publication_id,
         "version": pointer.version, "content_hash": pointer.content_hash,
         "call_policy": script.call_policy_json, "variables": script.masked(values)},
        ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip
    return f'{head[:-1]},"script":{script.render_json(values)}}}'


@pytest.mark.parametrize("campaign_id", ["cmp_229234d19826", 'c"m\\p', "活动-一"])
def test_body_is_the_reference_bytes_for_many_leads(compiled: CompiledScript, campaign_id: str) -> None:
    pointer = PublishedPointer(publication_id="pub_1", version=3, content_hash="ab" * 32)
    for lead_id, surname in enumerate(SURNAMES * 2, start=1):  # the second round is served from the memos
        for honorific in ("先生", "女士", "先生/女士"):
            variables = {"customer_surname": surname, "honorific": honorific}
            body = render_pull_body(compiled, campaign_id, lead_id, pointer, variables)
            assert body == reference_body(compiled, campaign_id, lead_id, pointer, variables)
            assert PulledScript.model_validate_json(body).lead_id == lead_id


def test_another_publication_changes_the_head(compiled: CompiledScript) -> None:
    variables = {"customer_surname": "王", "honorific": "先生"}
    first = PublishedPointer(publication_id="pub_1", version=1, content_hash="a" * 64)
    second = PublishedPointer(publication_id="pub_2", version=2, content_hash="b" * 64)
    one = render_pull_body(compiled, "cmp", 7, first, variables)
    two = render_pull_body(compiled, "cmp", 7, second, variables)
    assert one == reference_body(compiled, "cmp", 7, first, variables)
    assert two == reference_body(compiled, "cmp", 7, second, variables)
    assert one != two


def test_missing_variables_raise_every_time(compiled: CompiledScript) -> None:
    pointer = PublishedPointer(publication_id="pub_1", version=1, content_hash="a" * 64)
    for _ in range(2):  # a failed render is not memoised
        with pytest.raises(MissingVariableError, match="customer_surname"):
            render_pull_body(compiled, "cmp", 1, pointer, {"customer_surname": " ", "honorific": "先生"})
