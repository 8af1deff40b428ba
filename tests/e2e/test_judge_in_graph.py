"""LLM path: the compliance judge finds an implicit promise the rules cannot see, with its exact span, and the
graph sends the draft back to its writer; the rewrite the judge clears reaches review."""

from __future__ import annotations

import json

from tests.e2e.conftest import auth
from tests.e2e.test_ledger_llm import AUDIENCE, BRIEF, CLEAN, PLAN, llm  # noqa: F401  (llm is a fixture)

IMPLICIT = {
    "text": "【示例银行】示例e贷闭眼借就对了，年化利率（单利）3.6%起，最高可借20万元。详询400-000-0000。拒收请回复R"
}
FLAGGED = {
    "findings": [{"rule_id": "LN-04", "quote": "闭眼借就对了", "decision": "violation",
                  "reason": "诱导客户不加考虑地借款，属于诱导过度借贷"}],
    "confirmations": [],
}  # fmt: skip
CLEARED = {"findings": [], "confirmations": []}


def test_a_judge_finding_sends_the_draft_back_and_quotes_the_text(client, demo, llm):  # noqa: F811
    llm.script("CampaignPlan", json=PLAN)
    llm.script("AudienceAnswer", json=AUDIENCE)
    llm.script("SmsCopy", json=IMPLICIT)
    llm.script("SmsCopy", json=CLEAN)
    llm.script("JudgeVerdict", json=FLAGGED)
    llm.script("JudgeVerdict", json=CLEARED)

    response = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=auth(demo, "marketer"))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "in_review"

    # The rewrite was asked for with the judge's LN-04 finding as the instruction.
    rewrite = llm.requests_for("SmsCopy")
    assert len(rewrite) == 2 and "LN-04" in json.dumps(rewrite[1].body, ensure_ascii=False)
    # The judge saw retrieved clauses with their citations and the draft it judged.
    first_judge = json.dumps(llm.requests_for("JudgeVerdict")[0].body, ensure_ascii=False)
    assert "闭眼借就对了" in first_judge

    (draft,) = response.json()["drafts"]
    shown = client.get(f"/v1/drafts/{draft['draft_id']}", headers=auth(demo, "reviewer")).json()
    assert shown["content"]["text"] == CLEAN["text"]
    assert not [f for f in shown["findings"] if f["detector"] == "llm_judge"]
