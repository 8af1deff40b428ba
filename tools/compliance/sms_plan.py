"""SMS plans: one submitted document that holds several messages of a campaign, each with its send time.

Teams rarely submit a lone message. They submit a wave plan — audience, frequency, the messages, a self-check —
whose first line is a bracketed title such as 【短信营销计划·送审】. The carrier rules (signature, opt-out, send
window) bind each message, not the plan around them, so reading the plan as one message gets both ways wrong:
the title passes for a signature and one wave sent at 21:20 goes unseen because the time is only in the text.

A text is a plan when at least two of its lines open with a bracketed sender name that names the bank. Those
lines are its messages; so is an unsigned line right under a schedule line (a line stating a clock time), which
is where a message that lost its signature sits. A message's send time is the clock time on the line above it,
or in a short label before its signature (第2条 10:30：【…】…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from functools import lru_cache

# A message line opens (after an optional short label) with a bracketed name — 【示例银行】… or
# 第1条 10:30：【示例银行】… — or ends with one; the words around the name must be a message, not a field label
# (签名：【示例银行】 in a plan's header).
_HEAD_SIGNED = re.compile(r"(?m)^([^\n【]{0,30}?)【([^【】\n]{1,30})】([^\n]{10,})$")
_TAIL_SIGNED = re.compile(r"(?m)^[ \t]*([^\n【]{10,})【([^【】\n]{1,30})】[ \t]*$")
_CLOCK = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d:])")
# A schedule line names its wave or day as well as the time (第3波 10月8日 21:20), unlike a rule about times.
_WAVE_MARK = re.compile(
    r"第[一二三四五六七八九十\d]{1,3}[波条批轮]|\d{1,2}月\d{1,2}日|周[一二三四五六日]|D\d{1,2}\b"
)
_LIST_ITEM = re.compile(r"\s*(?:[·•\-*]|\d{1,2}[.、)]|[（(]\d{1,2}[）)])")
_MIN_SIGNED_MESSAGES = 2
PLAN_MESSAGE_MARK = "方案中的这条"
"""Opens the detail of a finding about one message of a plan, so the fix goes to that message, not the plan."""
_MIN_MESSAGE_CHARS = 10  # shorter lines under a schedule line are labels (首发通知), not messages


@dataclass(frozen=True)
class PlanMessage:
    """One message of a plan, in the offsets of the text it was read from."""

    start: int
    end: int
    signed: bool
    """Whether the message opens or ends with a bracketed name that names the bank."""
    signature_start: int | None = None
    signature_end: int | None = None
    """Where its 【name】 is, brackets included."""
    send_time: time | None = None
    time_start: int | None = None
    time_end: int | None = None
    """Where the send time is written (the schedule line or the message's label)."""


def _first_clock(text: str, start: int, end: int) -> tuple[time, int, int] | None:
    found = _CLOCK.search(text, start, end)
    if found is None:
        return None
    return time(int(found.group(1)), int(found.group(2))), found.start(), found.end()


def _line_above(text: str, line_start: int) -> tuple[int, int] | None:
    """The nearest non-blank line above the line starting at ``line_start``."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if text[start:end].strip():
            return start, end
        end = start - 1
    return None


def _scheduled(
    text: str, start: int, end: int, label_end: int, signature: tuple[int, int], lines: set[int]
) -> PlanMessage:
    """The signed message at [start, end) with the clock time of its label or of the schedule line above it."""
    line_start = text.rfind("\n", 0, start) + 1
    clock = _first_clock(text, line_start, label_end)
    if clock is None:
        above = _line_above(text, line_start)
        if above is not None and above[0] not in lines:  # the line above another message is not a schedule
            clock = _first_clock(text, *above)
    sent, time_start, time_end = clock if clock is not None else (None, None, None)
    return PlanMessage(
        start=start, end=end, signed=True, signature_start=signature[0], signature_end=signature[1],
        send_time=sent, time_start=time_start, time_end=time_end,
    )  # fmt: skip


@lru_cache(maxsize=64)
def plan_messages(text: str, bank_name: str) -> tuple[PlanMessage, ...]:
    """The messages of ``text`` when it is a plan of several messages; empty for a single message."""
    if not bank_name:
        return ()
    heads = [m for m in _HEAD_SIGNED.finditer(text) if bank_name in m.group(2)]
    tails = [
        m
        for m in _TAIL_SIGNED.finditer(text)
        if bank_name in m.group(2) and not m.group(1).rstrip().endswith((":", "："))  # 签名：【…】 is a field
    ]
    signed_lines = {m.start() for m in heads} | {m.start() for m in tails}
    if len(signed_lines) < _MIN_SIGNED_MESSAGES:
        return ()
    # A head-signed message starts at its signature; a short label before it may carry its send time.
    messages = [
        _scheduled(
            text, m.start(2) - 1, m.end(), m.start(2) - 1, (m.start(2) - 1, m.end(2) + 1), signed_lines
        )
        for m in heads
    ]
    messages.extend(
        _scheduled(text, m.start(1), m.end(2) + 1, m.start(1), (m.start(2) - 1, m.end(2) + 1), signed_lines)
        for m in tails
        if m.start() not in {head.start() for head in heads}
    )
    messages.extend(_unsigned_under_schedules(text, signed_lines))
    return tuple(sorted(messages, key=lambda message: message.start))


def _unsigned_under_schedules(text: str, signed_lines: set[int]) -> list[PlanMessage]:
    """Lines without a signature that sit right under a line stating a clock time (a wave's message)."""
    found: list[PlanMessage] = []
    offset = 0
    previous: tuple[int, int] | None = None
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        if (
            previous is not None
            and start not in signed_lines
            and previous[0] not in signed_lines
            and len(line.strip()) >= _MIN_MESSAGE_CHARS
            and "【" not in line
            and _LIST_ITEM.match(line) is None
            and _WAVE_MARK.search(text, *previous) is not None
            and _CLOCK.search(text, *previous) is not None
            and _CLOCK.search(line) is None
        ):
            clock = _first_clock(text, *previous)
            assert clock is not None  # searched just above
            lead = len(line) - len(line.lstrip())
            sent, time_start, time_end = clock
            found.append(
                PlanMessage(
                    start + lead, end, signed=False, send_time=sent, time_start=time_start, time_end=time_end
                )
            )
        previous = (start, end)
    return found
