"""LLM mode runs the suites against the configured endpoint (here the fake server) and records the run."""

from __future__ import annotations

import pytest

from core.settings import get_settings
from evals.runner import load_history, run_evals


@pytest.fixture()
def llm_env(tmp_path, fake_llm_url, monkeypatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("MBRAIN_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    yield fake_llm_url.fake
    get_settings.cache_clear()


def test_llm_mode_records_models_tokens_and_history(llm_env):
    llm_env.script(
        "AudienceAnswer",
        json={"expression_json": '{"tag": "credit_granted", "op": "eq", "value": true}', "assumptions": []},
        times=None,
    )
    run = run_evals(["audience", "call_script"], mode="llm")
    assert run.metadata.mode == "llm"
    assert run.metadata.models["audience"] == "fake-chat"
    assert run.metadata.usage["calls"] > 0 and run.metadata.usage["prompt_tokens"] > 0
    assert [s.suite for s in run.suites] == ["audience", "call_script"]
    assert all(s.metrics for s in run.suites)
    assert llm_env.requests_for("AudienceAnswer")
    assert load_history()[-1].metadata.run_id == run.metadata.run_id


def test_llm_mode_without_an_endpoint_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError, match="MBRAIN_LLM_BASE_URL"):
            run_evals(["compliance"], mode="llm")
        with pytest.raises(ValueError, match="unknown suite"):
            run_evals(["nope"])
    finally:
        get_settings.cache_clear()
