"""The audience agent: offline drafts, the explanation, the catalog tools, the tool-calling loop against the fake
server (search → count → an invalid submission retried → a valid one; endpoint failure; exhausted budget), and
frozen snapshots with masked exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from agents.audience import MAX_TOOL_ROUNDS, draft_expression
from agents.audience_tools import AudienceToolbox, Submission, describe_node, explain
from core.db import migrate, session_scope
from core.settings import get_settings
from tools.campaign_api.usage import usage_summary
from tools.tag_store import TagCatalog, TagStore, build_demo_tag_store, validate_expression
from tools.tag_store.snapshot import SnapshotError, export, freeze, load_or_create_key, masked_id

AS_OF = date(2026, 11, 1)
GRANTED_UNDRAWN = {
    "and": [
        {"tag": "credit_granted", "op": "eq", "value": True},
        {"tag": "credit_drawn", "op": "eq", "value": False},
    ]
}
NOBODY = {"and": [{"tag": "age", "op": "lte", "value": 17}, {"tag": "age", "op": "gte", "value": 90}]}


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audience-store") / "tags.duckdb"
    build_demo_tag_store(path, customers=3_000, seed=11, as_of=AS_OF)
    return path


@pytest.fixture()
def store(store_file: Path) -> TagStore:
    return TagStore(store_file, today=AS_OF)


@pytest.fixture()
def data_dir(tmp_path: Path, store_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointed at a data dir holding the store and a migrated database; offline by default."""
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    (tmp_path / "var").mkdir()
    get_settings().tag_store_path.write_bytes(store_file.read_bytes())
    migrate()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.fixture()
