"""The prefilter bench must feed the compiled engines every rule pattern, or its numbers flatter them."""

from __future__ import annotations

import re

from bench.compliance_prefilters import rule_patterns
from tools.compliance.rules import default_rules


def test_rule_patterns_collects_every_regex_and_lexicon_term() -> None:
    regexes, terms = rule_patterns(default_rules())
    assert len(regexes) > 100 and len(terms) > 100
    for pattern in regexes:
        re.compile(pattern)
    # Patterns of nested detectors (composite parts, claim lists) and look-around ones are included.
    assert any("(?<!" in pattern or "(?!" in pattern for pattern in regexes)
    assert any("随存随取" in pattern for pattern in regexes)  # AD-03's product-claims list
    assert "稳赚不赔" in terms  # FM-01's lexicon part
