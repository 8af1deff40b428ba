"""The fixed vocabularies of a call script (channel-formats §2): statuses, stages, events, intents, modes."""

from __future__ import annotations

import re
from typing import Literal, get_args

ScriptStatus = Literal["draft", "in_review", "approved", "published", "retired"]
PiiLevel = Literal["none", "personal", "sensitive"]
VariableType = Literal["string", "number", "date", "bool"]
VariableSource = Literal["lead", "crm", "campaign", "runtime", "system"]
IntentCategory = Literal[
    "affirm",
    "deny",
    "refuse",
    "request_human",
    "question",
    "objection",
    "busy",
    "wrong_person",
    "complaint",
    "repeat",
    "robot_check",
    "other",
]
Event = Literal[
    "no_input",
    "no_match",
    "no_input_exhausted",
    "no_match_exhausted",
    "max_duration",
    "max_turns",
    "transfer_failed",
    "action_succeeded",
    "action_failed",
    "always",
]
NodeType = Literal["say", "ask", "answer", "action", "transfer", "end"]
Stage = Literal[
    "opening",
    "identity_disclosure",
    "ai_disclosure",
    "recording_notice",
    "purpose_disclosure",
    "permission_check",
    "value_proposition",
    "qualification",
    "objection_handling",
    "faq",
    "risk_disclosure",
    "next_step_offer",
    "dnc_confirmation",
    "transfer",
    "closing",
]
STAGES: tuple[str, ...] = get_args(Stage)
PromptMode = Literal["verbatim", "template", "generative_bounded"]
Action = Literal["register_dnc", "send_sms", "schedule_callback", "create_lead", "none"]
EndReason = Literal[
    "completed",
    "refused_dnc",
    "not_interested",
    "wrong_person",
    "call_later",
    "no_response",
    "transfer_failed",
]
NeverRequest = Literal[
    "sms_otp", "password", "full_card_number", "cvv", "full_id_number", "remote_screen_share", "fund_transfer"
]
NEVER_REQUEST_ALL: tuple[NeverRequest, ...] = get_args(NeverRequest)

REPEAT_TARGET = "@repeat"  # re-play the current ask node (repeat handler, re-prompts)
RETURN_TARGET = "@return"  # an answer node goes back to the ask node it interrupted
PSEUDO_TARGETS = frozenset({REPEAT_TARGET, RETURN_TARGET})
ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
VARIABLE_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
PROMPT_MAX_CHARS = 300
# Any ``${...}``: the name inside is checked against the declared variables, so a malformed name is reported too.
VARIABLE_REFERENCE = re.compile(r"\$\{([^{}]*)\}")


def referenced_variables(text: str) -> list[str]:
    """The variable names a text refers to as ``${name}``, in order of appearance."""
    return VARIABLE_REFERENCE.findall(text)
