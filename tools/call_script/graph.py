"""Walks of the dialogue graph: which nodes a call can visit, which reach an end, and disclosure order.

A call's position is a state ``(node, return_to)``: ``return_to`` is the ask node an answer node goes back to
through ``@return`` (the ask node the customer interrupted). Global handlers fire only where the bot listens,
that is from ask nodes; ``@repeat`` re-plays the ask node it fires from. The state space is finite
(nodes × (ask nodes + 1)), so breadth-first search over it is exact, not an approximation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from tools.call_script.model import CallScript, Node
from tools.call_script.terms import REPEAT_TARGET, RETURN_TARGET, Stage

State = tuple[str, str | None]
PITCH_STAGES: frozenset[Stage] = frozenset({"value_proposition", "qualification", "objection_handling"})


class ScriptGraph:
    """Read-only view of a script's transitions. Dangling targets are skipped here (reported as CALL-S01)."""

    def __init__(self, script: CallScript) -> None:
        self.script = script
        self.nodes: dict[str, Node] = {n.id: n for n in script.nodes}

    def declared_targets(self, node: Node) -> list[str]:
        """Every target the node can move to, as written: routes, next, and global handlers on ask nodes."""
        targets = [route.to for route in node.routes]
        if node.next is not None:
            targets.append(node.next)
        if node.type == "ask":
            targets.extend(handler.to for handler in self.script.global_handlers)
        return targets

    def successors(self, state: State) -> Iterator[State]:
        """The states one step after ``state``, with pseudo targets resolved."""
        node_id, return_to = state
        node = self.nodes[node_id]
        next_return = node_id if node.type == "ask" else return_to
        for target in self.declared_targets(node):
            if target == REPEAT_TARGET:
                resolved: str | None = node_id if node.type == "ask" else None
            elif target == RETURN_TARGET:
                resolved = return_to
            else:
                resolved = target
            if resolved is not None and resolved in self.nodes:
                yield resolved, next_return

    def start_state(self) -> State | None:
        """The state a call starts in, or None when the start node is not declared."""
        return (self.script.start_node, None) if self.script.start_node in self.nodes else None

    def reachable_states(self) -> set[State]:
        """Every state a call can be in, starting from the start node."""
        start = self.start_state()
        if start is None:
            return set()
        seen = {start}
        queue = deque([start])
        while queue:
            for following in self.successors(queue.popleft()):
                if following not in seen:
                    seen.add(following)
                    queue.append(following)
        return seen

    def nodes_that_cannot_end(self) -> list[str]:
        """Reachable nodes from which no continuation of the call reaches an end node."""
        states = self.reachable_states()
        can_end = {s for s in states if self.nodes[s[0]].type == "end"}
        changed = True
        while changed:  # backward fixpoint: a state can end when one of its successors can
            changed = False
            for state in states - can_end:
                if any(following in can_end for following in self.successors(state)):
                    can_end.add(state)
                    changed = True
        ending_nodes = {node_id for node_id, _ in can_end}
        reachable_nodes = {node_id for node_id, _ in states}
        return sorted(reachable_nodes - ending_nodes)

    def unreachable_nodes(self) -> list[str]:
        """Declared nodes no call from the start node can visit."""
        reachable_nodes = {node_id for node_id, _ in self.reachable_states()}
        return [n.id for n in self.script.nodes if n.id not in reachable_nodes]

    def pitches_before(self, stage: Stage) -> dict[str, list[str]]:
        """Pitch nodes some path reaches before any node tagged ``stage``, each with one witness path.

        A node that carries both the stage and a pitch stage counts as disclosed: its prompt says both.
        """
        start = self.start_state()
        if start is None:
            return {}
        first = (start, stage in self.nodes[start[0]].stages)
        parents: dict[tuple[State, bool], tuple[State, bool] | None] = {first: None}
        queue = deque([first])
        violations: dict[str, list[str]] = {}
        while queue:
            current = queue.popleft()
            (node_id, _), disclosed = current
            if not disclosed and PITCH_STAGES.intersection(self.nodes[node_id].stages):
                violations.setdefault(node_id, _witness(parents, current))
            for following in self.successors(current[0]):
                key = (following, disclosed or stage in self.nodes[following[0]].stages)
                if key not in parents:
                    parents[key] = current
                    queue.append(key)
        return violations


def _witness(
    parents: dict[tuple[State, bool], tuple[State, bool] | None], end: tuple[State, bool]
) -> list[str]:
    """The node ids on the search path that led to ``end``, from the start node."""
    path: list[str] = []
    cursor: tuple[State, bool] | None = end
    while cursor is not None:
        path.append(cursor[0][0])
        cursor = parents[cursor]
    return list(reversed(path))
