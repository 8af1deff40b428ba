"""`mbrain eval`: run the evaluation suites and render the quality report."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.options import JsonOpt
from cli.output import clean_errors, emit, fail

eval_app = typer.Typer(help="Evaluation suites and the quality report.", no_args_is_help=True)


@eval_app.command("run")
def eval_run(
    suite: Annotated[
        list[str] | None, typer.Option("--suite", help="Suite to run (repeatable); default all.")
    ] = None,
    mode: Annotated[str, typer.Option(help="offline | llm (llm needs MBRAIN_LLM_BASE_URL).")] = "offline",
    as_json: JsonOpt = False,
) -> None:
    """Run eval suites; results are stored under the data dir. Exits 1 when a metric misses its threshold."""
    from evals.runner import run_evals

    if mode not in ("offline", "llm"):
        fail(f"unknown mode {mode!r}; expected offline or llm")
    with clean_errors():
        run = run_evals(suite or None, mode=mode)  # type: ignore[arg-type]
    emit(run, as_json=as_json, human=_eval_text)
    if not run.ok:
        raise typer.Exit(1)


def _eval_text(run: dict[str, Any]) -> str:
    lines = [
        f"{run['metadata']['run_id']} ({run['metadata']['mode']}, commit {run['metadata']['git_commit']})"
    ]
    for suite in run["suites"]:
        passed = sum(c["passed"] for c in suite["cases"])
        metrics = ", ".join(f"{k}={v:.3f}" for k, v in sorted(suite["metrics"].items()))
        lines.append(f"  {suite['suite']:<13} {passed}/{len(suite['cases'])} cases  {metrics}")
        lines += [f"    FAIL {line}" for line in suite["failures"]]
    return "\n".join(lines)


@eval_app.command("report")
def eval_report(
    out: Annotated[str | None, typer.Option(help="Output folder (default: <data dir>/evals/report).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write report.md and a self-contained report.html (charts: metrics, trends, confusion per category)."""
    from pathlib import Path

    from core.settings import get_settings
    from evals.report import write_report
    from evals.runner import load_history

    target = Path(out) if out else get_settings().data_dir / "evals" / "report"
    with clean_errors():
        markdown, html = write_report(load_history(), target)
    emit({"markdown": str(markdown), "html": str(html)}, as_json=as_json,
         human=lambda r: f"wrote {r['markdown']}\nwrote {r['html']}")  # fmt: skip
