"""Channel constraints on a draft's fields (channel-formats §5): SMS signature, opt-out and segments; push,
公众号 and 企业微信 length limits.

Each check returns human-readable violations (empty = the draft fits its channel).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tools.channel_rules.limits import (  # one source of the limits for the product and its evals
    PUSH_BODY_MAX,
    PUSH_TITLE_MAX,
    SMS_MAX_SEGMENTS,
    SMS_OPT_OUTS,
    SMS_SPLIT_SEGMENT,
    WECHAT_BODY_MAX,
    WECHAT_DIGEST_MAX,
    WECHAT_TITLE_MAX,
    WECOM_TEXT_MAX,
    hanzi_width,
)

SMS_MAX_CHARS = (
    SMS_SPLIT_SEGMENT * SMS_MAX_SEGMENTS
)  # two split segments: the longest SMS the validators allow


def _field(content: Mapping[str, Any], name: str) -> str:
    value = content.get(name)
    return value if isinstance(value, str) else ""


def _too_long(label: str, size: float, limit: float, unit: str) -> list[str]:
    return [f"{label} has {size:g} {unit}, over {limit:g}"] if size > limit else []


def _empty(content: Mapping[str, Any], *names: str) -> list[str]:
    return [f"{name} is empty" for name in names if not _field(content, name).strip()]


def sms_violations(content: Mapping[str, Any], signature: str) -> list[str]:
    text = _field(content, "text")
    problems = _empty(content, "text")
    if not text.startswith(f"【{signature}】"):
        problems.append(f"SMS does not start with 【{signature}】")
    elif "【" in text[len(signature) + 2 :]:
        problems.append("SMS body carries a second 【】 (the gateway adds the only signature)")
    if not any(opt_out in text for opt_out in SMS_OPT_OUTS):
        problems.append(f"SMS lacks an opt-out ({' / '.join(SMS_OPT_OUTS)})")
    return problems + _too_long("SMS", len(text), SMS_MAX_CHARS, "chars")


def push_violations(content: Mapping[str, Any]) -> list[str]:
    problems = _empty(content, "title", "text")
    problems += _too_long("push title", hanzi_width(_field(content, "title")), PUSH_TITLE_MAX, "汉字")
    return problems + _too_long("push body", hanzi_width(_field(content, "text")), PUSH_BODY_MAX, "汉字")


def wechat_violations(content: Mapping[str, Any]) -> list[str]:
    problems = _empty(content, "title", "body")
    problems += _too_long("wechat title", len(_field(content, "title")), WECHAT_TITLE_MAX, "chars")
    problems += _too_long("wechat digest", len(_field(content, "digest")), WECHAT_DIGEST_MAX, "chars")
    return problems + _too_long("wechat body", len(_field(content, "body")), WECHAT_BODY_MAX, "chars")


def wecom_violations(content: Mapping[str, Any]) -> list[str]:
    return _empty(content, "text") + _too_long(
        "wecom text", len(_field(content, "text")), WECOM_TEXT_MAX, "chars"
    )


_CHECKS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "push": push_violations,
    "wechat": wechat_violations,
    "wecom": wecom_violations,
}


def channel_violations(channel: str, content: Mapping[str, Any], *, sms_signature: str) -> list[str]:
    """Every way ``content`` breaks its channel's constraints; ValueError for a channel without rules here."""
    if channel == "sms":
        return sms_violations(content, sms_signature)
    if channel not in _CHECKS:
        raise ValueError(f"no channel constraints for {channel!r}; expected sms, {', '.join(_CHECKS)}")
    return _CHECKS[channel](content)
