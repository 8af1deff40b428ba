"""Fixtures for whole-system tests: a demo data dir built once, settings pointed at it per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.demo import init_demo
from core.clock import set_clock
from core.settings import get_settings

DEMO_CUSTOMERS = 5_000
# 10:00 in Shanghai: inside the default calling hours whatever time CI runs.
IN_CALLING_HOURS = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A demo data dir built once per session; tests copy it so none sees another's campaigns."""
    data_dir = tmp_path_factory.mktemp("demo-template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MBRAIN_DATA_DIR", str(data_dir))
        patch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
        get_settings.cache_clear()
        report = init_demo(customers=DEMO_CUSTOMERS, reset=False, show_progress=False)
        get_settings.cache_clear()
    keys = {u["username"]: u["api_key"] for u in report.users}
    return {"dir": data_dir, "keys": keys}


@pytest.fixture()
def demo(demo_template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    data_dir = tmp_path / "var"
    shutil.copytree(demo_template["dir"], data_dir)
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(data_dir))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    set_clock(lambda: IN_CALLING_HOURS)
    yield {"dir": data_dir, "keys": demo_template["keys"]}
    set_clock(None)
    get_settings.cache_clear()


@pytest.fixture()
def client(demo) -> TestClient:
    from api.main import create_app

    return TestClient(create_app())


def auth(demo: dict[str, object], username: str) -> dict[str, str]:
    keys = demo["keys"]
    assert isinstance(keys, dict)
    return {"Authorization": f"Bearer {keys[username]}"}
