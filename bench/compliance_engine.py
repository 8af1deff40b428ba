"""Deterministic compliance layer vs a raw Aho–Corasick scan of the same lexicon, same corpus, one run.

    .venv/bin/python -m bench.compliance_engine              # Markdown table on stdout, JSON to var/bench/
    .venv/bin/python -m bench.compliance_engine --rounds 9   # more rounds, steadier medians

Corpus: every text of ``evals/datasets/compliance.yaml``, concatenated per channel into 2,000-character
drafts (the size the issue's latency target names), plus the same drafts at their natural length. Baseline:
one pyahocorasick automaton over every lexicon term of the shipped rule set (normalised forms), iterated
over each draft, consuming every match — the cost of "just scanning for banned words". Engine: the full
``tools.compliance.check`` (normalisation with offset map, gate, every applicable rule, findings), and the
same engine with the gate opened (every applicable detector runs) to show what the gate buys.

Two corpora: the whole suite (dense in violations: almost every rule's anchors occur) and its compliant texts
only (closer to copy that is ready to publish). Each round times baseline, engine and ungated engine over a
corpus back to back, so machine load hits all three alike; the table reports medians over rounds and the
per-draft latency p50/p95 of the engine.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, cast

import ahocorasick
import yaml
from pydantic import BaseModel, ConfigDict, Field

from bench.rounds_cli import run_rounds_bench
from core.domain import Channel, ProductType
from evals.datasets_io import load_dataset
from evals.suites.compliance import DATASET_BANK, EVAL_DATE, ComplianceCase
from tools.compliance import check, load_rules
from tools.compliance.detectors.composite import CompositeDetector
from tools.compliance.detectors.lexicon import LexiconDetector
from tools.compliance.gate import Gate
from tools.compliance.normalize import normalize
from tools.compliance.rules import RuleSet

DEFAULT_OUT = Path("var/bench/compliance_engine.json")
PRODUCTION_CORPUS = Path(__file__).parent / "compliance" / "corpus.yaml"
DRAFT_CHARS = 2000
Draft = tuple[str, str]  # (channel, text)


def build_drafts(cases: list[ComplianceCase], *, compliant_only: bool = False) -> list[Draft]:
    """Join the suite's texts per channel into drafts of exactly DRAFT_CHARS characters (last one shorter).

    ``compliant_only`` keeps the texts labelled pass: copy that is ready to publish, the usual case in production,
    where few rules' anchors occur (the full suite is far denser in violations than real drafts).
    """
    by_channel: dict[str, list[str]] = {}
    for case in cases:
        if compliant_only and case.expected_verdict != "pass":
            continue
        if case.channel != "audience":
            by_channel.setdefault(case.channel, []).append(case.text)
    drafts: list[Draft] = []
    for channel, texts in sorted(by_channel.items()):
        joined = "\n".join(texts)
        drafts.extend((channel, joined[i : i + DRAFT_CHARS]) for i in range(0, len(joined), DRAFT_CHARS))
    return [(channel, text) for channel, text in drafts if text.strip()]


class CorpusDraft(BaseModel):
    """One long draft of the production-like corpus (timing only: its slips are noted, not labelled)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    channel: Channel
    product_type: ProductType | None = None
    slips: list[str] = Field(default_factory=list)
    text: str = Field(min_length=1)


class Corpus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["bench_corpus"]
    version: Literal[1]
    description: str
    drafts: list[CorpusDraft] = Field(min_length=1)


def production_drafts(path: Path = PRODUCTION_CORPUS) -> list[Draft]:
    """The long drafts of ``bench/compliance/corpus.yaml``: copy written like what marketers submit."""
    corpus = Corpus.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [(draft.channel, draft.text) for draft in corpus.drafts]


def lexicon_automaton(rules: RuleSet) -> tuple[ahocorasick.Automaton, int]:
    """One automaton over every lexicon term of the rule set (the baseline's lexicon)."""
    terms: set[str] = set()
    for rule in rules:
        detector = rules.detector(rule.id)
        # A composite rule's lexicon parts (FM-01's terms beside its paraphrase patterns) are lexicon too.
        parts = detector.parts if isinstance(detector, CompositeDetector) else (detector,)
        for part in parts:
            if isinstance(part, LexiconDetector) and part.anchors:
                terms |= part.anchors
    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term, term)
    automaton.make_automaton()
    return automaton, len(terms)


