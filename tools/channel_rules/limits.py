"""Per-channel format limits (channel-formats §5, DESIGN §7) and how text is measured against them."""

from __future__ import annotations

import math

SMS_SEGMENT = 70  # one segment, 【signature】 included; every character counts as one
SMS_SPLIT_SEGMENT = 67  # per segment once a message is split (the rest is the concatenation header)
SMS_MAX_SEGMENTS = 2  # longer marketing SMS cost more and gateways split them unpredictably
SMS_OPT_OUTS = ("拒收请回复R", "回T退订")  # Huawei / Aliyun gateway wordings
SMS_AVOID_CHARS = "¥★√※"  # gateways reject or garble these
PUSH_TITLE_MAX = 20  # 汉字-equivalents: the safe envelope across Android vendors and the iOS banner
PUSH_BODY_MAX = 50
WECHAT_TITLE_MAX = 32
WECHAT_DIGEST_MAX = 128
WECHAT_BODY_MAX = 20_000
WECOM_TEXT_MAX = 4000


def sms_segments(text: str) -> int:
    """Billed segments: one up to 70 characters, else one per 67."""
    if len(text) <= SMS_SEGMENT:
        return 1
    return math.ceil(len(text) / SMS_SPLIT_SEGMENT)


def hanzi_width(text: str) -> float:
    """Length in 汉字 equivalents: a half-width (ASCII) character takes half the room of a 汉字."""
    return sum(0.5 if ord(char) < 128 else 1.0 for char in text)
