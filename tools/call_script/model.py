"""The call-script document: a versioned dialogue graph pulled by voice bots (channel-formats §2, trimmed).

Shape rules that need no other node (types, ranges, per-node-type fields, unique ids) are enforced here, so a
malformed document never loads. Rules that relate parts of the graph (route targets, declared variables and
intents, disclosure order, refusal handling) are reported as findings by ``validate.validate_script`` instead,
so a draft with a dangling reference can still be loaded, shown and fixed.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.domain import GenerationMode, ProductType
from core.settings import Settings
from tools.call_script.terms import (
    ID_PATTERN,
    NEVER_REQUEST_ALL,
    PROMPT_MAX_CHARS,
    REPEAT_TARGET,
    RETURN_TARGET,
    VARIABLE_NAME_PATTERN,
    Action,
    EndReason,
    Event,
    IntentCategory,
    NeverRequest,
    NodeType,
    PiiLevel,
    PromptMode,
    ScriptStatus,
    Stage,
    VariableSource,
    VariableType,
)


class _Strict(BaseModel):
    """Base: unknown keys are errors (a typo in a published script must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Institution(_Strict):
    legal_name: str = Field(min_length=2)
    short_name: str = Field(min_length=2, max_length=16)
    hotline: str = Field(pattern=r"^[0-9-]{3,20}$")

    @classmethod
    def from_settings(cls, settings: Settings) -> Institution:
        """The deploying bank, as configured (bank_name, bank_short_name, bank_hotline)."""
        return cls(
            legal_name=settings.bank_name, short_name=settings.bank_short_name, hotline=settings.bank_hotline
        )


class CampaignRef(_Strict):
    campaign_id: str = Field(min_length=1)
    product_type: ProductType
    product_name: str = Field(min_length=1)


class TimeWindow(_Strict):
    """A daily window in which a call may start, in the call policy's time zone."""

    start: time
    end: time

    @model_validator(mode="after")
    def _start_before_end(self) -> TimeWindow:
        if self.start >= self.end:
            raise ValueError(f"time window {self.start}-{self.end} must start before it ends")
        return self


class CallPolicy(_Strict):
    timezone: str = "Asia/Shanghai"
    allowed_windows: list[TimeWindow] = Field(min_length=1)
    max_call_duration_s: int = Field(gt=0, le=1800)
    max_attempts_per_day: int = Field(ge=1, le=5)  # 5 = the Aliyun platform ceiling (channel-formats §1)
    max_attempts_total: int = Field(ge=1)
    dnc_check_required: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _total_covers_daily(self) -> CallPolicy:
        if self.max_attempts_total < self.max_attempts_per_day:
            raise ValueError("max_attempts_total must be at least max_attempts_per_day")
        return self


class Variable(_Strict):
    name: str = Field(pattern=VARIABLE_NAME_PATTERN)
    type: VariableType = "string"
    source: VariableSource
    required: bool = True
    pii: PiiLevel = "none"


class Intent(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    category: IntentCategory
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class Trigger(_Strict):
    """What fires a global handler: one intent or one event."""

    intent: str | None = None
    event: Event | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        if (self.intent is None) == (self.event is None):
            raise ValueError("a trigger needs exactly one of intent or event")
        return self


class RouteWhen(_Strict):
    """What takes a route: an intent or an event, optionally refined by a condition (intent ∧ condition)."""

    intent: str | None = None
    event: Event | None = None
    condition: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_trigger(self) -> RouteWhen:
        if self.intent is not None and self.event is not None:
            raise ValueError("a route fires on an intent or an event, not both")
        if self.intent is None and self.event is None and self.condition is None:
            raise ValueError("a route needs an intent, an event or a condition")
        return self


class Route(_Strict):
    when: RouteWhen
    to: str = Field(min_length=1)


class GlobalHandler(_Strict):
    when: Trigger
    to: str = Field(min_length=1)
    priority: int = Field(ge=0, le=100)


class Prompt(_Strict):
    mode: PromptMode
    text: str = Field(min_length=1, max_length=PROMPT_MAX_CHARS)
    max_chars: int | None = Field(default=None, gt=0, le=PROMPT_MAX_CHARS)

    @model_validator(mode="after")
    def _bounds_only_for_generative(self) -> Prompt:
        if self.mode == "generative_bounded" and self.max_chars is None:
            raise ValueError("a generative_bounded prompt needs max_chars")
        if self.mode != "generative_bounded" and self.max_chars is not None:
            raise ValueError(f"max_chars applies only to generative_bounded prompts, not {self.mode}")
        if self.max_chars is not None and len(self.text) > self.max_chars:
            raise ValueError(f"prompt text has {len(self.text)} chars, over max_chars={self.max_chars}")
        return self


class Node(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    type: NodeType
    stages: list[Stage] = Field(default_factory=list)
    prompt: Prompt | None = None
    routes: list[Route] = Field(default_factory=list)
    next: str | None = None
    action: Action = "none"
    end_reason: EndReason | None = None
    locked: bool = False

    @model_validator(mode="after")
    def _shape_matches_type(self) -> Node:
        problem = _node_shape_problem(self)
        if problem:
            raise ValueError(f"node {self.id!r} ({self.type}): {problem}")
        return self


def _node_shape_problem(node: Node) -> str | None:
    """What is wrong with the fields a node of this type carries, or None (channel-formats §2 'Per type')."""
    if node.prompt is None and node.type != "action":
        return "needs a prompt"
    if node.locked and node.prompt is not None and node.prompt.mode == "generative_bounded":
        return "a locked node cannot be generative"
    if (node.end_reason is not None) != (node.type == "end"):
        return "end_reason is required on end nodes and only there"
    if node.action != "none" and node.type not in ("action", "end"):
        return "only action and end nodes carry an action"
    if node.next == RETURN_TARGET and node.type != "answer":
        return f"only answer nodes may continue to {RETURN_TARGET}"
    if node.next == REPEAT_TARGET:
        return f"{REPEAT_TARGET} is a route target, not a next node"
    if node.type == "end":
        return "an end node has no routes or next" if node.routes or node.next else None
    if node.type == "ask":
        return None if node.routes and node.next is None else "an ask node has routes and no next"
    if node.type == "transfer":
        return None if node.routes or node.next else "a transfer node needs a route for when it fails"
    if node.type == "action" and node.action == "none":
        return "an action node needs an action"
    return None if node.next and not node.routes else "needs a next node and no routes"


class Compliance(_Strict):
    refusal_node: str = Field(min_length=1)
    dnc_cooldown_days: int = Field(
        ge=180
    )  # ≥ 6 months on the do-not-call list (2013 insurance rule, CALL-03)
    forbidden_phrases: list[str] = Field(default_factory=list)
    never_request: list[NeverRequest] = Field(default_factory=lambda: list(NEVER_REQUEST_ALL))


class ScriptMetadata(_Strict):
    ai_generated: bool = True  # DESIGN §7: every AI-drafted artefact carries an AI-generated label
    generation_mode: GenerationMode = "offline"


class CallScript(_Strict):
    """One (script_id, version) dialogue graph. Published versions are immutable; changes make version + 1."""

    script_id: str = Field(min_length=1, max_length=128)
    version: int = Field(ge=1)
    status: ScriptStatus = "draft"
    content_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    metadata: ScriptMetadata = Field(default_factory=ScriptMetadata)
    institution: Institution
    campaign: CampaignRef
    call_policy: CallPolicy
    variables: list[Variable] = Field(default_factory=list)
    intents: list[Intent] = Field(default_factory=list)
    global_handlers: list[GlobalHandler] = Field(default_factory=list)
    nodes: list[Node] = Field(min_length=1)
    start_node: str = Field(min_length=1)
    compliance: Compliance

    @model_validator(mode="after")
    def _unique_ids(self) -> CallScript:
        for kind, ids in (
            ("node", [n.id for n in self.nodes]),
            ("intent", [i.id for i in self.intents]),
            ("variable", [v.name for v in self.variables]),
        ):
            duplicates = sorted({x for x in ids if ids.count(x) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} ids: {', '.join(duplicates)}")
        return self

    def node(self, node_id: str) -> Node | None:
        """The node with this id, or None."""
        return next((n for n in self.nodes if n.id == node_id), None)
