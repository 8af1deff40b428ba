"""False alarms on whole, realistic documents: the production-like corpora keep their clean drafts clean.

The case suite scores short texts; a long draft has many more places for one quoted phrase in a quiz, a staff note
or a customer's question to block it. These corpora were tuned on (bench/compliance/corpus.yaml in sessions 11-13,
evals/heldout/production_2.yaml and production_3.yaml in session 13), so this guards what was won, it does not measure generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.compliance_alarms import alarms, summary
from bench.compliance_engine import PRODUCTION_CORPUS

ROOT = Path(__file__).resolve().parents[2]
# Allowed clean drafts with a finding, each a documented labelling dispute, by corpus.
DISPUTED = {
    PRODUCTION_CORPUS: set(),
    # 除贷款利息外无其他费用 without the literal 综合融资成本 (LN-02): the catalog's wording decides against it.
    ROOT / "evals" / "heldout" / "production_2.yaml": {"p2-art-18-antifraud-phrasebook"},
    # Its SMS campaign plans (several messages under a 【…送审】 title) are checked message by message since
    # session 14 (tools/compliance/sms_plan.py), so no clean draft is left flagged.
    ROOT / "evals" / "heldout" / "production_3.yaml": set(),
}


@pytest.mark.parametrize("corpus", list(DISPUTED), ids=lambda path: path.name)
def test_clean_drafts_stay_clean_and_every_slip_is_found(corpus: Path) -> None:
    rows = alarms(corpus)
    flagged_clean = {row.id for row in rows if not row.has_slips and row.findings}
    assert flagged_clean == DISPUTED[corpus], {
        row.id: row.findings for row in rows if row.id in flagged_clean
    }
    missed = [row.id for row in rows if row.has_slips and not row.findings]
    assert missed == []
    assert summary(rows)["clean_drafts"] > 0
