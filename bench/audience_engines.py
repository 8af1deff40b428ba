"""Audience count latency: our LiveCounter (bitmap index + DuckDB fallback) vs DuckDB, Polars and pandas.

    .venv/bin/python -m bench.audience_engines --customers 10000000 --json --out var/bench/audience_engines.json

One process, one store, one fixed query set written once as audience expressions; each engine runs the same
expression (Polars and pandas through the translation below, which mirrors the SQL compiler's NULL rules).
Every engine must return the same count for every query, or the run fails.
Polars holds category columns as their dictionary codes (what ``pl.Enum`` stores): building Enum columns from
strings without pyarrow costs minutes at 10M rows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from bench.audience_frames import load_pandas, load_polars
from tools.tag_store import TagCatalog, TagStore, build_demo_tag_store, compile_count, validate_expression
from tools.tag_store.bitmap import BitmapIndex
from tools.tag_store.bitmap_live import LiveCounter
from tools.tag_store.nodes import (
    AudienceExpression,
)

_TRUE, _FALSE = True, False
QUERIES: dict[str, dict[str, Any]] = {
    "q1_two_tag_and": {"and": [{"tag": "credit_granted", "op": "eq", "value": _TRUE}, {"tag": "credit_drawn", "op": "eq", "value": _FALSE}]},
    "q2_five_mixed": {"and": [
        {"tag": "has_mobile_banking", "op": "eq", "value": _TRUE}, {"tag": "value_tier", "op": "in", "value": ["V2", "V3"]},
        {"tag": "age", "op": "between", "value": [25, 34]}, {"tag": "city_tier", "op": "eq", "value": "一线"},
        {"tag": "salary_payroll", "op": "eq", "value": _TRUE}]},
    "q3_with_nots": {"and": [
        {"tag": "has_wealth", "op": "eq", "value": _TRUE}, {"not": {"tag": "has_fund", "op": "eq", "value": _TRUE}},
        {"not": {"tag": "lifecycle_stage", "op": "in", "value": ["沉睡", "流失"]}},
        {"not": {"tag": "last_login_days", "op": "gte", "value": 90}}]},
    "q4_or": {"or": [
        {"tag": "has_credit_card", "op": "eq", "value": _TRUE}, {"tag": "mortgage", "op": "eq", "value": _TRUE},
        {"and": [{"tag": "card_installment_user", "op": "eq", "value": _TRUE}, {"tag": "value_tier", "op": "gte", "value": "V3"}]},
        {"tag": "has_large_cd", "op": "eq", "value": _TRUE}]},
    "q5_in_band": {"and": [
        {"tag": "city", "op": "in", "value": ["北京", "上海", "广州", "深圳", "杭州", "成都"]},
        {"tag": "aum", "op": "gte", "value": 50000}, {"not": {"tag": "aum", "op": "gte", "value": 500000}},
        {"tag": "app_active_days_30", "op": "gte", "value": 5}]},
    "q6_bands_or": {"or": [
        {"and": [{"tag": "credit_limit", "op": "gte", "value": 100000}, {"tag": "loan_balance", "op": "gte", "value": 0.01}]},
        {"and": [{"tag": "deposit_balance", "op": "gte", "value": 200000}, {"tag": "age", "op": "gte", "value": 55}]}]},
    "f1_unaligned_range": {"and": [{"tag": "aum", "op": "between", "value": [123456, 654321]}, {"tag": "age", "op": "gte", "value": 23}]},
    "f2_not_contacted": {"and": [
        {"tag": "credit_granted", "op": "eq", "value": _TRUE}, {"tag": "credit_drawn", "op": "eq", "value": _FALSE},
        {"not_contacted": {"channel": "sms", "days": 7}}]},
    "f3_date_window": {"and": [{"tag": "last_txn_date", "op": "within_days", "value": 30}, {"tag": "has_wealth", "op": "eq", "value": _TRUE}]},
}  # fmt: skip


class BenchError(RuntimeError):
    """The engines disagree, or the store cannot be prepared."""


def rss_mb() -> dict[str, float]:
    """Resident and peak memory of this process (MB), from /proc/self/status."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return {key: int(fields[name].split()[0]) / 1024 for key, name in (("rss", "VmRSS"), ("peak", "VmHWM"))}


def prepare_store(
    path: Path, customers: int, catalog: TagCatalog, rebuild: bool
) -> tuple[date, float | None]:
    """Reuse a store of this size whose columns match the catalog, else build one; returns (as-of day, build s)."""
    if path.is_file() and not rebuild:
        with duckdb.connect(str(path), read_only=True) as connection:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            columns = {row[0] for row in connection.execute("DESCRIBE customers").fetchall()}
        if meta.get("customers") == str(customers) and set(catalog.codes) <= columns:
            return date.fromisoformat(meta["as_of"]), None
    started = time.perf_counter()
    stats = build_demo_tag_store(path, customers=customers, seed=7, catalog=catalog)
    return stats.as_of, time.perf_counter() - started


# ----- Polars and pandas: the expression translated once per engine, with the compiler's NULL rules -----


def measure(
    count: Callable[[AudienceExpression], int], expression: AudienceExpression, warmup: int, runs: int
) -> dict[str, Any]:
    """Median and p95 latency (ms) over ``runs`` calls after ``warmup`` calls; every call's answer must agree."""
    answers = {count(expression) for _ in range(warmup)}
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        answers.add(count(expression))
        samples.append((time.perf_counter() - started) * 1000)
    if len(answers) != 1:
        raise BenchError(f"an engine gave different answers on repeated runs: {sorted(answers)}")
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"count": answers.pop(), "median_ms": statistics.median(samples), "p95_ms": p95}


