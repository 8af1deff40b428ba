"""The audience suite: the offline parser meets the thresholds, a broken parser fails, the LLM path is scored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from agents.audience_parse import ParsedAudience, parse_audience
from core.db import migrate, session_scope
from core.settings import get_settings
from evals.core import EvalContext
from evals.datasets_io import SCHEMAS_DIR, load_dataset, schema_for
from evals.runner import run_suite
from evals.suites import audience
from evals.suites.audience import AudienceCase, ensure_store, jaccard, matching_ids
from tools.campaign_api.usage import usage_summary
from tools.tag_store import TagCatalog, validate_expression


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work dir whose 20k-customer store is built once for the whole module."""
    path = tmp_path_factory.mktemp("audience-eval-work")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MBRAIN_DATA_DIR", str(tmp_path_factory.mktemp("audience-var")))
        get_settings.cache_clear()
        ensure_store(path)
        get_settings.cache_clear()
    return path


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def _context(work_dir: Path, mode: str = "offline") -> EvalContext:
    return EvalContext(mode=mode, work_dir=work_dir, run_id="eval_test_audience")  # type: ignore[arg-type]


def _ids(work_dir: Path, raw: dict[str, Any]) -> frozenset[int]:
    catalog = TagCatalog.default()
    return matching_ids(ensure_store(work_dir), validate_expression(raw, catalog), catalog)


def test_the_offline_parser_meets_the_thresholds(work_dir: Path) -> None:
    result = run_suite("audience", _context(work_dir))
    assert result.ok, result.failures
    assert len(result.cases) >= 25
    assert result.metrics["parse_success_rate"] == 1.0
    assert {c.actual["mode"] for c in result.cases} == {"offline"}


def test_a_parser_that_drops_a_condition_fails(work_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def drops_last_condition(text: str, catalog: TagCatalog, *, channels: list[str]) -> ParsedAudience:
        parsed = parse_audience(text, catalog, channels=channels)
        items = parsed.expression.get("and")
        if not items:
            return parsed
        kept = items[:-1]
        return ParsedAudience(expression=kept[0] if len(kept) == 1 else {"and": kept}, understood=[])

    monkeypatch.setattr(audience, "parse_audience", drops_last_condition)
    result = run_suite("audience", _context(work_dir))
    assert any(
        line.startswith("audience.mean_jaccard = ") and "< threshold" in line for line in result.failures
    ), result.failures
    assert any(line.startswith("audience.exact_match_rate = ") for line in result.failures)


def test_an_expression_that_does_not_validate_scores_zero(
    work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unknown_tag(text: str, catalog: TagCatalog, *, channels: list[str]) -> ParsedAudience:
        return ParsedAudience(expression={"tag": "shoe_size", "op": "eq", "value": 42}, understood=[])

    monkeypatch.setattr(audience, "parse_audience", unknown_tag)
    result = run_suite("audience", _context(work_dir))
    assert "audience.parse_success_rate = 0.000 < threshold 0.95" in result.failures
    assert all(c.scores["jaccard"] == 0.0 and "shoe_size" in c.detail for c in result.cases)


def test_audiences_are_compared_by_the_customers_they_match(work_dir: Path) -> None:
    not_overdue = _ids(work_dir, {"not": {"tag": "is_overdue", "op": "eq", "value": True}})
    assert not_overdue == _ids(work_dir, {"tag": "is_overdue", "op": "eq", "value": False})
    assert 0 < len(not_overdue) < 20_000
    young = _ids(work_dir, {"tag": "age", "op": "between", "value": [18, 34]})
    assert jaccard(young, young) == 1.0
    assert jaccard(young, frozenset()) == 0.0
    assert jaccard(frozenset(), frozenset()) == 1.0
    assert jaccard(frozenset({1, 2}), frozenset({2, 3})) == pytest.approx(1 / 3)


def test_labels_are_checked_when_the_dataset_loads() -> None:
    case = {"id": "c", "description": "年轻客户", "channels": ["sms"], "tags": []}
    with pytest.raises(ValidationError, match="unknown tag"):
        AudienceCase.model_validate(
            {**case, "expected_expression": {"tag": "shoe_size", "op": "eq", "value": 1}}
        )
    with pytest.raises(ValidationError, match="health_flag"):  # sensitive tags may not select an audience
        AudienceCase.model_validate(
            {**case, "expected_expression": {"tag": "health_flag", "op": "eq", "value": True}}
        )
    young = {"tag": "age", "op": "between", "value": [18, 34]}
    with pytest.raises(ValidationError, match="unknown product id 'XX-9'"):
        AudienceCase.model_validate({**case, "expected_expression": young, "product_id": "XX-9"})
    assert len(load_dataset("audience", AudienceCase).cases) >= 25


def test_llm_mode_scores_the_models_expression_and_its_fallback(
    work_dir: Path, tmp_path: Path, fake_llm_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("MBRAIN_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    migrate()  # token usage of the eval run is recorded in the data dir's database
    expected = {
        "and": [
            {"tag": "lifecycle_stage", "op": "eq", "value": "沉睡"},
            {"tag": "age", "op": "gte", "value": 45},
        ]
    }
    dataset = _two_case_dataset(tmp_path, expected)
    fake = fake_llm_url.fake
    fake.script(
        "AudienceAnswer", json={"expression_json": json.dumps(expected), "assumptions": []}, times=None
    )
    fake.malformed("AudienceAnswer", times=2)  # the first case's answer never parses → offline fallback

    result = run_suite("audience", _context(work_dir, "llm"), dataset=dataset)
    by_id = {c.case_id: c for c in result.cases}
    assert by_id["model-right"].actual["mode"] == "llm" and by_id["model-right"].scores["jaccard"] == 1.0
    fallback = by_id["model-garbled"]
    assert fallback.actual["mode"] == "offline_fallback" and fallback.scores["parsed"] == 1.0
    assert any("降级" in line for line in fallback.actual["understood"])
    assert len(fake.requests_for("AudienceAnswer")) == 3
    with session_scope() as session:  # every call is attributed to the eval run
        # each case makes tool-calling turns before its structured answer; all of them are attributed to the run
        assert usage_summary(session, "eval_test_audience")["by_role"]["audience"]["calls"] == 7


def test_the_committed_schema_matches_the_case_model() -> None:
    committed = json.loads((SCHEMAS_DIR / "audience.schema.json").read_text(encoding="utf-8"))
    assert committed == schema_for(AudienceCase)


def _two_case_dataset(tmp_path: Path, expected: dict[str, Any]) -> Path:
    cases = [
        {"id": "model-garbled", "description": "有房贷的客户", "channels": ["sms"],
         "expected_expression": {"tag": "mortgage", "op": "eq", "value": True}},
        {"id": "model-right", "description": "45岁以上的沉睡客户", "channels": ["sms"], "expected_expression": expected},
    ]  # fmt: skip
    document = {"kind": "audience", "version": 1, "description": "llm path", "thresholds": {}, "cases": cases}
    path = tmp_path / "audience-llm.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path
