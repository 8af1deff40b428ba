"""The evaluation harness's contracts: dataset files, case results, suite results, and what a suite implements.

A suite is code (an evaluator) plus data (a YAML dataset beside its thresholds). Each dataset file starts with a
JSON-schema header comment (`# yaml-language-server: $schema=../schemas/<kind>.schema.json`) so editors validate
cases as they are written; the schemas are generated from the case models and a test keeps them current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

EvalMode = Literal["offline", "llm"]
CaseT = TypeVar("CaseT", bound=BaseModel)


class DatasetFile(BaseModel, Generic[CaseT]):
    """One dataset: the suite it feeds, the pass thresholds that guard quality, and the labelled cases."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="The suite name, e.g. compliance.")
    version: int = Field(ge=1)
    description: str
    thresholds: dict[str, float] = Field(
        description="metric name → minimum acceptable value (maximum for metrics named *_rate_max)."
    )
    cases: list[CaseT] = Field(min_length=1)


class CaseResult(BaseModel):
    """The outcome of one case: passed or not, per-case scores and what was expected vs. produced."""

    case_id: str
    passed: bool
    scores: dict[str, float] = Field(default_factory=dict)
    expected: Any = None
    actual: Any = None
    detail: str = ""
    tags: list[str] = Field(default_factory=list)


class Confusion(BaseModel):
    """Per-label counts for charts: true positives, false positives and false negatives."""

    labels: list[str]
    tp: dict[str, int]
    fp: dict[str, int]
    fn: dict[str, int]


class SuiteResult(BaseModel):
    suite: str
    mode: EvalMode
    dataset_version: int
    metrics: dict[str, float]
    thresholds: dict[str, float]
    failures: list[str] = Field(description="One line per metric that missed its threshold.")
    cases: list[CaseResult]
    confusion: Confusion | None = None
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class EvalContext:
    """What a suite may use while it runs: the mode and a scratch folder for fixtures (e.g. a tag store)."""

    mode: EvalMode
    work_dir: Path
    run_id: str
    cache: dict[str, Any] = field(default_factory=dict)


class Suite(Protocol[CaseT]):
    """An evaluator. ``run_case`` must be deterministic in offline mode; ``aggregate`` turns cases into metrics."""

    name: str
    case_model: type[CaseT]

    def prepare(self, ctx: EvalContext) -> None:
        """Build fixtures once per run (may be a no-op)."""

    def run_case(self, case: CaseT, ctx: EvalContext) -> CaseResult: ...

    def aggregate(self, results: list[CaseResult]) -> tuple[dict[str, float], Confusion | None]: ...


def threshold_failures(suite: str, metrics: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """Name every metric that missed its threshold; a metric the suite did not produce is a failure too."""
    failures = []
    for name, limit in sorted(thresholds.items()):
        value = metrics.get(name)
        if value is None:
            failures.append(f"{suite}.{name}: metric missing (threshold {limit})")
        elif name.endswith("_rate_max"):
            if value > limit:
                failures.append(f"{suite}.{name} = {value:.3f} > allowed maximum {limit}")
        elif value < limit:
            failures.append(f"{suite}.{name} = {value:.3f} < threshold {limit}")
    return failures


def ratio(numerator: float, denominator: float) -> float:
    """A safe ratio: 1.0 when there is nothing to measure (no cases of that kind cannot be failed)."""
    return 1.0 if denominator == 0 else numerator / denominator