def llm(data_dir: Path, fake_llm_url: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("MBRAIN_LLM_BASE_URL", fake_llm_url.base_url)
    monkeypatch.setenv("MBRAIN_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("MBRAIN_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    yield fake_llm_url.fake
    get_settings.cache_clear()


def _draft(description: str, store: TagStore | None, run_id: str = "run-aud") -> Any:
    return draft_expression(description, TagCatalog.default(), ["sms"], store=store, run_id=run_id)


def _submit(expression: Any, **extra: Any) -> tuple[str, dict[str, Any]]:
    text = expression if isinstance(expression, str) else json.dumps(expression, ensure_ascii=False)
    return ("submit_audience", {"expression_json": text, "assumptions": [], "explanation": "", **extra})


# ---- offline and explanation ------------------------------------------------------------------------------


def test_offline_draft_uses_the_parser_and_says_so(data_dir: Path) -> None:
    drafted = _draft("授信未借款的年轻客户", store=None)
    assert drafted.mode == "offline" and drafted.notes == []
    assert drafted.expression["and"] == [GRANTED_UNDRAWN, {"tag": "age", "op": "between", "value": [18, 34]}]
    assert any("授信未借款" in line for line in drafted.understood)


def test_explanation_names_the_selection_every_exclusion_count_and_the_assumptions(store: TagStore) -> None:
    catalog = TagCatalog.default()
    expression = validate_expression(GRANTED_UNDRAWN, catalog)
    result = store.select(expression, product_type="consumer_loan", channels=["sms"])
    text = explain(
        result.expression, result, catalog, assumptions=["年轻 → 18–34岁"], model_explanation="按口径"
    )
    assert "已授信：是；已用信：否" in text
    assert f"匹配 {result.matched} 人，政策排除 {result.excluded} 人，最终 {result.size} 人" in text
    for step in result.exclusions:
        assert f"{step.label} {step.count} 人" in text
    assert "年轻 → 18–34岁" in text and text.endswith("模型说明：按口径")


def test_chinese_reading_of_nodes() -> None:
    catalog = TagCatalog.default()
    node = {"and": [{"tag": "aum", "op": "between", "value": [50000, 200000]},
                    {"not": {"tag": "city", "op": "in", "value": ["上海", "杭州"]}},
                    {"or": [{"tag": "value_tier", "op": "gte", "value": "V4"},
                            {"not_contacted": {"channel": "call_script", "days": 7}}]}]}  # fmt: skip
    assert describe_node(node, catalog) == (
        "金融资产在5万元至20万元之间；排除[城市为上海、杭州]；（客户价值等级V4及以上 或 近7天未经外呼触达）"
    )


# ---- the catalog tools ------------------------------------------------------------------------------------


def test_tools_search_describe_and_count(store: TagStore) -> None:
    toolbox = AudienceToolbox(TagCatalog.default(), store)
    assert "credit_granted" in toolbox.search_tags("授信")
    assert "health_flag" not in toolbox.search_tags("健康") and "没有" in toolbox.search_tags("健康")
    assert "未知标签 'nope'" in toolbox.describe_tag("nope")
    assert "C1" in toolbox.describe_tag("risk_level")
    counted = toolbox.count_audience(json.dumps(GRANTED_UNDRAWN))
    expected = store.count(validate_expression(GRANTED_UNDRAWN, TagCatalog.default()))
    assert f"匹配 {expected} 人" in counted and "占全部 3000 名客户" in counted
    assert "表达式无效" in toolbox.count_audience('{"tag": "shoe_size", "op": "eq", "value": 1}')
    assert "not valid JSON" in toolbox.count_audience("{and: [")


def test_a_zero_or_near_total_submission_is_sent_back_once(store: TagStore) -> None:
    toolbox = AudienceToolbox(TagCatalog.default(), store)
    first = toolbox.review(dict([_submit(NOBODY)])["submit_audience"])
    assert isinstance(first, str) and "人数为 0" in first
    again = toolbox.review(dict([_submit(NOBODY)])["submit_audience"])
    assert isinstance(again, Submission) and again.count == 0  # resubmitted unchanged: deliberate
    everyone = toolbox.review(dict([_submit({"tag": "age", "op": "gte", "value": 0})])["submit_audience"])
    assert isinstance(everyone, str) and "80%" in everyone


# ---- the tool-calling loop against the fake server --------------------------------------------------------


def test_tool_loop_searches_counts_retries_an_invalid_submission_and_submits(
    llm: Any, store: TagStore
) -> None:
    llm.script("chat", tool_calls=[("search_tags", {"query": "授信 借款"})])
    llm.script("chat", tool_calls=[("count_audience", {"expression_json": json.dumps(GRANTED_UNDRAWN)})])
    llm.script(
        "chat", tool_calls=[_submit({"and": [{"tag": "credit_granted_x", "op": "eq", "value": True}]})]
    )
    llm.script(
        "chat",
        tool_calls=[_submit(GRANTED_UNDRAWN, assumptions=["授信未借款按预设"], explanation="已授信未用信")],
    )

    drafted = _draft("授信未借款的客户，联系人13800138000", store=store, run_id="run-tools")

    assert drafted.mode == "llm" and drafted.expression == GRANTED_UNDRAWN
    assert drafted.understood == ["授信未借款按预设"] and drafted.model_explanation == "已授信未用信"
    bodies = [json.dumps(r.body, ensure_ascii=False) for r in llm.requests_for("chat")]
    assert len(bodies) == 4 and all("13800138000" not in body for body in bodies)
    assert "credit_granted（已授信" in bodies[1]  # the search result went back as a tool message
    assert "表达式无效" in bodies[3] and "credit_granted_x" in bodies[3]  # the rejection, then the retry
    with session_scope() as session:
        assert usage_summary(session, "run-tools")["by_role"]["audience"]["calls"] == 4


def test_a_model_answering_in_words_is_asked_once_for_a_structured_answer(llm: Any, store: TagStore) -> None:
    llm.script("chat", text="我认为应该圈选授信未借款客户。")
    llm.script("AudienceAnswer", json={"expression_json": json.dumps(GRANTED_UNDRAWN), "assumptions": []})
    drafted = _draft("授信未借款的客户", store=store)
    assert drafted.mode == "llm" and drafted.expression == GRANTED_UNDRAWN


def test_endpoint_failure_degrades_to_the_offline_parser_with_a_note(llm: Any, store: TagStore) -> None:
    llm.fail("chat", status=500, times=None)
    drafted = _draft("45岁以上的沉睡客户", store=store)
    assert drafted.mode == "offline_fallback" and "降级" in drafted.notes[0]
    assert {"tag": "age", "op": "gte", "value": 45} in drafted.expression["and"]


def test_an_exhausted_round_budget_degrades_too(llm: Any, store: TagStore) -> None:
    llm.script("chat", tool_calls=[("describe_tag", {"code": "age"})], times=None)
    drafted = _draft("有房贷的客户", store=store)
    assert drafted.mode == "offline_fallback" and f"{MAX_TOOL_ROUNDS} model turns" in drafted.notes[0]
    assert len(llm.requests_for("chat")) == MAX_TOOL_ROUNDS
    assert drafted.expression == {"tag": "mortgage", "op": "eq", "value": True}


# ---- snapshots and masked exports -------------------------------------------------------------------------


def test_freeze_writes_every_selected_id_and_export_masks_them(store: TagStore, tmp_path: Path) -> None:
    expression = validate_expression(GRANTED_UNDRAWN, TagCatalog.default())
    result = store.select(
        expression, product_type="consumer_loan", channels=["sms", "call_script"], sample_size=10
    )
    info = freeze(store, expression, product_type="consumer_loan", channels=["sms", "call_script"],
                  out_dir=tmp_path / "snap", name="camp-1")  # fmt: skip
    ids = [row[0] for row in _rows(f"SELECT customer_id FROM read_parquet('{info.path}')")]
    assert info.size == result.size == len(ids) > 10 and ids[:10] == result.sample_ids
    manifest = json.loads(info.manifest_path.read_text(encoding="utf-8"))
    assert manifest["sha256"] == info.sha256 and "student" in manifest["exclusions"]
    with pytest.raises(SnapshotError, match="already exists"):
        freeze(store, expression, product_type=None, channels=[], out_dir=tmp_path / "snap", name="camp-1")

    key = load_or_create_key(tmp_path / "export.key")
    assert load_or_create_key(tmp_path / "export.key") == key
    csv_export = export(info, "csv", tmp_path / "out.csv", key=key)
    lines = csv_export.path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "masked_id" and len(lines) == info.size + 1
    assert sorted(lines[1:]) == sorted(masked_id(i, key) for i in ids)
    assert not set(lines[1:]) & {str(i) for i in ids}
    parquet = export(info, "parquet", tmp_path / "out.parquet", key=key)
    assert _rows(f"SELECT count(*) FROM read_parquet('{parquet.path}')") == [(info.size,)]


def test_snapshot_refuses_bad_names_short_keys_and_tampered_files(store: TagStore, tmp_path: Path) -> None:
    expression = validate_expression(GRANTED_UNDRAWN, TagCatalog.default())
    with pytest.raises(SnapshotError, match="snapshot name"):
        freeze(store, expression, product_type=None, channels=[], out_dir=tmp_path, name="../escape")
    info = freeze(store, expression, product_type=None, channels=[], out_dir=tmp_path, name="s1")
    with pytest.raises(SnapshotError, match="at least 16 bytes"):
        export(info, "csv", tmp_path / "x.csv", key=b"short")
    info.path.write_bytes(info.path.read_bytes() + b"x")
    with pytest.raises(SnapshotError, match="SHA-256"):
        export(info, "csv", tmp_path / "x.csv", key=b"k" * 32)


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(":memory:") as connection:
        return connection.execute(sql).fetchall()
