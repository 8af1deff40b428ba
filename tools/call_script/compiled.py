"""A published script compiled once for fast per-lead rendering (the voice bot's pull is the hot path).

``render_for_lead`` copies every node as a Pydantic model and then serialises the result: correct, but ~1 ms a
call. A published version never changes, so ``CompiledScript`` serialises the script once with a unique marker in
place of every ``${variable}``, splits the JSON text at the markers, and renders a lead by joining the pieces with
the lead's JSON-escaped values. The output parses to exactly what
``render_for_lead(script, values).script.model_dump(mode="json")`` gives (tests hold both paths equal).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from tools.call_script.errors import CallScriptError, UnknownVariableError
from tools.call_script.hashing import hash_matches
from tools.call_script.model import CallScript
from tools.call_script.render import mask_value, resolved_values
from tools.call_script.terms import VARIABLE_REFERENCE

# Private-use code points: never produced by a JSON encoder on their own, and refused in prompt texts below, so
# a marker in the serialised text can only be one we placed.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
# Rendered pull texts kept per script (~10 kB each): covers the distinct (surname, honorific) pairs of a list.
PULL_FIELDS_MEMO = 256
_MARKER = re.compile(f"{_MARK_OPEN}([A-Za-z_][A-Za-z0-9_]*){_MARK_CLOSE}")


class CompiledScript:
    """One immutable published script: parsed and checked once, rendered per lead as JSON text."""

    def __init__(self, script: CallScript) -> None:
        """Refuses a script whose content hash is missing or stale: what the bot receives is what was approved."""
        if not hash_matches(script):
            raise CallScriptError(
                f"script {script.script_id!r} v{script.version}: content hash missing or stale"
            )
        self.script = script
        self._pii = {v.name: v.pii for v in script.variables}
        self.call_policy_json: dict[str, Any] = script.call_policy.model_dump(mode="json")
        self.policy_zone = ZoneInfo(script.call_policy.timezone)
        self.policy_windows = tuple((w.start, w.end) for w in script.call_policy.allowed_windows)
        self._pieces = _split_at_markers(_marked_json(script))
        self._call_policy_text = _compact_json(self.call_policy_json)
        # Per instance, so the memo lives and dies with its (immutable) script; values are per lead but few
        # distinct (surname and honorific), so most pulls reuse a rendered text.
        self._pull_fields = lru_cache(maxsize=PULL_FIELDS_MEMO)(self._render_pull_fields)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> CompiledScript:
        """Compile a stored script document (a publication's ``content["script"]``)."""
        return cls(CallScript.model_validate(document))

    def values_for(self, variables: dict[str, str]) -> dict[str, str]:
        """Every declared variable's value; raises naming a missing required or an undeclared one."""
        return resolved_values(self.script, variables)

    def masked(self, values: dict[str, str]) -> dict[str, str]:
        """The values as logs and the console may show them (``render.mask_value`` per declared PII level)."""
        return {name: mask_value(value, self._pii[name]) for name, value in values.items()}

    def pull_fields_json(self, variables: dict[str, str]) -> str:
        """``"call_policy":…,"variables":…,"script":…`` of a pull for a lead's variables, as ``json.dumps`` writes
        them in a compact dict (``ensure_ascii=False``); raises as ``values_for`` does.

        Memoised by the variables, which with this immutable script fully determine the text.
        """
        return self._pull_fields(tuple(variables.items()))

    def _render_pull_fields(self, items: tuple[tuple[str, str], ...]) -> str:
        values = self.values_for(dict(items))
        return (
            f'"call_policy":{self._call_policy_text},"variables":{_compact_json(self.masked(values))},'
            f'"script":{self.render_json(values)}'
        )

    def render_json(self, values: dict[str, str]) -> str:
        """The rendered script as JSON text; ``values`` must come from ``values_for``."""
        parts: list[str] = []
        for index, piece in enumerate(self._pieces):
            # Even positions are literal JSON, odd positions are variable names (re.split keeps the groups).
            parts.append(piece if index % 2 == 0 else _json_string_body(values[piece]))
        return "".join(parts)


def _marked_json(script: CallScript) -> str:
    """The script as a pull returns it (no content hash of its own), with markers where variables go."""
    document = script.model_dump(mode="json")
    document["content_hash"] = None  # a per-lead copy is not a publishable document (as in render_for_lead)
    declared = {v.name for v in script.variables}
    for node in document["nodes"]:
        prompt = node.get("prompt")
        if prompt is None:
            continue
        text = prompt["text"]
        if _MARK_OPEN in text or _MARK_CLOSE in text:
            raise CallScriptError(f"node {node['id']!r}: prompt text contains a reserved character")
        prompt["text"] = VARIABLE_REFERENCE.sub(partial(_marker, node_id=node["id"], declared=declared), text)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _marker(match: re.Match[str], node_id: str, declared: set[str]) -> str:
    name = match.group(1)
    if name not in declared:
        raise UnknownVariableError(f"node {node_id!r} uses undeclared variable ${{{name}}}")
    return f"{_MARK_OPEN}{name}{_MARK_CLOSE}"


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _split_at_markers(text: str) -> list[str]:
    return _MARKER.split(text)


def _json_string_body(value: str) -> str:
    """``value`` escaped for use inside a JSON string (the quotes around it are already in the template)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]