@dataclass
class Setup:
    """The engines under test, with what loading them cost."""

    engines: dict[str, Callable[[AudienceExpression], int]]
    live: LiveCounter
    build_s: dict[str, float | None]
    memory_mb: dict[str, dict[str, float]]
    bitmap_bytes: int


def load_engines(
    path: Path, catalog: TagCatalog, as_of: date, connection: duckdb.DuckDBPyConnection
) -> Setup:
    """Build the bitmap index and the Polars/pandas frames, noting the time and memory each one took."""
    memory, build_s = {"start": rss_mb()}, {}
    index = BitmapIndex.build(path, catalog)
    build_s["bitmap_index"], memory["after_bitmap"] = index.build_seconds, rss_mb()
    frames = {}
    for name, loader in (("polars", load_polars), ("pandas", load_pandas)):
        started = time.perf_counter()
        frames[name] = loader(path, catalog)
        build_s[f"{name}_load"], memory[f"after_{name}"] = time.perf_counter() - started, rss_mb()
    store = TagStore(path, catalog, today=as_of)
    live = LiveCounter(store, index)

    def duckdb_open(expression: AudienceExpression) -> int:
        query = compile_count(expression, catalog, today=as_of)
        return int(connection.execute(query.sql, query.params).fetchall()[0][0])

    def frame_count(engine: str) -> Callable[[AudienceExpression], int]:
        return lambda e: frames[engine].count(frames[engine].mask(e.root, catalog, as_of))

    engines = {
        "live": lambda e: live.count(e).size,
        "duckdb": store.count,
        "duckdb_open_conn": duckdb_open,
        "polars": frame_count("polars"),
        "pandas": frame_count("pandas"),
    }
    return Setup(engines, live, dict(build_s), memory, index.memory_bytes())


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare the store and engines, time every query on every engine, and check they all agree."""
    catalog = TagCatalog.default()
    path = args.store or Path(f"var/bench/audience_{args.customers}.duckdb")
    as_of, store_build_s = prepare_store(path, args.customers, catalog, args.rebuild)
    expressions = {name: validate_expression(raw, catalog) for name, raw in QUERIES.items()}
    with duckdb.connect(str(path), read_only=True) as connection:
        setup = load_engines(path, catalog, as_of, connection)
        results: dict[str, dict[str, Any]] = {}
        for name, expression in expressions.items():
            row = {
                engine: measure(fn, expression, args.warmup, args.runs)
                for engine, fn in setup.engines.items()
            }
            counts = {engine: timing["count"] for engine, timing in row.items()}
            if len(set(counts.values())) != 1:
                raise BenchError(f"{name}: engines disagree: {counts}")
            engine = setup.live.count(expression).engine
            results[name] = {"engine": engine, "size": counts["duckdb"], "timings": row}
    return {
        "customers": args.customers,
        "store": str(path),
        "as_of": as_of.isoformat(),
        "runs": args.runs,
        "warmup": args.warmup,
        "build_s": {"store": store_build_s, **setup.build_s},
        "bitmap_bytes": setup.bitmap_bytes,
        "memory_mb": setup.memory_mb,
        "queries": results,
    }


def markdown(report: dict[str, Any]) -> str:
    """The latency table (median / p95 ms) with the live engine's speed-up over DuckDB, then build and memory."""
    engines = ["live", "duckdb", "duckdb_open_conn", "polars", "pandas"]
    lines = [
        f"### Audience counts at {report['customers']:,} customers (median / p95 ms, {report['runs']} runs)",
        "",
        "| query | answered by | size | " + " | ".join(engines) + " | live vs duckdb | live vs open conn |",
        "|---|---|---:|" + "---:|" * (len(engines) + 2),
    ]
    for name, result in report["queries"].items():
        timings = result["timings"]
        cells = [f"{timings[e]['median_ms']:.2f} / {timings[e]['p95_ms']:.2f}" for e in engines]
        ratios = [
            timings[base]["median_ms"] / timings["live"]["median_ms"]
            for base in ("duckdb", "duckdb_open_conn")
        ]
        lines.append(
            f"| {name} | {result['engine']} | {result['size']:,} | "
            + " | ".join(cells)
            + f" | {ratios[0]:.1f}x | {ratios[1]:.1f}x |"
        )
    build = ", ".join(f"{key} {value:.2f} s" for key, value in report["build_s"].items() if value is not None)
    memory = ", ".join(f"{key} {value['rss']:.0f} MB" for key, value in report["memory_mb"].items())
    lines += [
        "",
        f"Build/load: {build}. Bitmaps: {report['bitmap_bytes'] / 2**20:.0f} MB.",
        f"RSS: {memory}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument(
        "--store", type=Path, default=None, help="store file (default var/bench/audience_N.duckdb)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the store even if one of this size exists"
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print JSON on stdout (the table goes to stderr)")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON report here")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.runs < 1 or args.warmup < 0:
        parser.error("--customers and --runs must be positive, --warmup non-negative")
    try:
        report = run(args)
    except BenchError as exc:
        sys.stderr.write(f"FAILED: {exc}\n")
        return 1
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    (sys.stderr if args.json else sys.stdout).write(markdown(report))
    if args.json:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
