"""Typed errors raised by the call-script package (callers catch these, never bare ValueError text)."""

from __future__ import annotations


class CallScriptError(ValueError):
    """Base class: a call script or an operation on it is invalid."""


class ScriptBuildError(CallScriptError):
    """The offline builder cannot produce a valid script from its inputs (e.g. a loan without an APR)."""


class UnknownNodeError(CallScriptError):
    """A node id does not exist in the script."""


class NodeNotEditableError(CallScriptError):
    """A node's text may not be replaced (locked, verbatim, or without a prompt)."""


class ScriptNotEditableError(CallScriptError):
    """The script is past the draft stage: published versions are immutable, changes need version + 1."""


class MissingVariableError(CallScriptError):
    """A required per-lead variable was not supplied."""


class UnknownVariableError(CallScriptError):
    """A per-lead variable was supplied (or referenced) that the script does not declare."""
