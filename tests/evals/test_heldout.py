"""The held-out scorer: the suite's metrics and the misses, for a file the suite never loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from evals.heldout import main, score

CASES = [
    {"id": "t-pos", "channel": "sms", "product_type": "wealth", "expected_verdict": "block",
     "text": "【示例银行】示例理财保本保息。理财非存款、产品有风险、投资须谨慎。拒收请回复R",
     "expected_categories": ["guaranteed_return"], "expected_rules": ["FM-01"]},
    {"id": "t-missed", "channel": "wechat", "product_type": "wealth", "expected_verdict": "block",
     "text": "示例理财，买了就安心睡大觉。理财非存款、产品有风险、投资须谨慎。",
     "expected_categories": ["guaranteed_return"], "expected_rules": ["FM-01"]},
]  # fmt: skip


def _write(tmp_path: Path, cases: list[dict[str, object]]) -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump({"kind": "compliance", "version": 1, "cases": cases}, allow_unicode=True))
    return path


def test_scores_with_the_suite_metrics_and_lists_the_misses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = score(_write(tmp_path, CASES))
    assert report.cases == 2
    assert report.metrics["detection_recall"] == 0.5
    assert [miss.id for miss in report.misses] == ["t-missed"]
    assert main([str(tmp_path / "set.yaml")]) == 0
    assert "miss t-missed" in capsys.readouterr().out


def test_a_malformed_case_is_refused_with_its_field(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="expected_verdict"):
        score(_write(tmp_path, [{**CASES[0], "expected_verdict": "maybe"}]))
