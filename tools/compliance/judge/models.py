"""Schemas of the LLM judge: what the model must answer, and what the judge hands back to its caller.

``JudgeVerdict`` is sent to the model as a strict JSON schema, so every field is required and every
vocabulary is a closed ``Literal``: the model cannot invent a rule id or an exemption ground. A bad *quote*
is not a schema error (one wrong quote must not throw away the rest of the answer); the judge checks each
quote against the original text and discards the ones that are not in it.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from core.domain import CheckResult, Finding

SemanticRuleId = Literal[
    "FM-01", "FM-03", "FM-04", "AD-01", "AD-03", "AD-05", "AD-06", "LN-04", "PI-03", "CALL-03"
]  # fmt: skip
SEMANTIC_RULE_IDS: tuple[str, ...] = get_args(SemanticRuleId)
"""The rules that need semantics (catalog §2 layer 3); only these are offered to the model."""

ExemptionGround = Literal[
    "none",
    "own_ideal",
    "consumer_tip",
    "name_or_award",
    "sourced_fact",
    "quotation",
    "investor_education",
    "negation",
]
EXEMPTION_GROUNDS: tuple[str, ...] = get_args(ExemptionGround)
GROUND_LABELS: dict[str, str] = {
    "none": "不豁免",
    "own_ideal": "表达自身经营理念或服务追求",
    "consumer_tip": "给消费者的使用提示",
    "name_or_award": "商品名称、商标或依法获得的荣誉",
    "sourced_fact": "有出处并限定时间或地域的事实",
    "quotation": "在警示或反诈提示中引用违规说法",
    "investor_education": "投资者教育或金融知识普及",
    "negation": "否定表述（如“不保本”）",
}
"""How each ground reads in the prompt and in reviewer notes."""

JudgeStatus = Literal["applied", "skipped_offline", "not_applicable", "failed"]


class JudgedFinding(BaseModel):
    """One semantic decision about a passage of the text."""

    rule_id: SemanticRuleId = Field(description="The rule judged; only rules listed in the request.")
    quote: str = Field(description="The passage, copied character for character from the text.")
    decision: Literal["violation", "not_violation"]
    reason: str = Field(description="Why, in one or two Chinese sentences.")


class HintConfirmation(BaseModel):
    """The model's view of one deterministic hit (hint) it was shown."""

    hint_id: str = Field(description="The hint's id as given in the request, e.g. H1.")
    rule_id: SemanticRuleId = Field(description="The hint's rule id, repeated as a consistency check.")
    decision: Literal["keep", "drop"]
    ground: ExemptionGround = Field(description="Why it may be dropped; none when kept.")
    reason: str = Field(description="Why, in one or two Chinese sentences.")


class JudgeVerdict(BaseModel):
    """The model's whole answer for one text."""

    findings: list[JudgedFinding] = Field(description="Semantic violations (and explicit non-violations).")
    confirmations: list[HintConfirmation] = Field(description="One entry per hint shown in the request.")


class DroppedHint(BaseModel):
    """A deterministic finding the judge removed, kept for the audit trail and the reviewer."""

    model_config = ConfigDict(frozen=True)

    finding: Finding
    ground: ExemptionGround
    reason: str


class JudgedResult(BaseModel):
    """The merged check result and how the judge took part in it.

    ``judge_status``: ``applied`` (the model answered and its answer was merged), ``skipped_offline`` (no
    endpoint configured, the model was not called), ``not_applicable`` (no semantic rule is in scope for this
    channel and product), ``failed`` (the endpoint failed or answered unusably). In every status but
    ``applied`` ``result`` is the deterministic result unchanged.
    """

    result: CheckResult
    judge_status: JudgeStatus
    notes: list[str] = Field(default_factory=list)
    discarded_quotes: int = Field(
        default=0, ge=0, description="Model findings whose quote is not in the text."
    )
    dropped: list[DroppedHint] = Field(default_factory=list)