def ungated(rules: RuleSet) -> RuleSet:
    """The same rules with a gate that opens every rule (each applicable detector runs on every draft)."""
    opened = load_rules()
    opened.gate = Gate({rule.id: None for rule in rules})
    return opened


def time_each(drafts: list[Draft], run_one: Callable[[Draft], object]) -> list[float]:
    timings = []
    for draft in drafts:
        started = time.perf_counter()
        run_one(draft)
        timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_corpus(drafts: list[Draft], rounds: int) -> dict[str, Any]:
    """Raw scan, gated engine and ungated engine over one corpus, interleaved per round."""
    chars = sum(len(text) for _, text in drafts)
    rules = load_rules()
    opened = ungated(rules)
    automaton, term_count = lexicon_automaton(rules)
    day: date = EVAL_DATE

    def raw(draft: Draft) -> int:
        return sum(1 for _ in automaton.iter(draft[1]))

    def engine(draft: Draft, rule_set: RuleSet = rules) -> object:
        return check(
            draft[1], cast(Channel, draft[0]), bank_short_name=DATASET_BANK, on_date=day, rules=rule_set
        )

    for draft in drafts:  # warm-up: caches (applicable rules, product catalog) and branch predictors
        raw(draft), engine(draft), engine(draft, opened)

    def normalise_and_scan(draft: Draft) -> object:
        return rules.gate.scan(normalize(draft[1]).folded)

    totals: dict[str, list[float]] = {"raw": [], "engine": [], "ungated": [], "floor": []}
    latencies: list[float] = []
    for _ in range(rounds):
        totals["raw"].append(sum(time_each(drafts, raw)))
        totals["floor"].append(sum(time_each(drafts, normalise_and_scan)))
        engine_times = time_each(drafts, engine)
        latencies.extend(
            t for (_, text), t in zip(drafts, engine_times, strict=True) if len(text) == DRAFT_CHARS
        )
        totals["engine"].append(sum(engine_times))
        totals["ungated"].append(sum(time_each(drafts, lambda d: engine(d, opened))))
    throughput = {name: chars / statistics.median(values) for name, values in totals.items()}
    return {
        "drafts": len(drafts),
        "chars": chars,
        "lexicon_terms": term_count,
        "chars_per_s": throughput,
        "ratio_engine_to_raw": throughput["engine"] / throughput["raw"],
        "ratio_ungated_to_raw": throughput["ungated"] / throughput["raw"],
        # Normalisation plus the one anchor scan, before any rule runs: the part no rule work can avoid.
        "ratio_floor_to_raw": throughput["floor"] / throughput["raw"],
        "latency_ms_2000_chars": {
            "p50": percentile(latencies, 0.5) * 1000 if latencies else None,
            "p95": percentile(latencies, 0.95) * 1000 if latencies else None,
            "samples": len(latencies),
        },
    }


def measure(rounds: int) -> dict[str, Any]:
    cases = list(load_dataset("compliance", ComplianceCase).cases)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()},
        "cases": len(cases),
        "rounds": rounds,
        "corpora": {
            "production-like drafts": measure_corpus(production_drafts(), rounds),
            "whole suite": measure_corpus(build_drafts(cases), rounds),
            "compliant texts only": measure_corpus(build_drafts(cases, compliant_only=True), rounds),
        },
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['cases']} suite cases; {result['rounds']} rounds; load {result['machine']['loadavg']}",
        "",
        "| corpus | drafts / chars | raw scan chars/s | engine chars/s (ratio) | gate opened chars/s (ratio) "
        "| normalise + scan only (ratio) | engine p50 / p95 per 2,000 chars |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, corpus in result["corpora"].items():
        cps, lat = corpus["chars_per_s"], corpus["latency_ms_2000_chars"]
        latency = f"{lat['p50']:.2f} / {lat['p95']:.2f} ms" if lat["samples"] else "–"
        lines.append(
            f"| {name} | {corpus['drafts']} / {corpus['chars']:,} | {cps['raw']:,.0f} "
            f"| {cps['engine']:,.0f} ({corpus['ratio_engine_to_raw']:.3f}) "
            f"| {cps['ungated']:,.0f} ({corpus['ratio_ungated_to_raw']:.3f}) "
            f"| {cps['floor']:,.0f} ({corpus['ratio_floor_to_raw']:.3f}) | {latency} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return run_rounds_bench(__doc__, measure, table, DEFAULT_OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
