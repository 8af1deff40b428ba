"""The rules the call-script validator reports, with their category, severity, citation and fix hint.

Citations follow /work/shared/reference/compliance-rules.md §1.7 (and §1.6 for personal data); structural rules
have no legal source and cite the project's script invariants (channel-formats §2) instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import Category, Finding, Severity, Span

DETECTOR = "call_script.validate"


@dataclass(frozen=True)
class RuleSpec:
    """One reportable rule: everything a finding needs except the node-specific message and span."""

    rule_id: str
    category: Category
    severity: Severity
    citation: str
    fix: str

    def finding(self, message: str, span: Span | None = None, *, severity: Severity | None = None) -> Finding:
        """A finding for this rule; ``severity`` overrides the default where the catalog allows both."""
        return Finding(
            rule_id=self.rule_id,
            category=self.category,
            severity=severity or self.severity,
            span=span,
            message=message,
            citation=self.citation,
            fix=self.fix,
            detector=DETECTOR,
        )


_STRUCT_CITATION = "话术结构规范：channel-formats §2 validator invariants [CONV]"

CALL_01 = RuleSpec(
    "CALL-01",
    "call_rule",
    "block",
    "人身保险电话销售业务管理办法（保监发〔2013〕40号）第二十五条 [S]",
    "Keep every allowed calling window inside the bank's calling hours.",
)
CALL_02 = RuleSpec(
    "CALL-02",
    "call_rule",
    "block",
    "广告法第四十三条第二款 by analogy [V]; 消保法第二十条 [V]",
    "Open with the bank's name, who is calling and why, before any product talk.",
)
CALL_02_RECORDING = RuleSpec(
    "CALL-02",
    "call_rule",
    "warn",
    "人身保险电话销售业务管理办法（保监发〔2013〕40号）全程录音 [S], by analogy [CONV]",
    "Say that the call is recorded in the opening, before any product talk.",
)
CALL_03 = RuleSpec(
    "CALL-03",
    "call_rule",
    "block",
    "消保法实施条例第二十四条 [S]; 2013 insurance rule (≥ 6 months) [S]",
    "Route every refusal to the refusal node: a locked, verbatim end node that registers do-not-call.",
)
CALL_04 = RuleSpec(
    "CALL-04",
    "ai_disclosure",
    "block",
    "人工智能生成合成内容标识办法 (2025) [S]; 深度合成管理规定 [M]",
    "Say that the caller is an AI voice assistant before any pitch; never claim to be human.",
)
CALL_05 = RuleSpec(
    "CALL-05",
    "call_rule",
    "warn",
    "2013 insurance notices (complaint-driven limits) [S]; numbers are bank policy [M]",
    "Lower the attempt caps to the bank's frequency policy.",
)
PERSONAL_DATA_REQUEST = RuleSpec(
    "CALL-PI",
    "personal_data",
    "block",
    "个人信息保护法第六条（最小必要）[V]; channel-formats §4 derived behaviour (4) [CONV]",
    "Never ask for codes, passwords, card, CVV or ID numbers; point the customer to the official hotline.",
)
FORBIDDEN_PHRASE = RuleSpec(
    "CALL-PHRASE",
    "call_rule",
    "block",
    "关于进一步规范金融营销宣传行为的通知（银发〔2019〕316号） [S]; 广告法第二十五条 [V]",
    "Remove the forbidden phrase.",
)
STRUCT_TARGET = RuleSpec(
    "CALL-S01", "call_rule", "block", _STRUCT_CITATION, "Point the route at a declared node."
)
STRUCT_REFERENCE = RuleSpec(
    "CALL-S02",
    "call_rule",
    "block",
    _STRUCT_CITATION,
    "Declare the variable or intent, or remove the reference.",
)
STRUCT_REACH_END = RuleSpec(
    "CALL-S03", "call_rule", "block", _STRUCT_CITATION, "Give the node a path to an end node."
)
STRUCT_LISTEN = RuleSpec(
    "CALL-S04",
    "call_rule",
    "block",
    _STRUCT_CITATION,
    "Handle no_input_exhausted and no_match_exhausted on the ask node or with a global handler.",
)
STRUCT_UNREACHABLE = RuleSpec(
    "CALL-S05", "call_rule", "warn", _STRUCT_CITATION, "Connect the node to the graph or remove it."
)
STRUCT_HASH = RuleSpec(
    "CALL-S06", "call_rule", "block", _STRUCT_CITATION, "Recompute the content hash after editing the script."
)
STRUCT_LOCKED_DISCLOSURE = RuleSpec(
    "CALL-S07",
    "call_rule",
    "block",
    _STRUCT_CITATION,
    "Make disclosure and refusal prompts verbatim or template, never generative.",
)
