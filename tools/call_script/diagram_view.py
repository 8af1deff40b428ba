"""The reviewer page's view model: stage swimlanes of node cards, each with its routes and its findings.

Findings on a call script say where they point in one of three ways (see ``check_structure``, ``check_rules``,
``check_text`` and the text checker run on ``render.flatten_text``): a message naming ``node 'id'`` or
``global handler #n``, or a span into the flattened text. ``place_findings`` follows them in that order; what
points nowhere in particular (call policy, institution) stays with the whole script.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.domain import Finding
from tools.call_script.check_structure import FIXED_WORDING_STAGES
from tools.call_script.model import CallScript, Node, RouteWhen, Trigger
from tools.call_script.render import flatten_text, node_at
from tools.call_script.terms import PSEUDO_TARGETS, REPEAT_TARGET, STAGES, VARIABLE_REFERENCE, PiiLevel

STAGE_LABELS: dict[str, str] = {
    "opening": "开场", "identity_disclosure": "身份披露", "ai_disclosure": "AI身份告知",
    "recording_notice": "录音告知", "purpose_disclosure": "来电目的", "permission_check": "征询许可",
    "value_proposition": "产品介绍", "qualification": "资质确认", "objection_handling": "异议处理",
    "faq": "常见问题", "risk_disclosure": "风险提示", "next_step_offer": "下一步邀约",
    "dnc_confirmation": "免打扰确认", "transfer": "转人工", "closing": "结束语",
}  # fmt: skip
TYPE_LABELS = {
    "say": "播报",
    "ask": "提问",
    "answer": "应答",
    "action": "动作",
    "transfer": "转接",
    "end": "结束",
}
UNSTAGED = "unstaged"
_NODE_NAMED = re.compile(r"node '([^']+)'")
_HANDLER_NAMED = re.compile(r"global handler #(\d+)")


@dataclass(frozen=True)
class FindingView:
    rule_id: str
    severity: str
    category: str
    message: str
    fix: str
    citation: str
    quote: str | None


@dataclass(frozen=True)
class Segment:
    """A run of prompt text: plain, a ``${variable}`` (with its PII level), and/or quoted by a finding."""

    text: str
    variable: str | None = None
    pii: PiiLevel | None = None
    flagged: bool = False


@dataclass(frozen=True)
class RouteView:
    when: str
    target: str
    href: str | None  # None: a pseudo or undeclared target, which has no card to link to
    note: str | None = None
    to_refusal: bool = False


@dataclass(frozen=True)
class Card:
    node: Node
    anchor: str
    type_label: str
    is_start: bool
    is_refusal: bool
    fixed_wording: str | None  # why the prompt must be read word for word (verbatim, legal/consent stage)
    segments: list[Segment]
    routes: list[RouteView]
    incoming: list[str]
    findings: list[FindingView]


@dataclass(frozen=True)
class Lane:
    stage: str
    label: str
    cards: list[Card]


@dataclass(frozen=True)
class HandlerView:
    index: int
    trigger: str
    priority: int
    route: RouteView
    findings: list[FindingView]


@dataclass(frozen=True)
class ScriptView:
    script: CallScript
    lanes: list[Lane]
    handlers: list[HandlerView]
    general_findings: list[FindingView]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Placement:
    """Where each finding belongs: a node, a global handler, or the script as a whole."""

    by_node: dict[str, list[Finding]] = field(default_factory=dict)
    by_handler: dict[int, list[Finding]] = field(default_factory=dict)
    general: list[Finding] = field(default_factory=list)


def anchor(node_id: str) -> str:
    return f"node-{node_id}"


def route_label(when: RouteWhen) -> str:
    """``intent: affirm``, ``event: no_input``, ``condition: …`` joined by ∧ (a route takes all of them)."""
    parts = [
        f"intent: {when.intent}" if when.intent else None,
        f"event: {when.event}" if when.event else None,
    ]
    parts.append(f"condition: {when.condition}" if when.condition else None)
    return " ∧ ".join(part for part in parts if part)


def trigger_label(when: Trigger) -> str:
    return f"intent: {when.intent}" if when.intent is not None else f"event: {when.event}"


def _span_node(script: CallScript, finding: Finding, flat: str) -> str | None:
    """The node a span points into: a flattened-text offset whose quote matches, else the prompt quoting it."""
    span = finding.span
    if span is None:
        return None
    if flat[span.start : span.end] == span.quote:
        return node_at(script, span.start)
    quote = span.quote.strip()
    hit = next((n for n in script.nodes if quote and n.prompt is not None and quote in n.prompt.text), None)
    return hit.id if hit else None


def place_findings(script: CallScript, findings: Sequence[Finding]) -> Placement:
    placement = Placement()
    declared = {node.id for node in script.nodes}
    flat = flatten_text(script)
    for finding in findings:
        named = [m for m in _NODE_NAMED.findall(finding.message) if m in declared]
        handler = _HANDLER_NAMED.search(finding.message)
        node_id = named[0] if named else None
        if node_id is None and handler is None:
            node_id = _span_node(script, finding, flat)
        if node_id is not None:
            placement.by_node.setdefault(node_id, []).append(finding)
        elif handler is not None and int(handler.group(1)) < len(script.global_handlers):
            placement.by_handler.setdefault(int(handler.group(1)), []).append(finding)
        else:
            placement.general.append(finding)
    return placement


def _finding_view(finding: Finding) -> FindingView:
    return FindingView(
        rule_id=finding.rule_id, severity=finding.severity, category=finding.category, message=finding.message,
        fix=finding.fix, citation=finding.citation, quote=finding.span.quote if finding.span else None,
    )  # fmt: skip


def _flag_mask(text: str, quotes: Sequence[str]) -> list[bool]:
    """Per character: is it inside a quote some finding on this node points at (every occurrence)."""
    mask = [False] * len(text)
    for quote in quotes:
        for match in re.finditer(re.escape(quote), text) if quote else ():
            mask[match.start() : match.end()] = [True] * (match.end() - match.start())
    return mask


def _plain_runs(text: str, mask: list[bool], start: int, end: int) -> list[Segment]:
    runs: list[Segment] = []
    position = start
    while position < end:
        stop = position
        while stop < end and mask[stop] == mask[position]:
            stop += 1
        runs.append(Segment(text=text[position:stop], flagged=mask[position]))
        position = stop
    return runs


def prompt_segments(script: CallScript, text: str, quotes: Sequence[str]) -> list[Segment]:
    """The prompt split into plain runs and ``${variable}`` chips, with finding quotes flagged."""
    pii = {variable.name: variable.pii for variable in script.variables}
    mask = _flag_mask(text, quotes)
    segments: list[Segment] = []
    position = 0
    for match in VARIABLE_REFERENCE.finditer(text):
        segments.extend(_plain_runs(text, mask, position, match.start()))
        name = match.group(1)
        segments.append(Segment(text=match.group(), variable=name, pii=pii.get(name),
                                flagged=any(mask[match.start() : match.end()])))  # fmt: skip
        position = match.end()
    segments.extend(_plain_runs(text, mask, position, len(text)))
    return segments


def _target_view(script: CallScript, when: str, target: str) -> RouteView:
    if script.node(target) is not None:
        return RouteView(
            when, target, f"#{anchor(target)}", to_refusal=target == script.compliance.refusal_node
        )
    if target in PSEUDO_TARGETS:
        note = "重播当前提问" if target == REPEAT_TARGET else "回到被打断的提问"
        return RouteView(when, target, None, note=note)
    return RouteView(when, target, None, note="未声明的目标节点")


def _routes(script: CallScript, node: Node) -> list[RouteView]:
    views = [_target_view(script, route_label(route.when), route.to) for route in node.routes]
    if node.next is not None:
        views.append(_target_view(script, "next", node.next))
    return views


def _incoming(script: CallScript) -> dict[str, list[str]]:
    """Per node, the nodes (in declaration order, once each) whose routes or next lead to it."""
    sources: dict[str, list[str]] = {}
    for node in script.nodes:
        for target in [*(route.to for route in node.routes), *([node.next] if node.next else [])]:
            if node.id not in sources.setdefault(target, []):
                sources[target].append(node.id)
    return sources


def _fixed_wording(node: Node) -> str | None:
    if node.prompt is None:
        return None
    if FIXED_WORDING_STAGES.intersection(node.stages):
        return "披露/告知措辞 · 不得由模型改写"
    return "逐字播报" if node.prompt.mode == "verbatim" else None


def _card(script: CallScript, node: Node, findings: list[Finding], incoming: list[str]) -> Card:
    quotes = [f.span.quote for f in findings if f.span is not None]
    return Card(
        node=node, anchor=anchor(node.id), type_label=TYPE_LABELS[node.type],
        is_start=node.id == script.start_node, is_refusal=node.id == script.compliance.refusal_node,
        fixed_wording=_fixed_wording(node),
        segments=prompt_segments(script, node.prompt.text, quotes) if node.prompt is not None else [],
        routes=_routes(script, node), incoming=incoming,
        findings=[_finding_view(f) for f in findings],
    )  # fmt: skip


def _lanes(script: CallScript, placement: Placement) -> list[Lane]:
    """One lane per stage in call order; a node sits in the lane of its first stage (its other stages are tags)."""
    incoming = _incoming(script)
    by_stage: dict[str, list[Card]] = {}
    for node in script.nodes:
        card = _card(script, node, placement.by_node.get(node.id, []), incoming.get(node.id, []))
        by_stage.setdefault(node.stages[0] if node.stages else UNSTAGED, []).append(card)
    order = [*STAGES, UNSTAGED]
    return [
        Lane(stage=stage, label=STAGE_LABELS.get(stage, "未标注阶段"), cards=by_stage[stage])
        for stage in order
        if stage in by_stage
    ]


def build_view(script: CallScript, findings: Sequence[Finding]) -> ScriptView:
    placement = place_findings(script, findings)
    handlers = [
        HandlerView(
            index=index,
            trigger=trigger_label(handler.when),
            priority=handler.priority,
            route=_target_view(script, trigger_label(handler.when), handler.to),
            findings=[_finding_view(f) for f in placement.by_handler.get(index, [])],
        )  # fmt: skip
        for index, handler in enumerate(script.global_handlers)
    ]
    counts = {severity: sum(1 for f in findings if f.severity == severity) for severity in ("block", "warn")}
    return ScriptView(
        script=script, lanes=_lanes(script, placement), handlers=handlers,
        general_findings=[_finding_view(f) for f in placement.general], counts=counts,
    )  # fmt: skip
