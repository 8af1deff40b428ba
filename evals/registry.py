"""The suites, by name. Each suite module exposes ``SUITE``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from evals.core import Suite

SUITE_NAMES = ("compliance", "kb_retrieval", "audience", "content", "call_script")


def get_suite(name: str) -> Suite[Any]:
    if name not in SUITE_NAMES:
        raise ValueError(f"unknown suite {name!r}; expected one of {', '.join(SUITE_NAMES)}")
    suite: Suite[Any] = import_module(f"evals.suites.{name}").SUITE
    return suite
