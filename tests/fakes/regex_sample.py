"""Build a short string that matches a JSON-schema ``pattern``.

JSON schemas produced by Pydantic carry ``pattern`` for constrained strings (codes, phone masks...). A fake model
must honour them or the client-side validation fails, so this module walks Python's own regex parse tree and
emits the smallest matching text. Only the constructs found in practical schemas are supported; anything else
raises :class:`PatternSampleError` instead of returning a string that would not match.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# ``re._parser`` has no public equivalent and no type stubs; importing it dynamically keeps mypy honest (Any).
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

# Characters tried, in order, when a class or a negated class must be satisfied.
_CANDIDATE_CHARS = "a0A_ -.:/样xz9Z"
_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
}


class PatternSampleError(ValueError):
    """Raised when no matching sample can be produced for a regular expression."""


def sample_matching(pattern: str, *, extra_repeats: int = 0) -> str:
    """Return a string that ``re.search(pattern, ...)`` accepts.

    Args:
        pattern: the regular expression (JSON schema patterns are unanchored searches).
        extra_repeats: how many repetitions beyond the minimum each open-ended quantifier may add, used to
            lengthen the sample when the schema also sets ``minLength``.
    """
    try:
        tree = _parser.parse(pattern)
    except re.error as exc:
        raise PatternSampleError(f"invalid pattern {pattern!r}: {exc}") from exc
    text = _emit_sequence(tree, extra_repeats)
    if re.search(pattern, text) is None:
        raise PatternSampleError(f"could not build a sample for pattern {pattern!r} (got {text!r})")
    return text


def _emit_sequence(items: Any, extra: int) -> str:
    return "".join(_emit_item(op, arg, extra) for op, arg in items)


def _emit_item(op: Any, arg: Any, extra: int) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "NOT_LITERAL":
        return _first_char(lambda c: ord(c) != arg)
    if name == "ANY":
        return "a"
    if name == "IN":
        return _emit_class(arg)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = arg
        count = int(low + extra if high == _constants.MAXREPEAT else min(high, low + extra))
        return _emit_sequence(body, extra) * count
    if name == "SUBPATTERN":
        return _emit_sequence(arg[-1], extra)
    if name == "ATOMIC_GROUP":
        return _emit_sequence(arg, extra)
    if name == "BRANCH":
        return _emit_sequence(arg[1][0], extra)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return ""  # anchors and look-arounds consume nothing; the final re.search check catches misses
    raise PatternSampleError(f"unsupported regex construct {name}")


def _emit_class(members: Any) -> str:
    negated = any(str(op) == "NEGATE" for op, _ in members)
    positive = [(op, arg) for op, arg in members if str(op) != "NEGATE"]
    if not negated:
        return _sample_member(positive[0])
    return _first_char(lambda c: not any(_member_accepts(member, c) for member in positive))


def _sample_member(member: tuple[Any, Any]) -> str:
    op, arg = member
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY":
        return _CATEGORY_SAMPLES.get(str(arg), "a")
    raise PatternSampleError(f"unsupported character-class member {name}")


def _member_accepts(member: tuple[Any, Any], char: str) -> bool:
    op, arg = member
    name = str(op)
    if name == "LITERAL":
        return bool(ord(char) == arg)
    if name == "RANGE":
        return bool(arg[0] <= ord(char) <= arg[1])
    if name == "CATEGORY":
        return _same_category(str(arg), char)
    return False


def _same_category(category: str, char: str) -> bool:
    checks = {
        "CATEGORY_DIGIT": char.isdigit(),
        "CATEGORY_NOT_DIGIT": not char.isdigit(),
        "CATEGORY_WORD": char.isalnum() or char == "_",
        "CATEGORY_NOT_WORD": not (char.isalnum() or char == "_"),
        "CATEGORY_SPACE": char.isspace(),
        "CATEGORY_NOT_SPACE": not char.isspace(),
    }
    return checks.get(category, False)


def _first_char(accept: Any) -> str:
    for char in _CANDIDATE_CHARS:
        if accept(char):
            return char
    raise PatternSampleError("no candidate character satisfies a negated class")
