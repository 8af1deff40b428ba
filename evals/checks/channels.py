"""Channel constraints on a draft's fields (channel-formats §5): SMS signature, opt-out and segments; push,
公众号 and 企业微信 length limits.

Each check returns human-readable violations (empty = the draft fits its channel).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

SMS_MAX_CHARS = 134  # two segments of 67: longer messages cost more and gateways split them unpredictably
SMS_OPT_OUTS = ("拒收请回复R", "回T退订")  # the two gateway wordings (Huawei / Aliyun)
PUSH_TITLE_MAX = 20  # 汉字-equivalent: the safe envelope across Android vendors and the iOS banner
PUSH_BODY_MAX = 50
WECHAT_TITLE_MAX = 32
WECHAT_DIGEST_MAX = 128
WECHAT_BODY_MAX = 20_000
WECOM_TEXT_MAX = 4000


def hanzi_width(text: str) -> float:
    """Length in 汉字 equivalents: a half-width (ASCII) character takes half the room of a 汉字."""
    return sum(0.5 if ord(char) < 128 else 1.0 for char in text)


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
