"""Could a compiled multi-pattern engine carry the deterministic layer to 0.3x a raw scan? Measured, one run.

    uv sync --group compiled-prefilters                 # once: google-re2 and hyperscan (x86-64 wheels)
    .venv/bin/python -m bench.compliance_prefilters     # Markdown table on stdout, JSON to var/bench/

Issue 5 asks the deterministic layer for 0.3x the throughput of a raw pyahocorasick scan of the rule lexicon.
The engine's own bench (``bench.compliance_engine``) shows normalisation plus the one anchor scan already cost
about five raw scans. This bench asks what a compiled prefilter would buy: every rule regex and lexicon term
of the shipped rules in one compiled set, asked once per draft which of them occur anywhere (the question the
anchor scan answers today, with no positions). Rows, all over the production-like drafts, normalised once
beforehand so that only the scan is timed:

- raw scan: the baseline of ``bench.compliance_engine`` (pyahocorasick over the lexicon terms);
- anchor automaton, iteration only: the engine's automaton (lexicon terms plus every regex anchor) iterated
  with no work per hit: the part of today's gate no Python change can remove, since bank copy is full of the
  regex anchors (期, 年, %, 银行…);
- engine gate scan: the same, recording positions as the engine does;
- engine normalisation: what every check pays before scanning (fold, offset map), on the original text;
- RE2 set: ``re2.Set`` (google-re2) over the patterns RE2 accepts (no look-arounds), unanchored search;
- Hyperscan: one block-mode database, ``SINGLEMATCH | PREFILTER | UTF8 | UCP | CASELESS`` (prefilter mode
  accepts look-arounds by widening them, so its answer is a superset, as a gate needs).

Each round times every row over the corpus back to back; the table reports medians and ratios to the raw
scan. Patterns a library rejects are counted, not hidden: a real gate would have to run those always.
"""

from __future__ import annotations

import importlib
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.compliance_engine import lexicon_automaton, production_drafts
from bench.rounds_cli import run_rounds_bench
from tools.compliance import load_rules
from tools.compliance.detectors.composite import CompositeDetector
from tools.compliance.detectors.lexicon import LexiconDetector
from tools.compliance.normalize import normalize
from tools.compliance.rules import RuleSet

DEFAULT_OUT = Path("var/bench/compliance_prefilters.json")
_MAX_DEPTH = 6


def _patterns_in(obj: object, seen: set[int], depth: int = 0) -> Iterator[str]:
    """Every compiled regex reachable from a detector (they keep them under different attribute names)."""
    if (
        id(obj) in seen
        or depth > _MAX_DEPTH
        or isinstance(obj, str | bytes | int | float | bool | type(None))
    ):
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        yield obj.pattern
        return
    if isinstance(obj, dict):
        children: list[object] = list(obj.values())
    elif isinstance(obj, list | tuple | set | frozenset):
        children = list(obj)
    else:
        children = list(getattr(obj, "__dict__", {}).values())
        children += [getattr(obj, slot) for slot in getattr(type(obj), "__slots__", ()) if hasattr(obj, slot)]
    for child in children:
        yield from _patterns_in(child, seen, depth + 1)


def rule_patterns(rules: RuleSet) -> tuple[list[str], list[str]]:
    """(regexes, lexicon terms) of every shipped rule, composite parts included."""
    regexes: set[str] = set()
    terms: set[str] = set()
    seen: set[int] = set()
    for rule in rules:
        detector = rules.detector(rule.id)
        regexes.update(_patterns_in(detector, seen))
        parts = detector.parts if isinstance(detector, CompositeDetector) else (detector,)
        for part in parts:
            if isinstance(part, LexiconDetector) and part.anchors:
                terms |= part.anchors
    return sorted(regexes), sorted(terms)


def _re2_matcher(regexes: list[str], terms: list[str]) -> tuple[Callable[[str], object], int, int]:
    re2: Any = importlib.import_module("re2")
    options = re2.Options()
    options.max_mem = 256 << 20  # the default budget fails to build the DFA for this many Unicode patterns
    options.case_sensitive = False
    matcher = re2.Set.SearchSet(options)
    accepted = rejected = 0
    for pattern in [*regexes, *(re.escape(term) for term in terms)]:
        try:
            matcher.Add(pattern)
            accepted += 1
        except Exception:  # noqa: BLE001 - re2 raises a bare error for syntax it lacks (look-arounds)
            rejected += 1
    matcher.Compile()
    return matcher.Match, accepted, rejected


