"""Deterministic compliance engine: rules as data, normalisation, detectors, checks and auto-fixes (DESIGN §6).

Public API::

    from tools.compliance import check, infer_product_type, auto_fix, load_rules, normalize
"""

from __future__ import annotations

from tools.compliance.engine import check
from tools.compliance.fixes import FixResult, auto_fix
from tools.compliance.normalize import NormalizedText, normalize
from tools.compliance.product_type import infer_product_type
from tools.compliance.rules import Rule, RuleLoadError, RuleSet, default_rules, load_rules

__all__ = [
    "FixResult",
    "NormalizedText",
    "Rule",
    "RuleLoadError",
    "RuleSet",
    "auto_fix",
    "check",
    "default_rules",
    "infer_product_type",
    "load_rules",
    "normalize",
]
