"""The compliance engine at several git revisions, side by side in one run: speed and held-out scores.

    .venv/bin/python -m bench.compliance_revisions 109140d HEAD
    .venv/bin/python -m bench.compliance_revisions 109140d HEAD --heldout evals/heldout/compliance_13.yaml

Each revision is checked out into a temporary git worktree, and each of them runs on the same inputs, taken from
the current tree: the production-like corpus, the current suite's texts joined into 2,000-character drafts, and its
compliant texts alone. Rounds alternate between revisions, so machine load hits all of them alike; the table
reports median engine chars/s per corpus. With ``--heldout``, each revision also scores the given held-out files
with its own ``evals.heldout`` (the revision must have one). Nothing is cached between revisions: every timing
runs in a fresh interpreter started inside that revision's worktree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Runs inside a revision's worktree: times that revision's ``check`` over the drafts file given on the command line.
_TIMER = """
import json, sys, time
from tools.compliance import check
drafts = json.load(open(sys.argv[1], encoding="utf-8"))
bank, day = sys.argv[2], __import__("datetime").date.fromisoformat(sys.argv[3])
for channel, text in drafts:  # warm-up: rule loading, caches
    check(text, channel, bank_short_name=bank, on_date=day)
started = time.perf_counter()
for channel, text in drafts:
    check(text, channel, bank_short_name=bank, on_date=day)
print(json.dumps(time.perf_counter() - started))
"""


def _corpora() -> dict[str, list[tuple[str, str]]]:
    from bench.compliance_engine import build_drafts, production_drafts
    from evals.datasets_io import load_dataset
    from evals.suites.compliance import ComplianceCase

    cases = list(load_dataset("compliance", ComplianceCase).cases)
    return {
        "production-like drafts": production_drafts(),
        "whole suite": build_drafts(cases),
        "compliant texts only": build_drafts(cases, compliant_only=True),
    }


def _worktree(revision: str, into: Path) -> Path:
    path = into / revision.replace("/", "_")
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(path), revision], check=True
    )
    return path


def _time_once(worktree: Path, drafts_file: Path) -> float:
    from evals.suites.compliance import DATASET_BANK, EVAL_DATE

    done = subprocess.run(
        [sys.executable, "-c", _TIMER, str(drafts_file), DATASET_BANK, EVAL_DATE.isoformat()],
        cwd=worktree,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def _heldout_scores(worktree: Path, heldout: Path) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "evals.heldout", str(heldout.resolve())],
        cwd=worktree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"evals.heldout failed in {worktree}: {done.stderr.strip()[-400:]}")
    wanted = ("detection_recall", "false_block_rate_max", "false_positive_rate_max", "verdict_accuracy")
    scores: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, _, value = line.strip().partition(": ")
        if name in wanted:
            scores[name] = value
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("revisions", nargs="+", help="git revisions to compare (first = baseline)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--heldout", type=Path, action="append", default=[], help="held-out file to score")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    corpora = _corpora()
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        files: dict[str, Path] = {}
        for name, drafts in corpora.items():
            files[name] = scratch / f"{len(files)}.json"
            files[name].write_text(json.dumps(drafts, ensure_ascii=False), encoding="utf-8")
        trees = {revision: _worktree(revision, scratch / "trees") for revision in args.revisions}
        try:
            seconds: dict[tuple[str, str], list[float]] = {}
            for _ in range(args.rounds):
                for name, path in files.items():
                    for revision, tree in trees.items():
                        seconds.setdefault((revision, name), []).append(_time_once(tree, path))
            heldout = {
                (revision, str(file)): _heldout_scores(tree, file)
                for revision, tree in trees.items()
                for file in args.heldout
            }
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False
                )
    baseline = args.revisions[0]
    lines = [f"engine chars/s, median of {args.rounds} alternating rounds (speed-up vs {baseline})", ""]
    lines.append("| corpus | " + " | ".join(args.revisions) + " |")
    lines.append("|---|" + "---:|" * len(args.revisions))
    for name, drafts in corpora.items():
        chars = sum(len(text) for _, text in drafts)
        rates = {r: chars / statistics.median(seconds[(r, name)]) for r in args.revisions}
        cells = [f"{rates[r]:,.0f} ({rates[r] / rates[baseline]:.2f}×)" for r in args.revisions]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for file in args.heldout:
        lines += ["", f"held-out {file}:"]
        for revision in args.revisions:
            scores = heldout[(revision, str(file))]
            lines.append(f"  {revision}: " + ", ".join(f"{k} {v}" for k, v in scores.items()))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