def _hyperscan_matcher(regexes: list[str], terms: list[str]) -> tuple[Callable[[str], object], int, int]:
    hs: Any = importlib.import_module("hyperscan")
    flags = (
        hs.HS_FLAG_SINGLEMATCH | hs.HS_FLAG_PREFILTER | hs.HS_FLAG_UTF8 | hs.HS_FLAG_UCP | hs.HS_FLAG_CASELESS
    )
    accepted: list[bytes] = []
    rejected = 0
    for pattern in [*regexes, *(re.escape(term) for term in terms)]:
        probe = hs.Database(mode=hs.HS_MODE_BLOCK)
        try:
            probe.compile(expressions=[pattern.encode()], ids=[0], elements=1, flags=[flags])
            accepted.append(pattern.encode())
        except hs.error:
            rejected += 1
    database = hs.Database(mode=hs.HS_MODE_BLOCK)
    database.compile(
        expressions=accepted,
        ids=list(range(len(accepted))),
        elements=len(accepted),
        flags=[flags] * len(accepted),
    )
    scratch = hs.Scratch(database)

    def match(text: str) -> list[int]:
        found: list[int] = []
        database.scan(text.encode(), match_event_handler=lambda pid, *_: found.append(pid), scratch=scratch)
        return found

    return match, len(accepted), rejected


def measure(rounds: int) -> dict[str, Any]:
    rules = load_rules()
    originals = [text for _, text in production_drafts()]
    texts = [normalize(text).folded for text in originals]
    original_of = dict(zip(texts, originals, strict=True))
    chars = sum(len(text) for text in texts)
    regexes, terms = rule_patterns(rules)
    baseline, _ = lexicon_automaton(rules)
    anchors = rules.gate._automaton  # the engine's one automaton: lexicon terms plus every regex anchor

    rows: dict[str, Callable[[str], object]] = {
        "raw scan (baseline)": lambda text: sum(1 for _ in baseline.iter(text)),
        "anchor automaton, iteration only": lambda text: sum(1 for _ in anchors.iter(text)),
        "engine gate scan (positions recorded)": rules.gate.scan,
        # What every check pays before any scan, with the offset map (timed on the original text).
        "engine normalisation": lambda text: normalize(original_of[text]),
    }
    notes: dict[str, str] = {
        "anchor automaton, iteration only": f"{len(rules.gate.tracked)} literals",
        "raw scan (baseline)": f"{len(terms)} lexicon terms",
    }
    compile_seconds: dict[str, float] = {}
    for name, build in (("RE2 set", _re2_matcher), ("Hyperscan prefilter", _hyperscan_matcher)):
        try:
            started = time.perf_counter()
            matcher, accepted, rejected = build(regexes, terms)
            compile_seconds[name] = time.perf_counter() - started
        except ImportError:
            notes[name] = "not installed (uv sync --group compiled-prefilters)"
            continue
        rows[name] = matcher
        notes[name] = f"{accepted} patterns accepted, {rejected} rejected"

    hits = {
        "raw scan (baseline)": sum(sum(1 for _ in baseline.iter(t)) for t in texts) / len(texts),
        "anchor automaton, iteration only": sum(sum(1 for _ in anchors.iter(t)) for t in texts) / len(texts),
    }
    for run in rows.values():  # warm-up: lazily built DFAs, caches
        for text in texts:
            run(text)
    totals: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(rounds):
        for name, run in rows.items():
            started = time.perf_counter()
            for text in texts:
                run(text)
            totals[name].append(time.perf_counter() - started)
    throughput = {name: chars / statistics.median(values) for name, values in totals.items()}
    raw = throughput["raw scan (baseline)"]
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()},
        "rounds": rounds,
        "drafts": len(texts),
        "chars": chars,
        "regexes": len(regexes),
        "lexicon_terms": len(terms),
        "rows": {
            name: {
                "chars_per_s": cps,
                "ratio_to_raw": cps / raw,
                "us_per_draft": 1e6 * statistics.median(totals[name]) / len(texts),
                "note": notes.get(name, ""),
                "hits_per_draft": hits.get(name),
                "compile_s": compile_seconds.get(name),
            }
            for name, cps in throughput.items()
        },
        "not_run": {name: note for name, note in notes.items() if name not in rows},
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['drafts']} production-like drafts, {result['chars']:,} chars; {result['regexes']} rule regexes, "
        f"{result['lexicon_terms']} lexicon terms; {result['rounds']} rounds; load {result['machine']['loadavg']}",
        "",
        "| scan | chars/s | ratio to raw scan | µs per draft | notes |",
        "|---|---:|---:|---:|---|",
    ]
    for name, row in result["rows"].items():
        extra = [row["note"]] if row["note"] else []
        if row["hits_per_draft"] is not None:
            extra.append(f"{row['hits_per_draft']:.1f} hits per draft")
        if row["compile_s"] is not None:
            extra.append(f"compiled in {row['compile_s']:.1f} s")
        lines.append(
            f"| {name} | {row['chars_per_s']:,.0f} | {row['ratio_to_raw']:.2f} | {row['us_per_draft']:.0f} "
            f"| {'; '.join(extra)} |"
        )
    lines += [f"| {name} | – | – | – | {note} |" for name, note in result["not_run"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return run_rounds_bench(__doc__, measure, table, DEFAULT_OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
