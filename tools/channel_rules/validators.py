"""Channel validators: format, identity, opt-out, required disclosures and forbidden constructs, checked before
the compliance rule engine. A violation is a finding like any other, so a draft that breaks its channel goes back
to its writer instead of to review.

Format limits have no category of their own in the stable vocabulary (DESIGN §6). An over-long push or title is
cut by the vendor, so the customer would see text nobody reviewed: those findings use ``unreviewed_content``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from core.domain import CREDIT_PRODUCT_TYPES, Category, Finding, Severity, Span
from tools.channel_rules import limits

DETECTOR = "channel_rules"
FORMATS_CITATION = "《示例银行营销宣传管理办法》（示银发〔2026〕1号）各渠道格式与长度要求 [M]"
SMS_CITATION = "《示例银行营销短信模板规范》（示银发〔2026〕4号）[M]；《通信短信息服务管理规定》（工信部令第31号）商业短信须提供拒收方式 [S]"
DISCLOSURE_CITATION = (
    "《关于进一步规范金融营销宣传行为的通知》（银发〔2019〕316号）：不得隐瞒限制条件、须充分揭示风险"
)
FORBIDDEN_CITATION = (
    "《合同行政监督管理办法》（市场监管总局，2023）：不得以“最终解释权”等格式条款排除消费者权利"
)

# Words each product type's copy must carry on every channel (short channels may not fit the whole sheet
# sentence, but never without these words).
REQUIRED_WORDS: dict[str, tuple[str, ...]] = {
    "wealth": ("理财非存款", "产品有风险", "投资须谨慎"),
    "structured_deposit": ("不同于一般性存款",),
    "fund": ("基金有风险", "代理销售"),
    "insurance": ("代理销售", "不是存款"),
}
FORBIDDEN_CONSTRUCTS = (re.compile(r"最终\s*解释权"), re.compile(r"解释权\s*归"))
_APR_STATED = re.compile(r"年化(?:利率)?[^。；\n\d]{0,8}\d+(?:\.\d+)?\s*[%％]")


def _finding(rule_id: str, category: Category, message: str, fix: str, *, citation: str = FORMATS_CITATION,
             span: Span | None = None, severity: Severity = "block") -> Finding:  # fmt: skip
    return Finding(rule_id=rule_id, category=category, severity=severity, span=span, message=message,
                   citation=citation, fix=fix, detector=DETECTOR)  # fmt: skip


def _field(content: Mapping[str, Any], name: str) -> str:
    value = content.get(name)
    return value if isinstance(value, str) else ""


def _length(rule_id: str, label: str, size: float, limit: float, unit: str) -> list[Finding]:
    if size <= limit:
        return []
    return [_finding(rule_id, "unreviewed_content", f"{label}长{size:g}{unit}，超过上限{limit:g}{unit}",
                     f"将{label}缩短到{limit:g}{unit}以内，保留关键信息与必备披露")]  # fmt: skip


def _empty(content: Mapping[str, Any], *names: str) -> list[Finding]:
    return [
        _finding("CH-10", "unreviewed_content", f"字段 {name} 为空", f"补写 {name}")
        for name in names
        if not _field(content, name).strip()
    ]


def sms_findings(content: Mapping[str, Any], signature: str) -> list[Finding]:
    """【signature】 first and only once, an opt-out, at most two segments, no characters gateways reject."""
    text = _field(content, "text")
    found = _empty(content, "text")
    if not text.startswith(f"【{signature}】"):
        found.append(_finding("CH-01", "sms_rule", f"短信未以【{signature}】开头", f"在开头加上【{signature}】",
                              citation=SMS_CITATION))  # fmt: skip
    elif "【" in text[len(signature) + 2 :]:
        found.append(_finding("CH-02", "sms_rule", "短信正文含第二个【】签名", "删除正文中的【】",
                              citation=SMS_CITATION))  # fmt: skip
    if not any(opt_out in text for opt_out in limits.SMS_OPT_OUTS):
        found.append(_finding("CH-03", "sms_rule", "营销短信缺少退订方式", "在结尾加上“拒收请回复R”",
                              citation=SMS_CITATION))  # fmt: skip
    segments = limits.sms_segments(text)
    if segments > limits.SMS_MAX_SEGMENTS:
        found.append(_finding("CH-04", "sms_rule", f"短信{len(text)}字，需{segments}条计费，超过{limits.SMS_MAX_SEGMENTS}条",
                              f"缩短到{limits.SMS_SPLIT_SEGMENT * limits.SMS_MAX_SEGMENTS}字以内"))  # fmt: skip
    bad = sorted({c for c in text if c in limits.SMS_AVOID_CHARS})
    if bad:
        found.append(_finding("CH-05", "sms_rule", f"短信含网关可能拒发的字符：{''.join(bad)}",
                              "删除这些特殊符号", severity="warn"))  # fmt: skip
    return found


def push_findings(content: Mapping[str, Any]) -> list[Finding]:
    found = _empty(content, "title", "text")
    found += _length(
        "CH-06", "推送标题", limits.hanzi_width(_field(content, "title")), limits.PUSH_TITLE_MAX, "个汉字"
    )
    return found + _length(
        "CH-07", "推送正文", limits.hanzi_width(_field(content, "text")), limits.PUSH_BODY_MAX, "个汉字"
    )


def wechat_findings(content: Mapping[str, Any]) -> list[Finding]:
    found = _empty(content, "title", "body")
    found += _length("CH-08", "公众号标题", len(_field(content, "title")), limits.WECHAT_TITLE_MAX, "字")
    found += _length("CH-09", "公众号摘要", len(_field(content, "digest")), limits.WECHAT_DIGEST_MAX, "字")
    return found + _length("CH-11", "公众号正文", len(_field(content, "body")), limits.WECHAT_BODY_MAX, "字")


def wecom_findings(content: Mapping[str, Any]) -> list[Finding]:
    return _empty(content, "text") + _length(
        "CH-12", "企业微信消息", len(_field(content, "text")), limits.WECOM_TEXT_MAX, "字"
    )


FORMAT_CHECKS: dict[str, Callable[[Mapping[str, Any]], list[Finding]]] = {
    "push": push_findings,
    "wechat": wechat_findings,
    "wecom": wecom_findings,
}


def disclosure_findings(text: str, product_type: str) -> list[Finding]:
    """The product type's required words (and the annualised rate for credit products) must be in the copy."""
    compact = re.sub(r"\s+", "", text)
    found = [
        _finding(
            "CH-13",
            "missing_risk_disclosure",
            f"缺少必备披露用语“{word}”",
            f"补充包含“{word}”的披露语句",
            citation=DISCLOSURE_CITATION,
        )  # fmt: skip
        for word in REQUIRED_WORDS.get(product_type, ())
        if word not in compact
    ]
    if product_type in CREDIT_PRODUCT_TYPES and not _APR_STATED.search(text):
        found.append(_finding("CH-14", "rate_disclosure", "信贷产品文案未明示年化利率",
                              "按产品说明书写明年化利率（单利）", citation=DISCLOSURE_CITATION))  # fmt: skip
    return found


def forbidden_findings(text: str) -> list[Finding]:
    """Constructs no copy may contain, e.g. a 最终解释权 clause."""
    return [
        _finding(
            "CH-15",
            "misleading_claim",
            f"含禁用条款“{m.group(0)}”",
            "删除该条款，改为“未尽事宜以本行公布的规则为准，如有疑问请咨询客服热线”",
            citation=FORBIDDEN_CITATION,
            span=Span(start=m.start(), end=m.end(), quote=m.group(0)),
        )  # fmt: skip
        for pattern in FORBIDDEN_CONSTRUCTS
        for m in pattern.finditer(text)
    ]


def validate_channel(
    channel: str, content: Mapping[str, Any], text: str, product_type: str, *, sms_signature: str
) -> list[Finding]:
    """Every channel-rule violation of one draft; ``text`` is its checkable text (spans index it).

    Channels without format rules here (h5, article) still get the disclosure and forbidden-construct checks.
    """
    if channel == "sms":
        found = sms_findings(content, sms_signature)
    else:
        check = FORMAT_CHECKS.get(channel)
        found = check(content) if check is not None else []
    return found + disclosure_findings(text, product_type) + forbidden_findings(text)
