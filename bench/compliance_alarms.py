"""How often the deterministic checker raises an alarm on production-like copy: clean drafts vs drafts with slips.

    .venv/bin/python -m bench.compliance_alarms            # summary and one line per flagged draft
    .venv/bin/python -m bench.compliance_alarms --json     # the same as JSON
    .venv/bin/python -m bench.compliance_alarms --corpus evals/heldout/production_2.yaml   # another corpus

The corpus (``bench/compliance/corpus.yaml``) is long copy written like what marketers submit. Most drafts are
meant to be compliant; the ``slips`` of the others name the mistakes their author put in on purpose. It is not a
labelled eval set (no rule ids), so this reports what a reviewer would see, not precision and recall: how many
clean drafts still get a finding (false alarms a reviewer must clear), and how many drafts with slips get one.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from bench.compliance_engine import PRODUCTION_CORPUS, Corpus
from evals.suites.compliance import DATASET_BANK, EVAL_DATE
from tools.compliance import check


@dataclass(frozen=True)
class DraftAlarm:
    id: str
    has_slips: bool
    verdict: str
    findings: list[str]


def alarms(path: Path = PRODUCTION_CORPUS) -> list[DraftAlarm]:
    corpus = Corpus.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    rows = []
    for draft in corpus.drafts:
        result = check(
            draft.text, draft.channel, draft.product_type, bank_short_name=DATASET_BANK, on_date=EVAL_DATE
        )
        findings = [
            f"{f.rule_id} {f.severity} 「{f.span.quote}」" if f.span else f"{f.rule_id} {f.severity}"
            for f in result.findings
        ]
        rows.append(DraftAlarm(draft.id, bool(draft.slips), result.verdict, findings))
    return rows


def summary(rows: list[DraftAlarm]) -> dict[str, int]:
    clean = [row for row in rows if not row.has_slips]
    slipped = [row for row in rows if row.has_slips]
    return {
        "clean_drafts": len(clean),
        "clean_with_findings": sum(1 for row in clean if row.findings),
        "clean_blocked": sum(1 for row in clean if row.verdict == "block"),
        "clean_findings": sum(len(row.findings) for row in clean),
        "drafts_with_slips": len(slipped),
        "slipped_with_findings": sum(1 for row in slipped if row.findings),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--corpus", type=Path, default=PRODUCTION_CORPUS, help="a bench_corpus YAML file")
    args = parser.parse_args(argv)
    rows = alarms(args.corpus)
    totals = summary(rows)
    if args.json:
        sys.stdout.write(
            json.dumps({"summary": totals, "drafts": [asdict(r) for r in rows]}, ensure_ascii=False, indent=2)
        )
        sys.stdout.write("\n")
        return 0
    sys.stdout.write(" ".join(f"{key}={value}" for key, value in totals.items()) + "\n")
    for row in rows:
        if row.findings:
            label = "slips" if row.has_slips else "clean"
            sys.stdout.write(f"{row.id} ({label}) {row.verdict}: {'; '.join(row.findings)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
