"""Validate a call script against the graph invariants and the call rules of the compliance catalog."""

from __future__ import annotations

from datetime import time

from core.domain import Finding
from tools.call_script.check_rules import (
    check_attempt_caps,
    check_calling_window,
    check_disclosure_order,
    check_opening,
    check_refusal,
)
from tools.call_script.check_structure import check_structure
from tools.call_script.check_text import check_ai_disclosure_wording, check_texts
from tools.call_script.errors import CallScriptError
from tools.call_script.graph import ScriptGraph
from tools.call_script.model import CallScript


def validate_script(
    script: CallScript, *, bank_short_name: str, calling_window: tuple[time, time]
) -> list[Finding]:
    """Every finding on ``script`` (empty list = valid), in a stable order: structure first, then rules, texts.

    ``bank_short_name`` and ``calling_window`` come from the deploying bank's settings: the script must speak
    for that bank and call only inside those hours.
    """
    if not bank_short_name.strip():
        raise CallScriptError("bank_short_name must not be empty")
    if calling_window[0] >= calling_window[1]:
        raise CallScriptError(
            f"calling window {calling_window[0]}-{calling_window[1]} must start before it ends"
        )
    graph = ScriptGraph(script)
    findings = check_structure(script, graph)
    findings.extend(check_calling_window(script, calling_window))
    findings.extend(check_opening(script, graph, bank_short_name))
    findings.extend(check_disclosure_order(graph))
    findings.extend(check_ai_disclosure_wording(script))
    findings.extend(check_refusal(script, graph))
    findings.extend(check_attempt_caps(script))
    findings.extend(check_texts(script))
    return findings
