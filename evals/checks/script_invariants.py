"""Structural invariants of a first-contact call script, checked independently of the validator under test.

1. The bot's first turn names the bank.
2. On every path from the start, a node that says the caller is an AI comes before any pitch node.
3. On every ask node, every refusal intent leads to a locked, verbatim end node that registers do-not-call.

The walk follows routes, ``next``, global handlers (only where the bot listens, i.e. ask nodes), ``@repeat``
and ``@return`` (back to the interrupted ask node), over states (node, return-to, disclosed) — a finite space,
so the search is exact.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator

from tools.call_script.model import CallScript, Node

AI_WORDS = re.compile(r"AI|人工智能|智能语音|智能助理|语音助理|语音助手|机器人", re.IGNORECASE)
PITCH_STAGES = frozenset({"value_proposition", "qualification", "objection_handling"})
REPEAT, RETURN = "@repeat", "@return"
_State = tuple[str, str | None, bool]


def _says_ai(node: Node) -> bool:
    return node.prompt is not None and bool(AI_WORDS.search(node.prompt.text))


def first_turn_text(script: CallScript) -> str:
    """What the bot says before it first listens: the start node and the say nodes it chains to."""
    nodes = {n.id: n for n in script.nodes}
    spoken: list[str] = []
    node, seen = nodes.get(script.start_node), set()
    while node is not None and node.id not in seen:
        seen.add(node.id)
        spoken.append(node.prompt.text if node.prompt else "")
        node = nodes.get(node.next or "") if node.type == "say" else None
    return "".join(spoken)


def _targets(script: CallScript, node: Node) -> list[str]:
    targets = [route.to for route in node.routes] + ([node.next] if node.next else [])
    if node.type == "ask":
        targets += [handler.to for handler in script.global_handlers]
    return targets


def _successors(script: CallScript, nodes: dict[str, Node], state: _State) -> Iterator[_State]:
    node_id, return_to, disclosed = state
    node = nodes[node_id]
    back_to = node_id if node.type == "ask" else return_to
    for target in _targets(script, node):
        resolved = {REPEAT: node_id if node.type == "ask" else None, RETURN: return_to}.get(target, target)
        if resolved in nodes:
            yield resolved, back_to, disclosed or _says_ai(nodes[resolved])


def pitches_before_ai_disclosure(script: CallScript) -> list[str]:
    """Pitch nodes that some path reaches before the caller has said it is an AI."""
    nodes = {n.id: n for n in script.nodes}
    if script.start_node not in nodes:
        return []
    start: _State = (script.start_node, None, _says_ai(nodes[script.start_node]))
    seen, queue, early = {start}, deque([start]), set()
    while queue:
        state = queue.popleft()
        if not state[2] and PITCH_STAGES.intersection(nodes[state[0]].stages):
            early.add(state[0])
        for following in _successors(script, nodes, state):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return sorted(early)


def _is_dnc_end(node: Node | None) -> bool:
    return (
        node is not None and node.type == "end" and node.locked and node.action == "register_dnc"
        and node.end_reason == "refused_dnc" and node.prompt is not None and node.prompt.mode == "verbatim"
    )  # fmt: skip


def _refusal_target(script: CallScript, node: Node, intent_id: str) -> str | None:
    """Where a refusal on this ask node goes: an unconditional local route first, else the top global handler."""
    local = [r.to for r in node.routes if r.when.intent == intent_id and r.when.condition is None]
    if local:
        return local[0]
    handlers = [h for h in script.global_handlers if h.when.intent == intent_id]
    return max(handlers, key=lambda h: h.priority).to if handlers else None


def refusal_gaps(script: CallScript) -> list[str]:
    """'node: refusal intent → target' for every ask node whose refusal does not end in a do-not-call node."""
    nodes = {n.id: n for n in script.nodes}
    refusals = [intent.id for intent in script.intents if intent.category == "refuse"]
    if not refusals:
        return ["no refusal intent declared"]
    gaps = []
    for node in (n for n in script.nodes if n.type == "ask"):
        for intent_id in refusals:
            target = _refusal_target(script, node, intent_id)
            if not _is_dnc_end(nodes.get(target or "")):
                gaps.append(f"{node.id}: {intent_id} → {target or 'nowhere'}")
    return gaps


def invariant_violations(script: CallScript, bank_short_name: str) -> list[str]:
    """Every broken invariant, as one line each (empty = the script keeps all three)."""
    problems = []
    if bank_short_name not in first_turn_text(script):
        problems.append(f"first turn does not name the bank {bank_short_name!r}")
    problems += [
        f"pitch node {n!r} reachable before the AI disclosure" for n in pitches_before_ai_disclosure(script)
    ]
    return problems + [
        f"refusal not routed to a locked do-not-call end: {gap}" for gap in refusal_gaps(script)
    ]
