"""Run suites, attach run metadata, store results with history under the data dir."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.db import migrate, session_scope
from core.settings import get_settings
from evals.core import CaseResult, EvalContext, EvalMode, SuiteResult, threshold_failures
from evals.datasets_io import load_dataset
from evals.registry import SUITE_NAMES, get_suite
from tools.campaign_api.usage import usage_summary


class RunMetadata(BaseModel):
    run_id: str
    started_at: str
    mode: EvalMode
    git_commit: str
    settings_digest: str
    models: dict[str, str]
    usage: dict[str, Any]
    seconds: float


class EvalRun(BaseModel):
    metadata: RunMetadata
    suites: list[SuiteResult]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.suites)

    @property
    def failures(self) -> list[str]:
        return [line for s in self.suites for line in s.failures]


def runs_dir() -> Path:
    return get_settings().data_dir / "evals" / "runs"


def run_suite(name: str, ctx: EvalContext, *, dataset: Path | None = None) -> SuiteResult:
    """Run one suite over its dataset and check its thresholds."""
    suite = get_suite(name)
    data = load_dataset(name, suite.case_model, dataset)
    started = time.perf_counter()
    suite.prepare(ctx)
    results: list[CaseResult] = [suite.run_case(case, ctx) for case in data.cases]
    metrics, confusion = suite.aggregate(results)
    return SuiteResult(
        suite=name, mode=ctx.mode, dataset_version=data.version, metrics=metrics, thresholds=data.thresholds,
        failures=threshold_failures(name, metrics, data.thresholds), cases=results, confusion=confusion,
        seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip


def run_evals(names: list[str] | None = None, *, mode: EvalMode = "offline", store: bool = True) -> EvalRun:
    """Run the named suites (all by default) in one mode; LLM mode needs a configured endpoint."""
    settings = get_settings()
    if mode == "llm" and settings.offline:
        raise ValueError("--mode llm needs MBRAIN_LLM_BASE_URL (an OpenAI-compatible endpoint)")
    unknown = sorted(set(names or []) - set(SUITE_NAMES))
    if unknown:
        raise ValueError(f"unknown suite(s) {unknown}; expected some of {', '.join(SUITE_NAMES)}")
    migrate()
    run_id = "eval_" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "_" + uuid.uuid4().hex[:6]
    work_dir = settings.data_dir / "evals" / "work"
    work_dir.mkdir(parents=True, exist_ok=True)
    ctx = EvalContext(mode=mode, work_dir=work_dir, run_id=run_id)
    started, started_at = time.perf_counter(), datetime.now(UTC).isoformat()
    suites = [run_suite(name, ctx) for name in (names or list(SUITE_NAMES))]
    with session_scope() as session:
        usage = usage_summary(session, run_id)
    run = EvalRun(
        metadata=RunMetadata(
            run_id=run_id, started_at=started_at, mode=mode, git_commit=_git_commit(),
            settings_digest=_settings_digest(), models=_models(mode), usage=usage,
            seconds=round(time.perf_counter() - started, 3),
        ),
        suites=suites,
    )  # fmt: skip
    if store:
        save_run(run)
    return run


def save_run(run: EvalRun) -> Path:
    target = runs_dir() / f"{run.metadata.run_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(run.model_dump_json(indent=1), encoding="utf-8")
    return target


def load_history() -> list[EvalRun]:
    """Every stored run, oldest first."""
    if not runs_dir().exists():
        return []
    runs = [
        EvalRun.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(runs_dir().glob("*.json"))
    ]
    return sorted(runs, key=lambda r: r.metadata.started_at)


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


def _settings_digest() -> str:
    """A hash of the settings that change results (secrets excluded), to tell configurations apart."""
    settings = get_settings().model_dump(mode="json", exclude={"llm_api_key", "data_dir", "database_url"})
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def _models(mode: EvalMode) -> dict[str, str]:
    if mode == "offline":
        return {}
    settings = get_settings()
    return {
        role: settings.model_for(role)
        for role in ("planner", "audience", "content", "call_script", "compliance")
    }
