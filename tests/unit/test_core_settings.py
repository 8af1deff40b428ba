from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from core.settings import Settings, get_settings, parse_window


def test_env_prefix_and_offline(monkeypatch):
    monkeypatch.setenv("MBRAIN_BANK_SHORT_NAME", "测试银行")
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert settings.bank_short_name == "测试银行"
        assert settings.offline
    finally:
        get_settings.cache_clear()


def test_model_per_role_falls_back_to_default():
    settings = Settings(llm_model="base", llm_model_content="writer", _env_file=None)
    assert settings.model_for("content") == "writer"
    assert settings.model_for("planner") == "base"
    with pytest.raises(ValueError, match="unknown LLM role"):
        settings.model_for("painter")


def test_calling_window_parsing():
    assert parse_window("09:00-21:00") == (time(9), time(21))
    assert parse_window("00:00-24:00")[1] == time.max
    with pytest.raises(ValueError):
        parse_window("21:00-09:00")
    with pytest.raises(ValidationError):
        Settings(calling_hours="9点到21点", _env_file=None)


def test_dnc_days_has_regulatory_floor():
    with pytest.raises(ValidationError):
        Settings(dnc_days=30, _env_file=None)
