"""Structural invariants of a call script (channel-formats §2): references, reachability, listening, hash."""

from __future__ import annotations

from collections.abc import Iterator

from core.domain import Finding
from tools.call_script import catalog
from tools.call_script.graph import ScriptGraph
from tools.call_script.hashing import content_hash
from tools.call_script.model import CallScript, Node
from tools.call_script.terms import PSEUDO_TARGETS, REPEAT_TARGET, Event, Stage, referenced_variables

# Prompts carrying these stages are legal or consent wording: an LLM must never rephrase them.
FIXED_WORDING_STAGES: frozenset[Stage] = frozenset(
    {
        "identity_disclosure",
        "ai_disclosure",
        "recording_notice",
        "purpose_disclosure",
        "risk_disclosure",
        "dnc_confirmation",
    }
)
EXHAUSTION_EVENTS: tuple[Event, ...] = ("no_input_exhausted", "no_match_exhausted")


def check_structure(script: CallScript, graph: ScriptGraph) -> list[Finding]:
    """Every structural finding, in a stable order."""
    findings = [*_target_findings(script, graph), *_reference_findings(script)]
    findings.extend(_reachability_findings(graph))
    findings.extend(_listen_findings(script))
    findings.extend(_fixed_wording_findings(script))
    if script.content_hash is not None and script.content_hash != content_hash(script):
        findings.append(
            catalog.STRUCT_HASH.finding(
                f"script {script.script_id!r}: content_hash does not match its content"
            )
        )
    return findings


def _targets_with_origin(script: CallScript) -> Iterator[tuple[str, str, bool]]:
    """(where, target, may_repeat) for every declared target; ``@repeat`` is legal only where the bot listens."""
    yield "start_node", script.start_node, False
    for node in script.nodes:
        for route in node.routes:
            yield f"node {node.id!r} route", route.to, node.type == "ask"
        if node.next is not None:
            yield f"node {node.id!r} next", node.next, False
    for index, handler in enumerate(script.global_handlers):
        yield f"global handler #{index}", handler.to, True


def _target_findings(script: CallScript, graph: ScriptGraph) -> Iterator[Finding]:
    for where, target, may_repeat in _targets_with_origin(script):
        if target in graph.nodes or (target == REPEAT_TARGET and may_repeat):
            continue
        if target in PSEUDO_TARGETS and where.endswith("next"):
            continue  # the model already limits @return to answer nodes' next
        yield catalog.STRUCT_TARGET.finding(f"{where} points to undeclared target {target!r}")


def _reference_findings(script: CallScript) -> Iterator[Finding]:
    declared_variables = {v.name for v in script.variables}
    declared_intents = {i.id for i in script.intents}
    for node in script.nodes:
        texts = [node.prompt.text] if node.prompt else []
        texts.extend(r.when.condition for r in node.routes if r.when.condition)
        for name in sorted({name for text in texts for name in referenced_variables(text)}):
            if name not in declared_variables:
                yield catalog.STRUCT_REFERENCE.finding(
                    f"node {node.id!r} uses undeclared variable ${{{name}}}"
                )
        for route in node.routes:
            if route.when.intent is not None and route.when.intent not in declared_intents:
                yield catalog.STRUCT_REFERENCE.finding(
                    f"node {node.id!r} routes on undeclared intent {route.when.intent!r}"
                )
    for index, handler in enumerate(script.global_handlers):
        if handler.when.intent is not None and handler.when.intent not in declared_intents:
            yield catalog.STRUCT_REFERENCE.finding(
                f"global handler #{index} fires on undeclared intent {handler.when.intent!r}"
            )


def _reachability_findings(graph: ScriptGraph) -> Iterator[Finding]:
    for node_id in graph.nodes_that_cannot_end():
        yield catalog.STRUCT_REACH_END.finding(f"node {node_id!r} cannot reach any end node")
    for node_id in graph.unreachable_nodes():
        yield catalog.STRUCT_UNREACHABLE.finding(f"node {node_id!r} is unreachable from the start node")


def _handles_event(script: CallScript, node: Node, event: Event) -> bool:
    local = any(r.when.event == event and r.when.condition is None for r in node.routes)
    return local or any(h.when.event == event for h in script.global_handlers)


def _listen_findings(script: CallScript) -> Iterator[Finding]:
    for node in script.nodes:
        if node.type != "ask":
            continue
        missing = [event for event in EXHAUSTION_EVENTS if not _handles_event(script, node, event)]
        if missing:
            yield catalog.STRUCT_LISTEN.finding(f"ask node {node.id!r} does not handle {', '.join(missing)}")


def _fixed_wording_findings(script: CallScript) -> Iterator[Finding]:
    for node in script.nodes:
        fixed = FIXED_WORDING_STAGES.intersection(node.stages)
        if node.prompt is not None and node.prompt.mode == "generative_bounded" and fixed:
            yield catalog.STRUCT_LOCKED_DISCLOSURE.finding(
                f"node {node.id!r} carries {', '.join(sorted(fixed))} but its prompt is generative"
            )
