"""Catalog rules on a call script's graph and policy: CALL-01 hours, CALL-02 opening, CALL-03 refusal,
CALL-04 AI disclosure order, CALL-05 attempt caps (compliance-rules.md §1.7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

from core.domain import Finding
from tools.call_script import catalog
from tools.call_script.graph import ScriptGraph
from tools.call_script.model import CallScript, Node
from tools.call_script.terms import Stage

# channel-formats §4, derived behaviour (5): ≤ 2 attempts a day and ≤ 3 per lead unless the bank decides otherwise.
POLICY_MAX_ATTEMPTS_PER_DAY = 2
POLICY_MAX_ATTEMPTS_TOTAL = 3
REFUSAL_HANDLER_PRIORITY = 100
_ORDER_RULES: tuple[tuple[Stage, catalog.RuleSpec, str], ...] = (
    ("identity_disclosure", catalog.CALL_02, "saying who is calling"),
    ("purpose_disclosure", catalog.CALL_02, "saying why the bank calls"),
    ("ai_disclosure", catalog.CALL_04, "an AI disclosure"),
    ("recording_notice", catalog.CALL_02_RECORDING, "a recording notice"),
)


def check_calling_window(script: CallScript, calling_window: tuple[time, time]) -> list[Finding]:
    """CALL-01: every allowed window lies inside the bank's calling hours."""
    earliest, latest = calling_window
    return [
        catalog.CALL_01.finding(
            f"call_policy window {w.start:%H:%M}-{w.end:%H:%M} is outside the bank's calling hours "
            f"{earliest:%H:%M}-{latest:%H:%M}"
        )
        for w in script.call_policy.allowed_windows
        if w.start < earliest or w.end > latest
    ]


def check_attempt_caps(script: CallScript) -> list[Finding]:
    """CALL-05 (warn): attempt caps above the bank's frequency policy."""
    policy = script.call_policy
    if policy.max_attempts_per_day <= POLICY_MAX_ATTEMPTS_PER_DAY and (
        policy.max_attempts_total <= POLICY_MAX_ATTEMPTS_TOTAL
    ):
        return []
    return [
        catalog.CALL_05.finding(
            f"call_policy allows {policy.max_attempts_per_day} attempts a day and {policy.max_attempts_total} in "
            f"all; policy is at most {POLICY_MAX_ATTEMPTS_PER_DAY} and {POLICY_MAX_ATTEMPTS_TOTAL}"
        )
    ]


def opening_turn(script: CallScript, graph: ScriptGraph) -> list[Node]:
    """The nodes the bot speaks before it first listens: the start node and the say/action chain after it."""
    turn: list[Node] = []
    node = graph.nodes.get(script.start_node)
    while node is not None and node.id not in {n.id for n in turn}:
        turn.append(node)
        if node.type not in ("say", "action") or node.next is None:
            break
        node = graph.nodes.get(node.next)
    return turn


def check_opening(script: CallScript, graph: ScriptGraph, bank_short_name: str) -> list[Finding]:
    """CALL-02: the script speaks for this bank, and its first turn names it."""
    findings: list[Finding] = []
    institution = script.institution
    if bank_short_name not in (institution.short_name, institution.legal_name):
        findings.append(
            catalog.CALL_02.finding(
                f"script institution {institution.short_name!r} is not {bank_short_name!r}"
            )
        )
    names = {bank_short_name, institution.legal_name}
    spoken = "".join(n.prompt.text for n in opening_turn(script, graph) if n.prompt is not None)
    if not any(name in spoken for name in names):
        findings.append(
            catalog.CALL_02.finding(
                f"opening node {script.start_node!r} does not name the bank {bank_short_name!r}"
            )
        )
    return findings


def check_disclosure_order(graph: ScriptGraph) -> list[Finding]:
    """CALL-02 / CALL-04: on every path, identity, purpose, AI and recording disclosures precede any pitch."""
    findings: list[Finding] = []
    for stage, rule, what in _ORDER_RULES:
        for node_id, path in graph.pitches_before(stage).items():
            findings.append(
                rule.finding(f"node {node_id!r} pitches before {what} ({stage}) on path {' → '.join(path)}")
            )
    return findings


def check_refusal(script: CallScript, graph: ScriptGraph) -> list[Finding]:
    """CALL-03: a proper refusal node exists and every refusal, on every ask node, goes to it."""
    findings = list(_refusal_node_findings(script, graph))
    if not script.call_policy.dnc_check_required:
        findings.append(catalog.CALL_03.finding("call_policy turns the do-not-call check off"))
    refuse_ids = [i.id for i in script.intents if i.category == "refuse"]
    if not refuse_ids:
        findings.append(catalog.CALL_03.finding("no intent of category 'refuse' is declared"))
    findings.extend(_refusal_routing_findings(script, refuse_ids))
    return findings


def _refusal_node_findings(script: CallScript, graph: ScriptGraph) -> Iterator[Finding]:
    refusal_id = script.compliance.refusal_node
    node = graph.nodes.get(refusal_id)
    if node is None:
        yield catalog.CALL_03.finding(f"refusal node {refusal_id!r} is not declared")
        return
    problems = [
        problem
        for problem, broken in (
            ("not an end node", node.type != "end"),
            ("not locked", not node.locked),
            ("action is not register_dnc", node.action != "register_dnc"),
            ("prompt is not verbatim", node.prompt is None or node.prompt.mode != "verbatim"),
            ("end_reason is not refused_dnc", node.end_reason != "refused_dnc"),
        )
        if broken
    ]
    if problems:
        yield catalog.CALL_03.finding(f"refusal node {refusal_id!r}: {'; '.join(problems)}")


def _refusal_routing_findings(script: CallScript, refuse_ids: list[str]) -> Iterator[Finding]:
    refusal_id = script.compliance.refusal_node
    handled_globally: set[str] = set()
    for index, handler in enumerate(script.global_handlers):
        if handler.when.intent not in refuse_ids:
            continue
        if handler.to != refusal_id:
            yield catalog.CALL_03.finding(
                f"global handler #{index} sends refusal {handler.when.intent!r} to {handler.to!r}"
            )
        elif handler.priority != REFUSAL_HANDLER_PRIORITY:
            yield catalog.CALL_03.finding(
                f"global handler #{index} for refusal {handler.when.intent!r} has priority {handler.priority}, "
                f"not {REFUSAL_HANDLER_PRIORITY}"
            )
        else:
            handled_globally.add(handler.when.intent)
    for node in script.nodes:
        local = {
            r.when.intent
            for r in node.routes
            if r.when.intent in refuse_ids and r.when.condition is None and r.to == refusal_id
        }
        for route in node.routes:
            if route.when.intent in refuse_ids and route.to != refusal_id:
                yield catalog.CALL_03.finding(
                    f"node {node.id!r} routes refusal {route.when.intent!r} to {route.to!r}, "
                    f"not the refusal node {refusal_id!r}"
                )
        if node.type != "ask":
            continue
        for intent_id in refuse_ids:
            if intent_id not in local and intent_id not in handled_globally:
                yield catalog.CALL_03.finding(f"ask node {node.id!r} does not route refusal {intent_id!r}")
