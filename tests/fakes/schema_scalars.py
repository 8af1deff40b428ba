"""Scalar leaves of JSON-schema instance generation: strings, integers and numbers within their constraints."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from tests.fakes.regex_sample import PatternSampleError, sample_matching


class SchemaGenerationError(ValueError):
    """Raised when a schema cannot be satisfied (or uses a construct the generator does not know)."""


_FORMATS: dict[str, Callable[[str, int], str]] = {
    "date": lambda hint, n: f"2026-01-{n % 28 + 1:02d}",
    "date-time": lambda hint, n: f"2026-01-01T09:00:{n % 60:02d}Z",
    "time": lambda hint, n: f"09:00:{n % 60:02d}",
    "duration": lambda hint, n: f"PT{n + 1}H",
    "email": lambda hint, n: f"user{n}@example.com",
    "uri": lambda hint, n: f"https://example.com/{hint}/{n}",
    "url": lambda hint, n: f"https://example.com/{hint}/{n}",
    "uuid": lambda hint, n: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{hint}/{n}")),
    "ipv4": lambda hint, n: f"192.0.2.{n % 250 + 1}",
    "ipv6": lambda hint, n: f"2001:db8::{n + 1:x}",
    "hostname": lambda hint, n: f"host{n}.example.com",
}


def hint_of(path: str) -> str:
    """The last name in a path (``$.plan.title`` -> ``title``), used to make strings self-describing."""
    tail = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return "value" if tail in ("", "$") else tail


def build_string(node: Mapping[str, Any], path: str, ordinal: int) -> str:
    min_length = int(node.get("minLength", 0))
    max_length = int(node["maxLength"]) if "maxLength" in node else None
    fmt = node.get("format")
    if "pattern" in node:
        text = _sample_pattern(str(node["pattern"]), min_length, path)
    elif isinstance(fmt, str) and fmt in _FORMATS:
        text = _FORMATS[fmt](hint_of(path), ordinal)
    else:
        text = f"示例{hint_of(path)}" + (str(ordinal + 1) if ordinal else "")
        text = text.ljust(min_length, "样")
        if max_length is not None:
            # Keep the ordinal suffix when trimming so items of a uniqueItems array stay distinct.
            suffix = str(ordinal + 1) if ordinal else ""
            text = (text[: max(max_length - len(suffix), 0)] + suffix)[:max_length]
    if len(text) < min_length or (max_length is not None and len(text) > max_length):
        raise SchemaGenerationError(f"{path}: cannot fit {text!r} into length {min_length}..{max_length}")
    return text


def _sample_pattern(pattern: str, min_length: int, path: str) -> str:
    last_error: PatternSampleError | None = None
    for extra in (0, 1, 2, min_length):
        try:
            text = sample_matching(pattern, extra_repeats=extra)
        except PatternSampleError as exc:
            last_error = exc
            continue
        if len(text) >= min_length:
            return text
    raise SchemaGenerationError(f"{path}: {last_error or f'no sample of length >= {min_length}'}")


def _bounds(node: Mapping[str, Any]) -> tuple[float | None, bool, float | None, bool]:
    """Lower bound, whether it is exclusive, upper bound, whether it is exclusive (draft 4 and 2020-12)."""
    low, high = node.get("minimum"), node.get("maximum")
    low_open, high_open = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if isinstance(low_open, bool) or isinstance(high_open, bool):  # draft 4: boolean flags
        return low, bool(low_open), high, bool(high_open)
    if low_open is not None and (low is None or low_open >= low):
        low, low_flag = low_open, True
    else:
        low_flag = False
    if high_open is not None and (high is None or high_open <= high):
        high, high_flag = high_open, True
    else:
        high_flag = False
    return low, low_flag, high, high_flag


def build_integer(node: Mapping[str, Any], path: str, ordinal: int) -> int:
    low, low_open, high, high_open = _bounds(node)
    lowest = None if low is None else (math.floor(low) + 1 if low_open else math.ceil(low))
    highest = None if high is None else (math.ceil(high) - 1 if high_open else math.floor(high))
    value = (lowest if lowest is not None else min(1, highest) if highest is not None else 1) + ordinal
    step = int(node.get("multipleOf", 1))
    value = math.ceil(value / step) * step
    if highest is not None and value > highest:
        value = math.floor(highest / step) * step
    if (lowest is not None and value < lowest) or (highest is not None and value > highest):
        raise SchemaGenerationError(f"{path}: no integer fits {lowest}..{highest} (multipleOf {step})")
    return value


def build_number(node: Mapping[str, Any], path: str, ordinal: int) -> float:
    low, low_open, high, high_open = _bounds(node)
    if low is not None and high is not None:
        value = (low + high) / 2 if (low_open or high_open or low != high) else float(low)
    elif low is not None:
        value = low + (1 if low_open else 0) + ordinal
    elif high is not None:
        value = min(1.5, high - 1 if high_open else high) - ordinal
    else:
        value = 1.5 + ordinal
    if "multipleOf" in node:
        step = float(node["multipleOf"])
        value = math.ceil(value / step) * step
    if (low is not None and (value < low or (low_open and value == low))) or (
        high is not None and (value > high or (high_open and value == high))
    ):
        raise SchemaGenerationError(f"{path}: no number fits the bounds {low}..{high}")
    return float(value)
