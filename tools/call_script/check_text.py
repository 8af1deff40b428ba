"""Checks on what the bot says: credential requests, forbidden phrases, impersonation, AI-disclosure wording.

These are deliberately narrow, per-node lexical checks with spans into the node's prompt text; the full text
compliance checker (normalisation, negation windows, LLM judgment) runs on ``render.flatten_text`` as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from core.domain import Finding, Span
from tools.call_script import catalog
from tools.call_script.model import CallScript, Node
from tools.call_script.terms import NeverRequest

# What a bot must never ask for, whatever the script declares (brief + channel-formats §4 behaviour (4)).
MANDATORY_NEVER_REQUEST: frozenset[NeverRequest] = frozenset(
    {"sms_otp", "password", "full_card_number", "cvv", "full_id_number"}
)
CREDENTIAL_TERMS: dict[NeverRequest, re.Pattern[str]] = {
    "sms_otp": re.compile(r"验证码|动态码|校验码|短信码"),
    "password": re.compile(r"密码"),
    "full_card_number": re.compile(r"卡号"),
    "cvv": re.compile(r"CVV2?|安全码|卡背面?的?(?:三|3)位", re.IGNORECASE),
    "full_id_number": re.compile(r"身份证号码?|证件号码?"),
    "remote_screen_share": re.compile(r"屏幕共享|共享屏幕|远程协助|远程控制"),
    "fund_transfer": re.compile(r"转账|汇款|打款"),
}
# A clause that warns against giving the item away ("银行不会索要验证码", "谨防诈骗") is not a request.
_WARNING_CLAUSE = re.compile(r"不会|不要|请勿|切勿|勿|不得|绝不|从不|无需|不需要|不用|诈骗|骗子|谨防|警惕")
# Asking for the last four digits identifies a card or ID without exposing it.
_PARTIAL_NUMBER = re.compile(r"后(?:四|4)位|末(?:四|4)位|尾号")
_PARTIAL_OK: frozenset[NeverRequest] = frozenset({"full_card_number", "full_id_number"})
_CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\n]")

BASELINE_FORBIDDEN_PHRASES: tuple[str, ...] = (
    "保本保息",
    "保本",
    "保收益",
    "无风险",
    "零风险",
    "稳赚",
    "稳赚不赔",
    "包过",
    "包下款",
    "秒批",
    "必过",
    "100%通过",
    "百分百通过",
    "不看征信",
)
_NEGATORS = ("不", "非", "无", "未", "没")
_NEGATION_WINDOW = 3

IMPERSONATION = re.compile(
    r"我(?:是|就是)(?:一位|一名)?(?:真人|人工客服|您的专属客户经理|客户经理|理财经理)|我不是(?:机器人|AI|人工智能)"
)
AI_MARKER = re.compile(r"AI|人工智能|智能语音|智能助理|智能客服|机器人|语音助手|语音助理", re.IGNORECASE)


def check_texts(script: CallScript) -> list[Finding]:
    """Every text finding over every node's prompt, in node order."""
    never = MANDATORY_NEVER_REQUEST | frozenset(script.compliance.never_request)
    phrases = sorted(set(BASELINE_FORBIDDEN_PHRASES) | set(script.compliance.forbidden_phrases), key=len)
    findings: list[Finding] = []
    for node in script.nodes:
        if node.prompt is None:
            continue
        findings.extend(_credential_requests(node, node.prompt.text, never))
        findings.extend(_forbidden_phrases(node, node.prompt.text, phrases))
        findings.extend(_impersonation(node, node.prompt.text))
    return findings


def _clause(text: str, start: int, end: int) -> str:
    """The clause (between punctuation) that contains text[start:end]."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right_match = _CLAUSE_BREAK.search(text, end)
    return text[left : right_match.start() if right_match else len(text)]


def _span(text: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, quote=text[start:end])


def _credential_requests(node: Node, text: str, never: frozenset[NeverRequest]) -> Iterator[Finding]:
    for item in sorted(never):
        for match in CREDENTIAL_TERMS[item].finditer(text):
            clause = _clause(text, match.start(), match.end())
            if _WARNING_CLAUSE.search(clause) or (item in _PARTIAL_OK and _PARTIAL_NUMBER.search(clause)):
                continue
            yield catalog.PERSONAL_DATA_REQUEST.finding(
                f"node {node.id!r} asks for {item} ({match.group()})", _span(text, match.start(), match.end())
            )


def _negated(text: str, start: int) -> bool:
    """True when a negator sits just before ``start`` in the same clause ("不保本", "并非无风险")."""
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    window = text[max(clause_start, start - _NEGATION_WINDOW) : start]
    return any(negator in window for negator in _NEGATORS)


def _forbidden_phrases(node: Node, text: str, phrases: list[str]) -> Iterator[Finding]:
    covered: set[int] = set()  # report "稳赚不赔" once, not also as "稳赚": longest phrase wins
    for phrase in reversed(phrases):
        for match in re.finditer(re.escape(phrase), text):
            positions = set(range(match.start(), match.end()))
            if positions & covered or _negated(text, match.start()):
                continue
            covered |= positions
            yield catalog.FORBIDDEN_PHRASE.finding(
                f"node {node.id!r} says forbidden phrase {phrase!r}", _span(text, match.start(), match.end())
            )


def _impersonation(node: Node, text: str) -> Iterator[Finding]:
    for match in IMPERSONATION.finditer(text):
        yield catalog.CALL_04.finding(
            f"node {node.id!r} claims to be human", _span(text, match.start(), match.end())
        )


def check_ai_disclosure_wording(script: CallScript) -> list[Finding]:
    """CALL-04: a node tagged ai_disclosure must actually say the caller is an AI."""
    return [
        catalog.CALL_04.finding(f"node {node.id!r} is tagged ai_disclosure but does not say it is an AI")
        for node in script.nodes
        if "ai_disclosure" in node.stages and (node.prompt is None or not AI_MARKER.search(node.prompt.text))
    ]
