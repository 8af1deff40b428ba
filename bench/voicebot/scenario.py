"""The load test's data: a demo data dir, a published call campaign, and a realistic mix of leads.

Everything goes through the real flow: ``init_demo`` builds users and customers, the campaign is planned from a
brief and approved by the reviewer over the API, refusals and no-answers are posted as call outcomes, and every
lead's answer is checked with one pull before the load starts (a pull is not an attempt, so checking changes
nothing). The mix: mostly callable leads, some opted out, on a do-not-call list (the store's, or refused on a
call), outside the audience, or out of attempts today.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cli.demo import init_demo
from core.db import session_scope
from core.settings import get_settings
from tools.call_script.call_list import CALLABLE, CallList, build_call_list
from tools.campaign_api.campaigns import get_campaign_row
from tools.tag_store.store import TagStore

BRIEF = "下月给授信未借款的客户做消费贷促活，外呼"
# Share of each kind of lead in the mix (the rest of the callable share is what the bots are meant to call).
MIX: dict[str, float] = {
    "callable": 0.80, "refused_on_call": 0.03, "out_of_attempts": 0.02, "opted_out": 0.06,
    "store_do_not_call": 0.03, "not_in_audience": 0.06,
}  # fmt: skip
MAX_DAILY_ATTEMPTS = 5  # the call policy's ceiling (tools.call_script.model.CallPolicy)
EXCLUDED_VERDICTS = ("not_matched", "student", "overdue", "minor", "frequency_cap")


class ScenarioError(RuntimeError):
    """The data set-up did not give the mix the load test needs."""


@dataclass
class Scenario:
    campaign_id: str
    api_key: str
    leads: list[int]
    expected: dict[int, int] = field(default_factory=dict)  # lead id → HTTP status of its pull
    body_bytes: int = 0

    def expected_statuses(self) -> Counter[int]:
        return Counter(self.expected[lead] for lead in self.leads)

    def save(self, path: Path, *, customers: int, day: date) -> None:
        """Keep the scenario next to its data, so a later run on the same day can reuse both (``load``)."""
        document = {"customers": customers, "day": day.isoformat(), **asdict(self)}
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, *, customers: int, day: date) -> Scenario | None:
        """The scenario saved for ``customers`` on ``day``, or None (another size or day: attempts are per day)."""
        if not path.is_file():
            return None
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("customers") != customers or document.get("day") != day.isoformat():
            return None
        return cls(
            campaign_id=document["campaign_id"], api_key=document["api_key"], leads=list(document["leads"]),
            expected={int(lead): int(status) for lead, status in document["expected"].items()},
            body_bytes=int(document["body_bytes"]),
        )  # fmt: skip


def build_scenario(*, customers: int, leads: int, at: datetime, seed: int = 7) -> Scenario:
    """Set up the data dir named by the settings (it must be empty or absent) and pick ``leads`` leads."""
    report = init_demo(customers=customers, reset=True, show_progress=False)
    keys = {u["username"]: u["api_key"] for u in report.users}
    from api.main import create_app  # the API is imported only here: bench code may use it, tools may not

    client = TestClient(create_app())
    headers = {name: {"Authorization": f"Bearer {key}"} for name, key in keys.items()}
    campaign = client.post("/v1/campaigns", json={"brief": BRIEF}, headers=headers["marketer"]).json()
    if campaign.get("status") != "in_review":
        raise ScenarioError(f"the campaign did not reach review: {campaign}")
    for draft in campaign["drafts"]:
        decided = client.post(
            f"/v1/drafts/{draft['draft_id']}/decision",
            json={"decision": "approve"},
            headers=headers["reviewer"],
        )
        if decided.status_code != 200:
            raise ScenarioError(f"approving {draft['draft_id']} failed: {decided.text}")
    picked = _pick(_call_list(campaign["campaign_id"], at), leads, random.Random(seed))
    _post_outcomes(client, headers["voicebot"], campaign["campaign_id"], picked)
    scenario = Scenario(campaign["campaign_id"], keys["voicebot"], [lead for _, lead in picked])
    _check_each(client, headers["voicebot"], scenario, picked)
    random.Random(seed).shuffle(scenario.leads)
    return scenario


def _call_list(campaign_id: str, at: datetime) -> CallList:
    with session_scope() as session:
        audience: dict[str, Any] = get_campaign_row(session, campaign_id).audience or {}
    day = at.astimezone(get_settings().tz).date()
    return build_call_list(TagStore(get_settings().tag_store_path, today=day), audience)


def _pick(call_list: CallList, total: int, rng: random.Random) -> list[tuple[str, int]]:
    """(kind, lead) pairs in the MIX proportions; raises when the store has too few of a kind."""
    wanted = {kind: max(1, round(share * total)) for kind, share in MIX.items()}
    callable_ids = call_list.ids_with(CALLABLE, 50 * total)
    pools = {
        "opted_out": call_list.ids_with("opted_out", 50 * total),
        "store_do_not_call": call_list.ids_with("do_not_call", 50 * total),
        "not_in_audience": [i for v in EXCLUDED_VERDICTS for i in call_list.ids_with(v, 20 * total)],
    }
    own = wanted["callable"] + wanted["refused_on_call"] + wanted["out_of_attempts"]
    if len(callable_ids) < own:
        raise ScenarioError(f"only {len(callable_ids)} callable leads, {own} needed; use more customers")
    chosen = rng.sample(callable_ids, own)
    picked = [("refused_on_call", lead) for lead in chosen[: wanted["refused_on_call"]]]
    refused_end, attempts_end = wanted["refused_on_call"], own - wanted["callable"]
    picked += [("out_of_attempts", lead) for lead in chosen[refused_end:attempts_end]]
    picked += [("callable", lead) for lead in chosen[attempts_end:]]
    for kind, pool in pools.items():
        if len(pool) < wanted[kind]:
            raise ScenarioError(f"only {len(pool)} {kind} leads in the store, {wanted[kind]} needed")
        picked += [(kind, lead) for lead in rng.sample(pool, wanted[kind])]
    return picked


def _post_outcomes(
    client: TestClient, headers: dict[str, str], campaign_id: str, picked: list[tuple[str, int]]
) -> None:
    """A refusal for each refused_on_call lead; no-answers until the pull says frequency_cap for the others."""
    for kind, lead in picked:
        if kind == "refused_on_call":
            _post(client, headers, {"call_id": f"bench-{lead}", "campaign_id": campaign_id, "lead_id": lead,
                                    "outcome": "refused"})  # fmt: skip
        if kind != "out_of_attempts":
            continue
        for attempt in range(MAX_DAILY_ATTEMPTS):
            _post(client, headers, {"call_id": f"bench-{lead}-{attempt}", "campaign_id": campaign_id,
                                    "lead_id": lead, "outcome": "no_answer"})  # fmt: skip
            pulled = client.get(f"/v1/call-scripts/{campaign_id}/leads/{lead}", headers=headers)
            if pulled.status_code == 409:
                break


def _post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> None:
    posted = client.post("/v1/call-outcomes", json=body, headers=headers)
    if posted.status_code != 200:
        raise ScenarioError(f"posting {body} failed: {posted.text}")


EXPECTED_STATUS = {"callable": 200, "refused_on_call": 403, "out_of_attempts": 409, "opted_out": 403,
                   "store_do_not_call": 403, "not_in_audience": 403}  # fmt: skip


def _check_each(
    client: TestClient, headers: dict[str, str], scenario: Scenario, picked: list[tuple[str, int]]
) -> None:
    """One pull per lead: each must get its kind's status, and callable leads give the typical body size."""
    sizes = []
    for kind, lead in picked:
        pulled = client.get(f"/v1/call-scripts/{scenario.campaign_id}/leads/{lead}", headers=headers)
        if pulled.status_code != EXPECTED_STATUS[kind]:
            raise ScenarioError(
                f"{kind} lead {lead}: expected {EXPECTED_STATUS[kind]}, got {pulled.status_code} {pulled.text[:200]}"
            )
        scenario.expected[lead] = pulled.status_code
        if pulled.status_code == 200:
            sizes.append(len(pulled.content))
    scenario.body_bytes = sorted(sizes)[len(sizes) // 2]
