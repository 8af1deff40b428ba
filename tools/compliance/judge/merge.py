"""Merge the model's verdict into the deterministic result, trusting the model only where the catalog lets it.

Three guarantees hold whatever the model answers:

* a finding is added only with a quote that occurs in the original text, for a rule that was offered;
* a deterministic finding is removed only when it was shown as a hint and the judge names a ground the
  catalog allows for that rule (AD-01 exemptions, quotation/education frames, FM-01 negations) — PI-01,
  required-disclosure and structural findings are never hints and so can never be removed;
* severities never go down: escalation (FM-03 with FM-01…) is re-applied to the merged list, never undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.domain import CheckResult, Finding, Span, verdict_of
from tools.compliance.judge.catalog import JudgeRule
from tools.compliance.judge.locate import quote_occurrences
from tools.compliance.judge.models import (
    GROUND_LABELS,
    DroppedHint,
    HintConfirmation,
    JudgedFinding,
    JudgeVerdict,
)
from tools.compliance.rules import RuleSet

JUDGE_DETECTOR = "llm_judge"


@dataclass(frozen=True)
class Hint:
    """A deterministic finding of a semantic rule, shown to the model under ``hint_id``."""

    hint_id: str
    index: int
    finding: Finding


@dataclass
class MergeOutcome:
    """The merged result and what happened on the way, for ``JudgedResult``."""

    result: CheckResult
    notes: list[str] = field(default_factory=list)
    discarded_quotes: int = 0
    dropped: list[DroppedHint] = field(default_factory=list)


def hints_of(deterministic: CheckResult, offered: list[JudgeRule]) -> list[Hint]:
    """The deterministic findings the model may confirm or drop: offered rules, with a span to point at."""
    offered_ids = {rule.id for rule in offered}
    candidates = [
        (index, finding)
        for index, finding in enumerate(deterministic.findings)
        if finding.rule_id in offered_ids and finding.span is not None
    ]
    return [
        Hint(hint_id=f"H{number}", index=index, finding=finding)
        for number, (index, finding) in enumerate(candidates, start=1)
    ]


def merge_verdict(
    text: str,
    deterministic: CheckResult,
    verdict: JudgeVerdict,
    hints: list[Hint],
    offered: list[JudgeRule],
    rule_set: RuleSet,
) -> MergeOutcome:
    """Apply the confirmations, add the located violations, re-escalate and recompute the verdict."""
    rules = {rule.id: rule for rule in offered}
    outcome = MergeOutcome(result=deterministic)
    dropped_indexes = _apply_confirmations(verdict.confirmations, hints, rules, outcome)
    kept = [f for index, f in enumerate(deterministic.findings) if index not in dropped_indexes]
    merged = kept + _new_findings(text, verdict.findings, kept, rules, outcome)
    merged = sorted(_escalate(merged, rule_set), key=_text_order)
    if outcome.discarded_quotes:
        outcome.notes.append(f"智能审查有{outcome.discarded_quotes}处引文在原文中找不到，相应判断已丢弃")
    outcome.result = CheckResult(
        verdict=verdict_of(merged), product_type=deterministic.product_type, findings=merged
    )
    return outcome


def _apply_confirmations(
    confirmations: list[HintConfirmation],
    hints: list[Hint],
    rules: dict[str, JudgeRule],
    outcome: MergeOutcome,
) -> set[int]:
    by_id = {hint.hint_id: hint for hint in hints}
    dropped: set[int] = set()
    for confirmation in confirmations:
        if confirmation.decision != "drop":
            continue
        hint = by_id.get(confirmation.hint_id.strip())
        if hint is None or hint.finding.rule_id != confirmation.rule_id:
            outcome.notes.append(
                f"智能审查要求移除的提示 {confirmation.hint_id}（{confirmation.rule_id}）与给出的提示不符，已忽略"
            )
            continue
        rule = rules[hint.finding.rule_id]
        if not rule.may_drop(confirmation.ground):
            outcome.notes.append(
                f"{rule.id}“{_quote(hint.finding)}”：智能审查建议移除（{GROUND_LABELS[confirmation.ground]}），"
                "但该规则不允许以此理由豁免，已保留"
            )
            continue
        if hint.index not in dropped:
            dropped.add(hint.index)
            outcome.dropped.append(
                DroppedHint(finding=hint.finding, ground=confirmation.ground, reason=confirmation.reason)
            )
            outcome.notes.append(
                f"{rule.id}“{_quote(hint.finding)}”经智能审查认定为豁免情形（{GROUND_LABELS[confirmation.ground]}），已移除："
                f"{confirmation.reason}"
            )
    return dropped


def _new_findings(
    text: str,
    judged: list[JudgedFinding],
    kept: list[Finding],
    rules: dict[str, JudgeRule],
    outcome: MergeOutcome,
) -> list[Finding]:
    added: list[Finding] = []
    for item in judged:
        if item.decision != "violation":
            continue
        rule = rules.get(item.rule_id)
        if rule is None:
            outcome.notes.append(f"智能审查报告了未提交审查的规则 {item.rule_id}，已忽略")
            continue
        occurrences = quote_occurrences(text, item.quote)
        if not occurrences:
            outcome.discarded_quotes += 1
            continue
        span = _first_unreported(occurrences, rule.id, [*kept, *added])
        if span is not None:
            added.append(_judge_finding(rule, span, item.reason))
    return added


def _first_unreported(occurrences: list[Span], rule_id: str, reported: list[Finding]) -> Span | None:
    """The first occurrence no finding of the same rule already covers (None: all already reported)."""
    covered = [f.span for f in reported if f.rule_id == rule_id and f.span is not None]
    for span in occurrences:
        if not any(span.start < other.end and other.start < span.end for other in covered):
            return span
    return None


def _judge_finding(rule: JudgeRule, span: Span, reason: str) -> Finding:
    reason = reason.strip()
    return Finding(
        rule_id=rule.id,
        category=rule.category,
        severity=rule.severity,
        span=span,
        message=f"{rule.message}（智能审查：{reason}）" if reason else rule.message,
        citation=rule.citation,
        fix=rule.fix,
        detector=JUDGE_DETECTOR,
    )


def _escalate(findings: list[Finding], rule_set: RuleSet) -> list[Finding]:
    """Raise a finding to block when a rule in its ``escalate_with`` fired too (as the engine does)."""
    fired = {finding.rule_id for finding in findings}
    escalated: list[Finding] = []
    for finding in findings:
        triggers = rule_set.get(finding.rule_id).escalate_with if finding.rule_id in rule_set else ()
        if set(triggers) & fired and finding.severity != "block":
            finding = finding.model_copy(update={"severity": "block"})
        escalated.append(finding)
    return escalated


def _text_order(finding: Finding) -> tuple[int, int, str]:
    """Findings in text order; span-less (missing-element) findings last; ties by rule id."""
    if finding.span is None:
        return (1, 0, finding.rule_id)
    return (0, finding.span.start, finding.rule_id)


def _quote(finding: Finding) -> str:
    return finding.span.quote if finding.span is not None else ""
