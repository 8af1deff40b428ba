"""Call scripts as versioned dialogue graphs: model, hashing, validation, offline builder, per-lead rendering."""

from tools.call_script.build import build_first_contact_script, editable_node_ids, with_value_texts
from tools.call_script.errors import (
    CallScriptError,
    MissingVariableError,
    NodeNotEditableError,
    ScriptBuildError,
    ScriptNotEditableError,
    UnknownNodeError,
    UnknownVariableError,
)
from tools.call_script.hashing import content_hash, hash_matches, with_content_hash
from tools.call_script.model import CallScript, Institution
from tools.call_script.render import RenderedScript, flatten_text, node_at, render_for_lead, text_segments
from tools.call_script.validate import validate_script

__all__ = [
    "CallScript",
    "CallScriptError",
    "Institution",
    "MissingVariableError",
    "NodeNotEditableError",
    "RenderedScript",
    "ScriptBuildError",
    "ScriptNotEditableError",
    "UnknownNodeError",
    "UnknownVariableError",
    "build_first_contact_script",
    "content_hash",
    "editable_node_ids",
    "flatten_text",
    "hash_matches",
    "node_at",
    "render_for_lead",
    "text_segments",
    "validate_script",
    "with_content_hash",
    "with_value_texts",
]
