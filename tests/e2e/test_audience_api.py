"""`mbrain audience count|draft` and `POST /v1/audiences/estimate` on the demo bank (offline), bad input included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.routes import audiences
from cli.audience import audience_app
from tests.e2e.conftest import auth

GRANTED_UNDRAWN = {
    "and": [
        {"tag": "credit_granted", "op": "eq", "value": True},
        {"tag": "credit_drawn", "op": "eq", "value": False},
    ]
}
CREDIT_STEPS = {"opted_out", "do_not_call", "minor", "student", "overdue", "frequency_cap"}


@pytest.fixture()
def api(demo: dict[str, object]) -> TestClient:
    """The app with the audiences router (added here unless the app already registers it)."""
    from api.main import create_app

    app = create_app()
    if not any(getattr(route, "path", "") == "/v1/audiences/estimate" for route in app.routes):
        app.include_router(audiences.router)
    return TestClient(app)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(audience_app, list(args))


def test_cli_count_reports_size_exclusions_engine_and_time(demo: dict[str, object]) -> None:
    result = _cli("count", "--dsl", json.dumps(GRANTED_UNDRAWN), "--product-type", "consumer_loan",
                  "--channel", "sms", "--channel", "call_script", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"size", "matched", "excluded", "engine", "elapsed_ms", "live"}
    assert set(data["excluded"]) == CREDIT_STEPS and data["engine"] == "duckdb"
    # The live match count comes from the bitmap index for this all-boolean expression, and agrees with DuckDB.
    assert data["live"]["engine"] == "bitmap" and data["live"]["size"] == data["matched"]
    assert 0 < data["size"] == data["matched"] - sum(data["excluded"].values())
    assert data["excluded"]["student"] > 0 or data["excluded"]["overdue"] > 0


@pytest.mark.parametrize(
    ("dsl", "message"),
    [
        ("{and: [", "not valid JSON"),
        ('{"and": [{"tag": "shoe_size", "op": "eq", "value": 42}]}', "$.and[0]"),
        ('{"tag": "age", "op": "near", "value": 3}', "$.op"),
    ],
)
def test_cli_count_rejects_bad_expressions_with_one_line(
    demo: dict[str, object], dsl: str, message: str
) -> None:
    result = _cli("count", "--dsl", dsl, "--json")
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("error:") and message in result.stderr and "Traceback" not in result.output
    )


def test_cli_rejects_an_unknown_product_type(demo: dict[str, object]) -> None:
    result = _cli("count", "--dsl", json.dumps(GRANTED_UNDRAWN), "--product-type", "lottery")
    assert result.exit_code == 2 and "unknown product type 'lottery'" in result.stderr


def test_cli_draft_offline_returns_dsl_size_exclusions_and_explanation(demo: dict[str, object]) -> None:
    result = _cli("draft", "授信未借款的年轻客户，排除近7天短信触达过的", "--product-type", "consumer_loan",
                  "--channel", "sms", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (
        data["mode"] == "offline" and {"not_contacted": {"channel": "sms", "days": 7}} in data["dsl"]["and"]
    )
    assert data["size"] > 0 and "student" in data["excluded"]
    assert "圈选条件" in data["explanation"] and f"最终 {data['size']} 人" in data["explanation"]


def test_api_estimate_counts_a_dsl(api: TestClient, demo: dict[str, object]) -> None:
    body = {"dsl": GRANTED_UNDRAWN, "product_type": "consumer_loan", "channels": ["sms"]}
    response = api.post("/v1/audiences/estimate", json=body, headers=auth(demo, "marketer"))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["engine"] == "duckdb" and data["size"] > 0 and "overdue" in data["excluded"]
    cli = json.loads(_cli("count", "--dsl", json.dumps(GRANTED_UNDRAWN), "--product-type", "consumer_loan",
                          "--channel", "sms", "--json").stdout)  # fmt: skip
    assert (cli["size"], cli["excluded"]) == (data["size"], data["excluded"])  # one engine, one answer


def test_api_estimate_drafts_from_a_description(api: TestClient, demo: dict[str, object]) -> None:
    body = {"description": "45岁以上的沉睡客户", "channels": ["sms"]}
    response = api.post("/v1/audiences/estimate", json=body, headers=auth(demo, "reviewer"))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["mode"] == "offline" and {"tag": "age", "op": "gte", "value": 45} in data["dsl"]["and"]
    assert "年龄≥45岁" in data["explanation"]


def test_api_estimate_names_the_bad_node(api: TestClient, demo: dict[str, object]) -> None:
    body = {
        "dsl": {
            "and": [{"tag": "credit_granted", "op": "eq", "value": True}, {"tag": "shoe_size", "op": "eq"}]
        }
    }
    response = api.post("/v1/audiences/estimate", json=body, headers=auth(demo, "marketer"))
    assert response.status_code == 422
    data = response.json()
    assert data["reason"] == "invalid_expression" and data["issues"][0]["path"] == "$.and[1].tag"
    assert "shoe_size" in data["detail"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "invalid_request"),
        ({"dsl": GRANTED_UNDRAWN, "description": "有房贷的客户"}, "invalid_request"),
        ({"dsl": GRANTED_UNDRAWN, "product_type": "wealth"}, "invalid_selection"),  # no risk level given
    ],
)
def test_api_estimate_rejects_bad_requests(
    api: TestClient, demo: dict[str, object], body: dict[str, Any], reason: str
) -> None:
    response = api.post("/v1/audiences/estimate", json=body, headers=auth(demo, "marketer"))
    assert response.status_code == 422 and response.json()["reason"] == reason


def test_api_estimate_is_for_staff_only(api: TestClient, demo: dict[str, object]) -> None:
    body = {"dsl": GRANTED_UNDRAWN}
    assert api.post("/v1/audiences/estimate", json=body, headers=auth(demo, "voicebot")).status_code == 403
    assert api.post("/v1/audiences/estimate", json=body).status_code == 401
