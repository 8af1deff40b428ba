"""The one edit allowed on a built draft: new wording for its editable (unlocked, non-verbatim) prompts.

This is what the LLM path uses: the graph, the disclosures and the refusal handling stay exactly as built.
"""

from __future__ import annotations

from pydantic import ValidationError

from tools.call_script.errors import (
    CallScriptError,
    NodeNotEditableError,
    ScriptNotEditableError,
    UnknownNodeError,
)
from tools.call_script.hashing import with_content_hash
from tools.call_script.model import CallScript, Node, Prompt


def editable_node_ids(script: CallScript) -> list[str]:
    """Ids of the nodes whose text ``with_value_texts`` may replace, in node order."""
    return [
        n.id for n in script.nodes if n.prompt is not None and not n.locked and n.prompt.mode != "verbatim"
    ]


def _rewritten(node: Node, text: str) -> Node:
    if node.prompt is None:
        raise NodeNotEditableError(f"node {node.id!r} has no prompt to rewrite")
    if node.locked:
        raise NodeNotEditableError(f"node {node.id!r} is locked: its wording is fixed")
    if node.prompt.mode == "verbatim":
        raise NodeNotEditableError(f"node {node.id!r} is verbatim: its wording is fixed")
    try:
        prompt = Prompt(mode=node.prompt.mode, text=text, max_chars=node.prompt.max_chars)
    except ValidationError as exc:
        raise CallScriptError(f"node {node.id!r}: new text rejected: {exc.errors()[0]['msg']}") from exc
    return node.model_copy(update={"prompt": prompt})


def with_value_texts(script: CallScript, texts: dict[str, str]) -> CallScript:
    """A copy of a draft with the given nodes' texts replaced and its hash recomputed.

    Raises ``UnknownNodeError`` for an id the script lacks, ``NodeNotEditableError`` for a locked or verbatim
    node, ``ScriptNotEditableError`` when the script is no longer a draft (published versions are immutable).
    """
    if script.status != "draft":
        raise ScriptNotEditableError(
            f"script {script.script_id!r} v{script.version} is {script.status}, not draft"
        )
    unknown = sorted(set(texts) - {node.id for node in script.nodes})
    if unknown:
        raise UnknownNodeError(f"no such node(s) in script {script.script_id!r}: {', '.join(unknown)}")
    nodes = [_rewritten(node, texts[node.id]) if node.id in texts else node for node in script.nodes]
    return with_content_hash(script.model_copy(update={"nodes": nodes}))
