"""Render the eval history as Markdown and as one self-contained HTML page with charts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from evals.charts import confusion_bars, metric_bars, trend_lines
from evals.runner import EvalRun

TEMPLATES = Path(__file__).resolve().parent / "templates"
TREND_RUNS = 20
FAILED_CASES_SHOWN = 15


class ReportError(ValueError):
    """There is nothing to report (no stored runs)."""


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Autoescape on: case texts are user-written Chinese marketing copy and go into HTML.
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True,
    )  # fmt: skip


def write_report(history: list[EvalRun], out_dir: Path) -> tuple[Path, Path]:
    """Write report.md and report.html for the newest run, with trends over the history."""
    if not history:
        raise ReportError("no eval runs stored yet: run `mbrain eval run` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown, html = out_dir / "report.md", out_dir / "report.html"
    markdown.write_text(render_markdown(history), encoding="utf-8")
    html.write_text(render_html(history), encoding="utf-8")
    return markdown, html


def render_markdown(history: list[EvalRun]) -> str:
    latest = history[-1]
    meta = latest.metadata
    lines = [
        f"# Marketing Brain eval report — {meta.run_id}",
        "",
        f"- mode: **{meta.mode}**, commit `{meta.git_commit}`, settings `{meta.settings_digest}`, {meta.seconds:.1f} s",
        f"- models: {', '.join(f'{k}={v}' for k, v in meta.models.items()) or 'none (offline)'}",
        f"- LLM calls: {meta.usage.get('calls', 0)}, tokens {meta.usage.get('prompt_tokens', 0)} in / "
        f"{meta.usage.get('completion_tokens', 0)} out, cost ${meta.usage.get('cost_usd', 0):.4f}",
        f"- overall: **{'PASS' if latest.ok else 'FAIL'}**",
        "",
        "| suite | cases | passed | metric | value | threshold | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for suite in latest.suites:
        passed = sum(c.passed for c in suite.cases)
        for i, (name, value) in enumerate(sorted(suite.metrics.items())):
            limit = suite.thresholds.get(name)
            status = (
                "" if limit is None else ("❌" if any(f".{name} " in f for f in suite.failures) else "✅")
            )
            head = f"{suite.suite} | {len(suite.cases)} | {passed}" if i == 0 else " | | "
            lines.append(f"| {head} | {name} | {value:.3f} | {'' if limit is None else limit} | {status} |")
    for suite in latest.suites:
        failed = [c for c in suite.cases if not c.passed]
        if not failed:
            continue
        lines += ["", f"## {suite.suite}: {len(failed)} failing case(s)", ""]
        lines += [
            f"- `{c.case_id}`: {c.detail or 'expected ' + str(c.expected)}"
            for c in failed[:FAILED_CASES_SHOWN]
        ]
    if len(history) > 1:
        lines += ["", "## Trend (oldest → newest)", ""]
        for suite_name, series in _series(history).items():
            for metric, values in sorted(series.items()):
                lines.append(f"- {suite_name}.{metric}: " + " → ".join(f"{v:.3f}" for v in values))
    return "\n".join(lines) + "\n"


def render_html(history: list[EvalRun]) -> str:
    latest = history[-1]
    recent = history[-TREND_RUNS:]
    labels = [run.metadata.started_at[5:16].replace("T", " ") for run in recent]
    series = _series(recent)
    suites = []
    for suite in latest.suites:
        suites.append({
            "result": suite,
            "passed": sum(c.passed for c in suite.cases),
            "bars": Markup(metric_bars(suite.metrics, suite.thresholds)),
            "trend": Markup(trend_lines(series.get(suite.suite, {}), labels)) if len(recent) > 1 else None,
            "confusion": Markup(confusion_bars(suite.confusion)) if suite.confusion else None,
            "failed": [c for c in suite.cases if not c.passed][:FAILED_CASES_SHOWN],
        })  # fmt: skip
    return _environment().get_template("report.html.j2").render(run=latest, suites=suites, runs=len(history))


def _series(history: list[EvalRun]) -> dict[str, dict[str, list[float]]]:
    """suite → metric → values across runs; a metric missing from a run carries no point there."""
    series: dict[str, dict[str, list[float]]] = {}
    for run in history:
        for suite in run.suites:
            for metric, value in suite.metrics.items():
                series.setdefault(suite.suite, {}).setdefault(metric, []).append(value)
    return series
