"""RESULTS.md for the voice-bot load test: per worker count, the pull against the bare endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.voicebot.wrk import WrkResult

# The bar at 50 connections on the 2-core machine.
MIN_RATIO = 0.5
MAX_P99_MS = 50.0
EXPECTED_REFUSALS = frozenset({403, 409})  # the gate's answers for leads that may not be called now


@dataclass
class Run:
    target: str  # "pull" or "bare"
    workers: int
    command: str
    result: WrkResult

    @property
    def refusals(self) -> int:
        return sum(n for status, n in self.result.statuses.items() if status in EXPECTED_REFUSALS)

    @property
    def errors(self) -> int:
        """Socket errors plus any answer other than 200 or an expected refusal (the bare app only sends 200)."""
        allowed = {200} | (EXPECTED_REFUSALS if self.target == "pull" else set())
        wrong = sum(n for status, n in self.result.statuses.items() if status not in allowed)
        return wrong + self.result.socket_errors


def _row(run: Run, bare: Run | None) -> str:
    r = run.result
    ratio = f"{r.requests_per_s / bare.result.requests_per_s:.2f}" if bare else "1.00"
    statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(r.statuses.items()))
    return (
        f"| {run.workers} | {run.target} | {r.requests_per_s:,.0f} | {ratio} | {r.latency_ms['p50']:.2f} | "
        f"{r.latency_ms['p99']:.2f} | {statuses} | {run.refusals:,} | {run.errors} |"
    )


def _verdicts(runs: list[Run]) -> list[str]:
    lines = []
    for pull in (run for run in runs if run.target == "pull"):
        bare = next(r for r in runs if r.target == "bare" and r.workers == pull.workers)
        ratio = pull.result.requests_per_s / bare.result.requests_per_s
        checks = {
            f"throughput ≥ {MIN_RATIO}× bare ({ratio:.2f})": ratio >= MIN_RATIO,
            f"p99 ≤ {MAX_P99_MS:.0f} ms ({pull.result.latency_ms['p99']:.2f} ms)": (
                pull.result.latency_ms["p99"] <= MAX_P99_MS
            ),
            f"0 errors ({pull.errors})": pull.errors == 0,
        }
        verdict = "PASS" if all(checks.values()) else "FAIL"
        detail = "; ".join(f"{'ok' if ok else 'MISSED'}: {name}" for name, ok in checks.items())
        lines.append(f"- {pull.workers} worker(s): **{verdict}** — {detail}")
    return lines


def markdown(runs: list[Run], *, scenario: dict[str, Any], argv: list[str]) -> str:
    """The results page: set-up, table, verdicts against the issue's bar, exact commands (``argv``: the bench's)."""
    bare_by_workers = {run.workers: run for run in runs if run.target == "bare"}
    table = [_row(run, bare_by_workers.get(run.workers) if run.target == "pull" else None) for run in runs]
    expected = ", ".join(f"{status}: {n}" for status, n in scenario["expected_statuses"].items())
    lines = [
        "# Voice-bot pull under load",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {scenario['cpus']} CPUs, wrk and the servers on the same"
        " machine (loopback). Reproduce: `.venv/bin/python -m bench.voicebot_load "
        + " ".join(argv)
        + "` (needs `wrk`: `apt-get install -y wrk`).",
        "",
        f"- Data: {scenario['customers']:,} demo customers; one published call campaign; {scenario['leads']:,}"
        f" distinct leads cycled by wrk's Lua script; their expected answers: {expected}.",
        f"- Bare endpoint: FastAPI async route, same path shape, constant {scenario['body_bytes']:,}-byte JSON"
        " body (the median pull response).",
        f"- Load: {scenario['connections']} connections, {scenario['threads']} wrk threads, {scenario['seconds']} s"
        " measured after a short warm-up run; uvicorn with uvloop/httptools, access log off, for both apps.",
        "- Refusals (403/409) are the gate's correct answers for leads that may not be called; errors are socket"
        " errors and any other status.",
        "",
        "| workers | target | req/s | ratio to bare | p50 ms | p99 ms | statuses | refusals | errors |",
        "|---|---|---|---|---|---|---|---|---|",
        *table,
        "",
        f"## Against the bar (≥ {MIN_RATIO}× bare, p99 ≤ {MAX_P99_MS:.0f} ms, 0 errors)",
        "",
        *_verdicts(runs),
        "",
        "## wrk commands",
        "",
        *[f"- {run.target}, {run.workers} worker(s): `{run.command}`" for run in runs],
        "",
    ]
    return "\n".join(lines)
