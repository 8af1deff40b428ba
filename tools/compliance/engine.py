"""The deterministic compliance check: normalise → run every applicable rule's detector → aggregate.

``check`` is pure and deterministic for given inputs (the only ambient inputs are the default rule set and,
when not passed, the bank short name from settings and today's date in the bank's time zone).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.domain import Channel, CheckResult, Finding, Product, ProductType, verdict_of
from core.settings import get_settings
from tools.compliance.detectors import DetectionContext, Hit
from tools.compliance.meta import NO_META, CheckMeta
from tools.compliance.normalize import NormalizedText, normalize
from tools.compliance.product_type import infer_product_type
from tools.compliance.rules import Rule, RuleSet, default_rules
from tools.compliance.vocab import require_channel, require_product_type
from tools.products import default_catalog
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.errors import ExpressionError
from tools.tag_store.expression import validate_expression


def _validate_inputs(text: str, channel: str, product_type: str | None) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    require_channel(channel)
    require_product_type(product_type)


def _validate_audience(audience: dict[str, Any] | None) -> None:
    """An audience expression the tag catalog cannot read is refused, not judged.

    An unknown tag or value (occupation = "student" where the catalog says 学生) would otherwise make the audience
    rules look at nothing and pass. A sensitive tag is the one catalog problem the checker reports itself (PI-04).
    """
    if audience is None:
        return
    try:
        validate_expression(audience, TagCatalog.default())
    except ExpressionError as exc:
        problems = [str(issue) for issue in exc.issues if not issue.sensitive_tag]
        if problems:
            raise ValueError(
                "audience expression does not fit the tag catalog: " + "; ".join(problems)
            ) from None


def _product_sheet(product_id: str | None) -> Product | None:
    if product_id is None:
        return None
    try:
        return default_catalog().get(product_id)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None


def _finding(rule: Rule, hit: Hit, norm: NormalizedText) -> Finding:
    """Turn a detector hit (normalised offsets) into a Finding with a span into the original text."""
    span = None
    if hit.start is not None and hit.end is not None:
        span = norm.original_span(hit.start, hit.end)
    message = f"{rule.message}（{hit.detail}）" if hit.detail else rule.message
    return Finding(
        rule_id=rule.id,
        category=rule.category,
        severity=hit.severity or rule.severity,
        span=span,
        message=message,
        citation=rule.citation,
        fix=rule.fix,
        detector=hit.detector or rule.detector.type,
    )


def _escalate(findings: list[Finding], rules: RuleSet) -> list[Finding]:
    """Raise a rule's findings to block when a rule it names in ``escalate_with`` also fired (FM-03 + FM-01)."""
    fired = {f.rule_id for f in findings}
    escalated: list[Finding] = []
    for finding in findings:
        triggers = set(rules.get(finding.rule_id).escalate_with) & fired
        if triggers and finding.severity != "block":
            finding = finding.model_copy(update={"severity": "block"})
        escalated.append(finding)
    return escalated


def _sort_key(finding: Finding) -> tuple[int, int, str]:
    """Findings in text order; span-less (missing-element) findings last; ties by rule id."""
    if finding.span is None:
        return (1, 0, finding.rule_id)
    return (0, finding.span.start, finding.rule_id)


def check(
    text: str,
    channel: Channel,
    product_type: ProductType | None = None,
    *,
    bank_short_name: str | None = None,
    on_date: date | None = None,
    rules: RuleSet | None = None,
    meta: CheckMeta | None = None,
) -> CheckResult:
    """Check one marketing text on one channel against the deterministic rule set.

    Args:
        text: the draft exactly as written; finding spans index into it.
        channel: where it will be published (core.domain Channel).
        product_type: the product it promotes; None → inferred from product words in the text.
        bank_short_name: the name call openings and SMS signatures must carry (default: settings).
        on_date: the date whose rules apply (default: today in the bank's time zone).
        rules: the rule set (default: knowledge/rules, loaded once).
        meta: what is known besides the text (send/call time, audience, product sheet, placement…).

    Raises:
        ValueError: empty text, unknown channel, product type or product id.
    """
    _validate_inputs(text, channel, product_type)
    norm = normalize(text)
    if not norm.text.strip():
        raise ValueError("text is empty: nothing to check")
    settings = get_settings()
    bank = bank_short_name if bank_short_name is not None else settings.bank_short_name
    if not bank.strip():
        raise ValueError("bank_short_name must not be empty")
    rule_set = rules if rules is not None else default_rules()
    day = on_date if on_date is not None else datetime.now(settings.tz).date()
    known = meta if meta is not None else NO_META
    _validate_audience(known.audience)
    product = _product_sheet(known.product_id)
    # Structured product data outranks inference from the words (catalog §1.8: classify from product data).
    resolved_type = (
        product_type or (product.type if product is not None else None) or infer_product_type(norm)
    )
    scan = rule_set.gate.scan(norm.folded)
    ctx = DetectionContext(
        norm=norm,
        channel=channel,
        product_type=resolved_type,
        bank_short_name=bank,
        meta=known,
        product=product,
        scan=scan,
    )
    open_rules = scan.open_rules
    findings = [
        _finding(rule, hit, norm)
        for rule in rule_set.applicable(channel, resolved_type, day)
        if rule.id in open_rules
        for hit in rule_set.detector(rule.id).detect(ctx)
    ]
    findings = sorted(_escalate(findings, rule_set), key=_sort_key)
    return CheckResult(verdict=verdict_of(findings), product_type=resolved_type, findings=findings)
