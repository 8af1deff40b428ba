"""The command line shared by the round-based benches: ``--rounds``, ``--json``, ``--out``; JSON saved, table shown."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_rounds_bench(
    doc: str | None,
    measure: Callable[[int], dict[str, Any]],
    table: Callable[[dict[str, Any]], str],
    default_out: Path,
    argv: list[str] | None = None,
) -> int:
    """Parse the arguments, measure over ``--rounds`` rounds, write the JSON to ``--out`` and print the table."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    result = measure(args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    sys.stdout.write(
        (json.dumps(result, ensure_ascii=False, indent=2) if args.json else table(result)) + "\n"
    )
    return 0
