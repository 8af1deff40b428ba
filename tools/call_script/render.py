"""Per-lead rendering of a script (variables filled, PII masked for logs) and flattening for the text checker."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from core.masking import mask_id_number
from tools.call_script.errors import MissingVariableError, UnknownVariableError
from tools.call_script.model import CallScript, Node
from tools.call_script.terms import VARIABLE_REFERENCE, PiiLevel

TEXT_SEPARATOR = "\n"
SENSITIVE_MASK = "******"  # fixed length: a sensitive value's length is itself information
_LONG_NUMBER = re.compile(r"^\+?\d{7,}$")


class RenderedScript(BaseModel):
    """A script ready for one call. ``script`` holds real values (for the bot only, never logged);
    ``masked_variables`` is what logs, prompts to an LLM and the console may show."""

    model_config = ConfigDict(frozen=True)

    script: CallScript = Field(repr=False)
    source_version: int
    source_content_hash: str | None
    masked_variables: dict[str, str]


class TextSegment(BaseModel):
    """Where one node's prompt sits in ``flatten_text``'s output: [start, end)."""

    model_config = ConfigDict(frozen=True)

    node_id: str
    start: int
    end: int


def mask_value(value: str, pii: PiiLevel) -> str:
    """Mask a variable value for logs.

    Long digit runs (phone, ID, card) keep the catalog's first 3 / last 4 (``core.masking``). Other personal
    values keep only their first character: ``core.masking.mask_name`` keeps the whole surname, which for a
    surname-only variable such as ``customer_surname`` would be the whole value.
    """
    if pii == "none":
        return value
    if pii == "sensitive":
        return SENSITIVE_MASK
    if _LONG_NUMBER.match(value):
        return mask_id_number(value)
    if len(value) <= 1:
        return "*"
    return value[0] + "*" * (len(value) - 1)


def resolved_values(script: CallScript, variables: dict[str, str]) -> dict[str, str]:
    """Every declared variable's value from ``variables``; raises naming any missing required or unknown one."""
    declared = {v.name: v for v in script.variables}
    unknown = sorted(set(variables) - set(declared))
    if unknown:
        raise UnknownVariableError(
            f"script {script.script_id!r} does not declare variable(s): {', '.join(unknown)}"
        )
    missing = sorted(
        name for name, v in declared.items() if v.required and not variables.get(name, "").strip()
    )
    if missing:
        raise MissingVariableError(f"missing required variable(s): {', '.join(missing)}")
    return {name: variables.get(name, "") for name in declared}


def _filled(node: Node, values: dict[str, str]) -> Node:
    if node.prompt is None:
        return node

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise UnknownVariableError(f"node {node.id!r} uses undeclared variable ${{{name}}}")
        return values[name]

    # One pass: a value that itself contains "${...}" is spoken as is, never expanded again.
    text = VARIABLE_REFERENCE.sub(substitute, node.prompt.text)
    return node.model_copy(update={"prompt": node.prompt.model_copy(update={"text": text})})


def render_for_lead(script: CallScript, variables: dict[str, str]) -> RenderedScript:
    """The script with every ``${var}`` filled from ``variables``; raises naming any missing or unknown one."""
    values = resolved_values(script, variables)
    nodes = [_filled(node, values) for node in script.nodes]
    # The filled copy is per call, not a publishable document: it carries no content hash of its own.
    rendered = script.model_copy(update={"nodes": nodes, "content_hash": None})
    pii = {v.name: v.pii for v in script.variables}
    return RenderedScript(
        script=rendered,
        source_version=script.version,
        source_content_hash=script.content_hash,
        masked_variables={name: mask_value(value, pii[name]) for name, value in values.items()},
    )


def text_segments(script: CallScript) -> list[TextSegment]:
    """Each prompted node's place in the flattened text, in declaration order."""
    segments: list[TextSegment] = []
    offset = 0
    for node in script.nodes:
        if node.prompt is None:
            continue
        segments.append(TextSegment(node_id=node.id, start=offset, end=offset + len(node.prompt.text)))
        offset += len(node.prompt.text) + len(TEXT_SEPARATOR)
    return segments


def flatten_text(script: CallScript) -> str:
    """All prompt texts joined by newlines, in node order (what the text compliance checker reads)."""
    return TEXT_SEPARATOR.join(node.prompt.text for node in script.nodes if node.prompt is not None)


def node_at(script: CallScript, offset: int) -> str | None:
    """The id of the node whose text covers ``offset`` in ``flatten_text`` (maps a checker span to a node)."""
    return next((s.node_id for s in text_segments(script) if s.start <= offset < s.end), None)
