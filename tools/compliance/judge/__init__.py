"""The LLM judge layer of the compliance engine: semantic rules, retrieved clauses, quotes checked in the text.

Public API::

    from tools.compliance.judge import judge, JudgedResult

    deterministic = check(text, channel, product_type)
    judged = judge(text, channel, product_type, deterministic, run_id=run_id)
    judged.result          # merged CheckResult (verdict recomputed)
    judged.judge_status    # applied | skipped_offline | not_applicable | failed
"""

from __future__ import annotations

from tools.compliance.judge.catalog import JudgeCatalogError, JudgeRule, load_semantic_specs
from tools.compliance.judge.clauses import Clause, ClauseSearch
from tools.compliance.judge.merge import JUDGE_DETECTOR
from tools.compliance.judge.models import (
    SEMANTIC_RULE_IDS,
    DroppedHint,
    ExemptionGround,
    HintConfirmation,
    JudgedFinding,
    JudgedResult,
    JudgeStatus,
    JudgeVerdict,
)
from tools.compliance.judge.service import judge

__all__ = [
    "JUDGE_DETECTOR",
    "SEMANTIC_RULE_IDS",
    "Clause",
    "ClauseSearch",
    "DroppedHint",
    "ExemptionGround",
    "HintConfirmation",
    "JudgeCatalogError",
    "JudgeRule",
    "JudgeStatus",
    "JudgeVerdict",
    "JudgedFinding",
    "JudgedResult",
    "judge",
    "load_semantic_specs",
]
