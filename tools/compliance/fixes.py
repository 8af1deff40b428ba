"""Deterministic auto-fixes for findings whose repair needs no judgement.

Each rule may declare an ``autofix`` (rule data): prepend the SMS signature, append the opt-out, append a
mandatory sentence (理财 risk warning, agency disclaimer skeleton, risk warning) or insert the annualised
rate. Fixes only ever INSERT text, so the author's words survive untouched and in order; the spans of the
findings left over are shifted to the fixed text.

Placement follows the SMS template 【签名】正文。披露语。拒收请回复R: sentences go after the body but
before a trailing opt-out or signature, the opt-out goes before a trailing signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from core.domain import Channel, Finding, ProductType, Span
from core.settings import get_settings
from tools.compliance.detectors.apr_required import states_annual_rate
from tools.compliance.rules import AutoFixSpec, RuleSet, default_rules
from tools.compliance.sms_plan import PLAN_MESSAGE_MARK
from tools.compliance.vocab import require_channel, require_product_type

_TRAILING_SIGNATURE = re.compile(r"【[^【】]{1,30}】\s*$")
_TRAILING_OPTOUT = re.compile(
    r"(拒收请?回复?\s*R|退订回?复?\s*T|回复?\s*TD?\s*退订)[\s。.!！]*$", re.IGNORECASE
)
# After these characters a new sentence can follow directly; otherwise "。" is added first.
_JOINERS = frozenset("。！？!?.；;…,，、:：\n")
_ISSUER_PLACEHOLDER: dict[str, str] = {"fund": "[基金管理人名称]", "insurance": "[保险公司名称]"}


class FixResult(BaseModel):
    """The fixed text, the rule ids fixed, and the findings no fix applied to (spans into the new text)."""

    model_config = ConfigDict(frozen=True)

    text: str
    applied: list[str] = Field(default_factory=list)
    remaining: list[Finding] = Field(default_factory=list)


@dataclass(frozen=True)
class _Insertion:
    """Text to insert at ``position`` of the original; ``rank`` orders insertions at one position."""

    position: int
    rank: int
    text: str
    sentence: bool = False  # needs a sentence break before it unless the text already ends one


@dataclass(frozen=True)
class _Layout:
    """Where things go in the original text: the end of the body, and just before a trailing signature."""

    text: str
    body_end: int
    before_signature: int

    @classmethod
    def of(cls, text: str) -> _Layout:
        signature = _TRAILING_SIGNATURE.search(text)
        before_signature = signature.start() if signature else len(text)
        while before_signature > 0 and text[before_signature - 1].isspace():
            before_signature -= 1
        optout = _TRAILING_OPTOUT.search(text[:before_signature])
        body_end = optout.start() if optout else before_signature
        while body_end > 0 and text[body_end - 1].isspace():
            body_end -= 1
        return cls(text=text, body_end=body_end, before_signature=before_signature)


def _check_arguments(
    channel: str, product_type: str | None, sms_signature: str, apr_text: str | None
) -> None:
    require_channel(channel)
    require_product_type(product_type)
    if not 2 <= len(sms_signature.strip()) <= 16 or any(c in sms_signature for c in "【】"):
        raise ValueError(f"sms_signature {sms_signature!r} must be 2–16 characters without 【】")
    if apr_text is not None and not states_annual_rate(apr_text):
        raise ValueError(f"apr_text {apr_text!r} must state an annualised rate, e.g. 年化利率（单利）3.6%起")


def _locate(finding: Finding, text: str) -> Span | None:
    """The finding's span in ``text``: as given when its quote is there, else the quote's first occurrence.

    Callers sometimes check a joined text (title + body) and fix only the body; relocating by quote keeps
    span-based fixes and shifted spans correct instead of landing at a stale offset.
    """
    span = finding.span
    if span is None or text[span.start : span.end] == span.quote:
        return span
    found = text.find(span.quote)
    if found == -1:
        return None
    return Span(start=found, end=found + len(span.quote), quote=span.quote)


def _names_plan_message(finding: Finding) -> bool:
    """A finding about one message of an SMS plan (its span is the message), repaired at that message."""
    return finding.span is not None and PLAN_MESSAGE_MARK in finding.message


def _plan(
    spec: AutoFixSpec, finding: Finding, layout: _Layout, values: dict[str, str], apr_text: str | None
) -> _Insertion | None:
    """The insertion that repairs ``finding`` per ``spec``, or None when it cannot be repaired here."""
    if spec.action == "prepend_signature":
        # A message of an SMS plan is pointed at by its span; the signature goes before that message.
        at = finding.span.start if _names_plan_message(finding) and finding.span else 0
        return _Insertion(at, 0, f"【{values['sms_signature']}】")
    if spec.action == "append_optout" and spec.text and _names_plan_message(finding) and finding.span:
        return _Insertion(finding.span.end, 3, spec.text, sentence=True)
    if spec.action == "append_sentence" and spec.text:
        return _Insertion(layout.body_end, 1, spec.text.format(**values), sentence=True)
    if spec.action == "append_optout" and spec.text:
        return _Insertion(layout.before_signature, 3, spec.text, sentence=True)
    if spec.action == "insert_apr" and apr_text:
        if finding.span is not None:  # right after the daily/monthly rate, so the APR is as prominent
            return _Insertion(finding.span.end, 2, f"（{apr_text}）")
        # No span (or one not found in this text): a sentence at the end of the body.
        return _Insertion(layout.body_end, 2, apr_text.rstrip("。") + "。", sentence=True)
    return None


def _plan_all(
    findings: list[Finding], rule_set: RuleSet, layout: _Layout, values: dict[str, str], apr_text: str | None
) -> tuple[list[_Insertion], list[str], list[Finding]]:
    """Insertions for every fixable finding, the rule ids they fix, and the findings left unfixed."""
    insertions: list[_Insertion] = []
    applied: list[str] = []
    remaining: list[Finding] = []
    for finding in findings:
        if finding.rule_id in applied and not _names_plan_message(finding):
            continue  # one repair per rule covers all its findings (e.g. one disclosure sentence)
        spec = rule_set.get(finding.rule_id).autofix if finding.rule_id in rule_set else None
        located = finding.model_copy(update={"span": _locate(finding, layout.text)})
        insertion = _plan(spec, located, layout, values, apr_text) if spec else None
        if insertion is None:
            remaining.append(finding)
            continue
        insertions.append(insertion)
        if finding.rule_id not in applied:
            applied.append(finding.rule_id)
    return insertions, applied, remaining


def _render(text: str, insertions: list[_Insertion]) -> tuple[str, list[tuple[int, int]]]:
    """Apply insertions in order; return the new text and (original position, inserted length) pairs."""
    pieces: list[str] = []
    placed: list[tuple[int, int]] = []
    cursor = 0
    for insertion in sorted(insertions, key=lambda i: (i.position, i.rank)):
        pieces.append(text[cursor : insertion.position])
        cursor = insertion.position
        before = "".join(pieces).rstrip()
        piece = insertion.text
        if insertion.sentence and before and before[-1] not in _JOINERS:
            piece = "。" + piece
        pieces.append(piece)
        placed.append((insertion.position, len(piece)))
    pieces.append(text[cursor:])
    return "".join(pieces), placed


def _shift(finding: Finding, text: str, placed: list[tuple[int, int]], new_text: str) -> Finding:
    """Move a finding's span to the fixed text (insertions at its start go before it, at its end after).

    A span whose quote is not in ``text`` at all belongs to another text and is returned unchanged.
    """
    span = _locate(finding, text)
    if span is None:
        return finding
    start = span.start + sum(length for pos, length in placed if pos <= span.start)
    end = span.end + sum(length for pos, length in placed if pos < span.end)
    return finding.model_copy(update={"span": Span(start=start, end=end, quote=new_text[start:end])})


def auto_fix(
    text: str,
    channel: Channel,
    product_type: ProductType | None,
    findings: list[Finding],
    *,
    sms_signature: str,
    apr_text: str | None = None,
    issuer: str | None = None,
    bank_short_name: str | None = None,
    rules: RuleSet | None = None,
) -> FixResult:
    """Apply every deterministic fix the findings' rules declare; never delete user content.

    Args:
        text: the checked text; ``findings`` must come from checking exactly this text.
        channel, product_type: what the text was checked as (product type picks the issuer placeholder).
        sms_signature: the text inside 【】 (2–16 chars).
        apr_text: the annualised-rate sentence for LN-01, e.g. "年化利率（单利）3.6%起"; without it LN-01 stays.
        issuer: issuer/manager name for the agency disclaimer; default a placeholder for the reviewer.
        bank_short_name: the bank named in disclaimers (default: settings).
        rules: the rule set that produced the findings (default: knowledge/rules).

    Raises:
        ValueError: unknown channel/product type, malformed signature, or apr_text without an annual rate.
    """
    _check_arguments(channel, product_type, sms_signature, apr_text)
    rule_set = rules if rules is not None else default_rules()
    values = {
        "sms_signature": sms_signature.strip(),
        "bank_short_name": bank_short_name or get_settings().bank_short_name,
        "issuer": issuer or _ISSUER_PLACEHOLDER.get(product_type or "", "[发行机构名称]"),
    }
    insertions, applied, remaining = _plan_all(findings, rule_set, _Layout.of(text), values, apr_text)
    new_text, placed = _render(text, insertions)
    return FixResult(
        text=new_text, applied=applied, remaining=[_shift(f, text, placed, new_text) for f in remaining]
    )
