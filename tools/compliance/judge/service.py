"""The LLM judge layer of the compliance check (catalog §2 layer 3, DESIGN §6).

``judge`` runs after the deterministic ``check``: it shows a model the semantic rules in scope, the policy
clauses retrieved for the text, the product facts and the deterministic hits, and merges the model's
structured answer back (see ``merge``). Offline, or when the model fails, the deterministic result stands
unchanged and ``judge_status`` says why — the caller can always tell whether semantics were checked.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from core.domain import Channel, CheckResult, Product, ProductType
from core.llm import LLMUnavailable, invoke_structured
from core.settings import get_settings
from prompts.loader import render
from tools.compliance.judge.catalog import JudgeRule, default_semantic_specs, rules_in_scope
from tools.compliance.judge.clauses import (
    Clause,
    ClauseRetrievalError,
    ClauseSearch,
    default_clause_search,
    retrieve_clauses,
)
from tools.compliance.judge.merge import Hint, hints_of, merge_verdict
from tools.compliance.judge.models import GROUND_LABELS, JudgedResult, JudgeVerdict
from tools.compliance.normalize import normalize
from tools.compliance.product_type import infer_product_type
from tools.compliance.rules import RuleSet, default_rules
from tools.compliance.vocab import require_channel, require_product_type

log = logging.getLogger(__name__)
LLM_ROLE = "compliance"
NOTE_OFFLINE = "未配置大模型（离线模式），未执行合规智能审查，结果仅来自规则引擎"
NOTE_NO_RULES = "当前渠道和产品没有需要语义判断的规则，未执行合规智能审查"


def judge(
    text: str,
    channel: Channel,
    product_type: ProductType | None,
    deterministic: CheckResult,
    *,
    run_id: str,
    product: Product | None = None,
    rules: RuleSet | None = None,
    clause_search: ClauseSearch | None = None,
    on_date: date | None = None,
) -> JudgedResult:
    """Judge ``text`` for the semantic rules and merge the decision into ``deterministic``.

    Args:
        text: the draft exactly as checked; finding spans index into it.
        channel, product_type: as given to ``check`` (None → inferred from the text, as ``check`` does).
        deterministic: the result of ``tools.compliance.check`` for this text.
        run_id: the run the model's token usage is recorded under.
        product: the product sheet, when known (its facts go into the prompt).
        rules: the rule set (default: knowledge/rules); clause_search: the knowledge base (default:
            ``KnowledgeBase(get_settings().kb_dir)``); on_date: the date whose rules apply (default: today).

    Raises:
        ValueError / TypeError: empty or non-text input, unknown channel or product type, the audience channel.
    """
    _validate(text, channel, product_type, run_id)
    settings = get_settings()
    if settings.offline:
        return JudgedResult(result=deterministic, judge_status="skipped_offline", notes=[NOTE_OFFLINE])
    resolved_type = product_type or (product.type if product else None) or infer_product_type(normalize(text))
    rule_set = rules if rules is not None else default_rules()
    day = on_date if on_date is not None else datetime.now(settings.tz).date()
    offered = rules_in_scope(default_semantic_specs(), rule_set, channel, resolved_type, day)
    if not offered:
        return JudgedResult(result=deterministic, judge_status="not_applicable", notes=[NOTE_NO_RULES])
    hints = hints_of(deterministic, offered)
    notes: list[str] = []
    clauses = _clauses(clause_search, text, hints, offered, channel, resolved_type, notes)
    messages = _messages(text, channel, resolved_type, product, offered, clauses, hints)
    try:
        verdict = invoke_structured(LLM_ROLE, JudgeVerdict, messages, run_id=run_id)
    except LLMUnavailable as exc:
        log.warning("compliance judge failed for run %s: %s", run_id, exc)
        failed = f"合规智能审查调用失败，已保留规则引擎结果：{exc}"
        return JudgedResult(result=deterministic, judge_status="failed", notes=[*notes, failed])
    merged = merge_verdict(text, deterministic, verdict, hints, offered, rule_set)
    return JudgedResult(
        result=merged.result,
        judge_status="applied",
        notes=[*notes, *merged.notes],
        discarded_quotes=merged.discarded_quotes,
        dropped=merged.dropped,
    )


def _validate(text: object, channel: object, product_type: object, run_id: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty: nothing to judge")
    require_channel(channel)
    if channel == "audience":
        raise ValueError("channel 'audience' has no text to judge; the judge checks text channels only")
    require_product_type(product_type)
    if not isinstance(run_id, str) or not run_id.strip():
        raise ValueError("run_id must be a non-empty string (token usage is recorded under it)")


def _clauses(
    clause_search: ClauseSearch | None,
    text: str,
    hints: list[Hint],
    offered: list[JudgeRule],
    channel: Channel,
    product_type: ProductType | None,
    notes: list[str],
) -> list[Clause]:
    """Retrieved clauses, or none with a note: a broken knowledge base must not stop the check."""
    hinted_ids = {hint.finding.rule_id for hint in hints}
    hinted = [rule for rule in offered if rule.id in hinted_ids]
    try:
        search = clause_search if clause_search is not None else default_clause_search()
        return retrieve_clauses(search, text, hinted, channel, product_type)
    except (ClauseRetrievalError, OSError, ValueError, RuntimeError) as exc:
        log.warning("compliance judge: no clauses retrieved: %s", exc)
        notes.append("知识库检索失败，本次智能审查未附条款原文")
        return []


def _messages(
    text: str,
    channel: Channel,
    product_type: ProductType | None,
    product: Product | None,
    offered: list[JudgeRule],
    clauses: list[Clause],
    hints: list[Hint],
) -> list[BaseMessage]:
    system = render("compliance/judge_system.j2", bank=get_settings().bank_short_name, grounds=GROUND_LABELS)
    request = render(
        "compliance/judge_request.j2",
        channel=channel,
        product_type=product_type,
        product=product,
        rules=offered,
        clauses=clauses,
        hints=hints,
        text=text,
    )
    return [SystemMessage(content=system), HumanMessage(content=request)]
