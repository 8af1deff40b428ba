"""Score a held-out compliance set with the offline engine, without touching the suite or its thresholds.

    .venv/bin/python -m evals.heldout evals/heldout/compliance_3.yaml [--json]

Held-out sets (``evals/heldout/``) are written from the rule catalog alone by someone who has not seen the
checker's code, and they are only ever *scored*: fixing the engine against one turns it into training data, and
then it must be merged into ``evals/datasets/compliance.yaml`` and replaced by a fresh set. The metrics and the
per-case misses are those of the compliance suite, so the numbers compare directly.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import yaml
from pydantic import BaseModel

from evals.core import EvalContext
from evals.suites.compliance import ComplianceCase, ComplianceSuite


class Miss(BaseModel):
    id: str
    expected_categories: list[str]
    got_verdict: str
    got_findings: list[str]


class HeldoutReport(BaseModel):
    file: str
    cases: int
    metrics: dict[str, float]
    misses: list[Miss]


def score(path: Path) -> HeldoutReport:
    """Metrics and misses of one held-out file (a malformed case fails validation, naming its field)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("cases"), list):
        raise ValueError(f"{path}: expected a mapping with a 'cases' list")
    cases = [ComplianceCase.model_validate(case) for case in raw["cases"]]
    suite = ComplianceSuite()
    with tempfile.TemporaryDirectory(prefix="heldout-") as work:
        ctx = EvalContext(mode="offline", work_dir=Path(work), run_id="heldout")
        results = [suite.run_case(case, ctx) for case in cases]
    metrics, _ = suite.aggregate(results)
    misses = [
        Miss(
            id=r.case_id,
            expected_categories=r.expected["categories"],
            got_verdict=r.actual["verdict"],
            got_findings=r.actual["findings"],
        )  # fmt: skip
        for r in results
        if not r.passed
    ]
    return HeldoutReport(file=str(path), cases=len(cases), metrics=metrics, misses=misses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a held-out compliance set (offline engine).")
    parser.add_argument("path", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = score(args.path)
    if args.json:
        sys.stdout.write(json.dumps(report.model_dump(), ensure_ascii=False, indent=2) + "\n")
        return 0
    lines = [f"{report.file}: {report.cases} cases"]
    lines += [f"  {name}: {value:.3f}" for name, value in report.metrics.items()]
    lines += [
        f"  miss {m.id}: expected {m.expected_categories}, got {m.got_verdict} {m.got_findings}"
        for m in report.misses
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
