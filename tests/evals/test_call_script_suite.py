"""The call_script suite: offline thresholds hold, a disabled validator check fails it by name, the dataset
covers every mutation, and the suite's own invariants catch the faults they are about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import tools.call_script.validate as validate_module
from agents.call_script import write_call_script
from agents.plan import plan_offline
from core.settings import get_settings
from evals.checks.script_invariants import invariant_violations
from evals.checks.script_mutations import MUTATIONS, MutationError, mutate
from evals.core import EvalContext, SuiteResult
from evals.datasets_io import SCHEMAS_DIR, DatasetError, dataset_path, schema_for
from evals.runner import run_suite
from evals.suites.call_script import SUITE, CallScriptCase, case_brief
from tools.call_script.hashing import hash_matches
from tools.call_script.model import CallScript
from tools.products import default_catalog


@pytest.fixture(autouse=True)
def offline_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MBRAIN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MBRAIN_LLM_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(tmp_path: Path, dataset: Path | None = None) -> SuiteResult:
    ctx = EvalContext(mode="offline", work_dir=tmp_path, run_id="eval_test")
    return run_suite("call_script", ctx, dataset=dataset)


def built(product_id: str = "CL-001") -> CallScript:
    case = CallScriptCase(id="t", kind="generated", product_id=product_id)
    plan = plan_offline(case_brief(case), default_catalog())
    draft = write_call_script(plan, campaign_id="eval-t", run_id="eval_test")
    return CallScript.model_validate(draft.content["script"])


def test_offline_run_meets_thresholds_with_a_confusion_by_rule(tmp_path):
    result = run(tmp_path)
    assert result.ok, result.failures
    kinds = [case.expected["kind"] for case in result.cases]
    assert kinds.count("broken") >= 12 and kinds.count("generated") >= 12
    assert {case.expected["kind"] for case in result.cases if not case.passed} == set()
    assert result.confusion is not None and {"CALL-03", "CALL-04", "CALL-S06"} <= set(result.confusion.labels)
    assert sum(result.confusion.fn.values()) == 0 and result.confusion.tp["CALL-03"] >= 5


def test_disabled_refusal_check_fails_broken_detection(tmp_path, monkeypatch):
    monkeypatch.setattr(validate_module, "check_refusal", lambda script, graph: [])
    result = run(tmp_path)
    assert any(line.startswith("call_script.broken_detection_rate = ") for line in result.failures), (
        result.failures
    )
    missed = [case for case in result.cases if not case.passed]
    assert missed and all("missed CALL-03" in case.detail for case in missed)
    assert result.confusion is not None and result.confusion.fn["CALL-03"] == len(missed)


def test_disabled_disclosure_order_check_fails_broken_detection(tmp_path, monkeypatch):
    monkeypatch.setattr(validate_module, "check_disclosure_order", lambda graph: [])
    failures = run(tmp_path).failures
    assert any(line.startswith("call_script.broken_detection_rate = ") for line in failures), failures


def test_builder_losing_the_ai_disclosure_fails_generated_validity(tmp_path, monkeypatch):
    import agents.call_script as agent

    original = agent.build_first_contact_script

    def without_ai(**kwargs):
        return mutate(original(**kwargs), "ai_disclosure_without_ai_words")

    monkeypatch.setattr(agent, "build_first_contact_script", without_ai)
    result = run(tmp_path)
    assert any(line.startswith("call_script.generated_valid_rate = 0.000") for line in result.failures)
    generated = [case for case in result.cases if case.expected["kind"] == "generated"]
    assert all("reachable before the AI disclosure" in case.detail for case in generated)


def test_a_wrong_label_fails_the_case(tmp_path):
    dataset = tmp_path / "call_script.yaml"
    dataset.write_text(
        yaml.safe_dump({
            "kind": "call_script", "version": 1, "description": "wrong label", "thresholds": {"pass_rate": 1.0},
            "cases": [{"id": "b", "kind": "broken", "product_id": "CL-001", "mutation": "window_outside_hours",
                       "expected_rules": ["CALL-03"]}],
        }, allow_unicode=True),
        encoding="utf-8",
    )  # fmt: skip
    result = run(tmp_path, dataset)
    assert result.failures == ["call_script.pass_rate = 0.000 < threshold 1.0"]
    assert "missed CALL-03" in result.cases[0].detail and "CALL-01" in result.cases[0].detail


def test_dataset_covers_every_mutation_and_has_current_schema():
    text = dataset_path("call_script").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/call_script.schema.json"
    used = {case.get("mutation") for case in yaml.safe_load(text)["cases"]} - {None}
    assert used == set(MUTATIONS)
    stored = json.loads((SCHEMAS_DIR / "call_script.schema.json").read_text(encoding="utf-8"))
    assert stored == schema_for(SUITE.case_model)


def test_case_model_rejects_inconsistent_cases(tmp_path):
    with pytest.raises(ValueError, match="needs a mutation"):
        CallScriptCase(id="x", kind="broken", product_id="CL-001")
    with pytest.raises(ValueError, match="takes no mutation"):
        CallScriptCase(id="x", kind="generated", product_id="CL-001", mutation="stale_hash")
    with pytest.raises(ValueError, match="unknown product id"):
        CallScriptCase(id="x", kind="generated", product_id="XX-1")
    dataset = tmp_path / "bad.yaml"
    dataset.write_text("kind: call_script\nversion: 1\ndescription: d\nthresholds: {}\ncases:\n"
                       "  - {id: a, kind: broken, product_id: CL-001, mutation: no_such_fault, expected_rules: [X]}\n",
                       encoding="utf-8")  # fmt: skip
    with pytest.raises(DatasetError, match="mutation"):
        run(tmp_path, dataset)


# ── mutations and invariants ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("product_id", [p.id for p in default_catalog()])
def test_built_scripts_keep_the_invariants(product_id):
    assert invariant_violations(built(product_id), "示例银行") == []


@pytest.mark.parametrize(
    ("mutation", "violation"),
    [
        ("ai_disclosure_after_pitch", "pitch node 'value_proposition' reachable before the AI disclosure"),
        ("opening_without_bank", "first turn does not name the bank"),
        ("refusal_routes_to_pitch", "permission_check: refuse → value_proposition"),
        ("refusal_node_not_locked", "interest_check: refuse → refusal_dnc"),
        ("no_refuse_intent", "no refusal intent declared"),
    ],
)
def test_invariants_catch_their_faults(mutation, violation):
    problems = invariant_violations(mutate(built(), mutation), "示例银行")
    assert any(violation in problem for problem in problems), problems


def test_mutations_rehash_except_the_hash_fault():
    script = built()
    assert hash_matches(mutate(script, "dnc_check_off"))
    assert not hash_matches(mutate(script, "stale_hash"))


def test_mutation_errors_are_typed():
    script = built()
    with pytest.raises(MutationError, match="unknown mutation"):
        mutate(script, "no_such_fault")
    without_refusal = mutate(script, "no_refuse_intent")
    with pytest.raises(MutationError, match="no global refusal handler"):
        mutate(without_refusal, "refusal_routes_to_pitch")
    with pytest.raises(MutationError, match="does not say the caller is an AI"):
        mutate(mutate(script, "ai_disclosure_without_ai_words"), "ai_disclosure_without_ai_words")
