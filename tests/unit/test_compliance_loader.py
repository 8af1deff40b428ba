"""Rule files: loading, validation errors naming file/rule/field, and RuleSet.applicable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from core.domain import CATEGORIES
from tools.compliance.rules import RuleLoadError, RuleSet, load_rules

VALID_RULE: dict[str, object] = {
    "id": "FM-01",
    "group": "financial",
    "category": "guaranteed_return",
    "title": "保本承诺",
    "citation": "广告法第二十五条(一) [V]",
    "channels": "all",
    "product_types": [],
    "effective_from": "2015-09-01",
    "detector": {"type": "lexicon", "params": {"terms": ["保本"]}},
    "severity": "block",
    "message": "承诺保本",
    "fix": "删除保本承诺",
}


def write_rules(folder: Path, name: str, rules: list[dict[str, object]]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return path


def rule_with(**changes: object) -> dict[str, object]:
    rule = dict(VALID_RULE)
    rule.update(changes)
    return rule


def load_error(tmp_path: Path, rules: list[dict[str, object]]) -> RuleLoadError:
    path = write_rules(tmp_path, "bad.yaml", rules)
    with pytest.raises(RuleLoadError) as caught:
        load_rules(path)
    assert caught.value.file == str(path)
    return caught.value


def test_shipped_rules_load_and_cover_the_first_rule_set() -> None:
    rules = load_rules()
    required = {"AD-01", "FM-01", "FM-02", "FM-03", "WM-01", "WM-05", "LN-01", "LN-03", "LN-06", "PI-01"}
    required |= {"SMS-01", "SMS-02", "CALL-02", "CALL-04"}
    assert required <= {rule.id for rule in rules}
    assert all(rule.category in CATEGORIES for rule in rules)


def test_a_valid_file_loads_with_all_text_channels_for_all(tmp_path: Path) -> None:
    rules = load_rules(write_rules(tmp_path, "ok.yaml", [VALID_RULE]))
    rule = rules.get("FM-01")
    assert "sms" in rule.channels and "call_script" in rule.channels and "audience" not in rule.channels
    assert rule.effective_from == date(2015, 9, 1)
    assert rules.source_of("FM-01").endswith("ok.yaml")


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"category": "bragging"}, "category", "unknown category 'bragging'"),
        ({"channels": ["sms", "fax"]}, "channels", "unknown channel 'fax'"),
        ({"product_types": ["crypto"]}, "product_types", "unknown product type 'crypto'"),
        ({"detector": {"type": "magic", "params": {}}}, "detector.type", "unknown detector type 'magic'"),
        ({"detector": {"type": "lexicon", "params": {}}}, "detector.params.terms", "Field required"),
        (
            {"detector": {"type": "regex", "params": {"patterns": ["("]}}},
            "detector.params.patterns",
            "invalid",
        ),
        (
            {"detector": {"type": "lexicon", "params": {"terms": ["x"], "tpyo": 1}}},
            "detector.params.tpyo",
            "Extra",
        ),
        ({"effective_from": "2026-13-01"}, "effective_from", "month"),
        ({"effective_to": "2010-01-01"}, "effective_to", "before effective_from"),
        ({"citation": "广告法第二十五条"}, "citation", "evidence tag"),
        ({"severity": "fatal"}, "severity", "block"),
        ({"id": "fm-1"}, "id", "pattern"),
        ({"autofix": {"action": "append_sentence"}}, "autofix", "needs a non-empty text"),
        ({"autofix": {"action": "append_sentence", "text": "由{boss}发行"}}, "autofix", "placeholder"),
        (
            {"excluded_product_types": ["wealth"], "product_types": ["wealth"]},
            "",
            "both included and excluded",
        ),
        ({"unexpected": True}, "unexpected", "Extra inputs"),
    ],
)
def test_invalid_rules_fail_with_file_rule_and_field(
    tmp_path: Path, changes: dict[str, object], field: str, text: str
) -> None:
    error = load_error(tmp_path, [rule_with(**changes)])
    expected_id = changes.get("id", "FM-01")
    assert error.rule_id == expected_id
    assert error.field == field
    assert text in str(error)
    assert "bad.yaml" in str(error) and f"rule {expected_id}" in str(error)


def test_duplicate_ids_across_files_name_both_files(tmp_path: Path) -> None:
    write_rules(tmp_path, "a.yaml", [VALID_RULE])
    write_rules(tmp_path, "b.yaml", [VALID_RULE])
    with pytest.raises(RuleLoadError, match=r"b\.yaml: rule FM-01: field 'id': duplicate.*a\.yaml"):
        load_rules(tmp_path)


def test_escalation_must_name_a_known_rule(tmp_path: Path) -> None:
    error = load_error(tmp_path, [rule_with(escalate_with=["LN-04"])])
    assert error.field == "escalate_with" and "LN-04" in str(error)


def test_entry_without_an_id_is_located_by_position(tmp_path: Path) -> None:
    entry = dict(VALID_RULE)
    del entry["id"]
    error = load_error(tmp_path, [VALID_RULE | {"id": "FM-02"}, entry])
    assert error.rule_id == "#2" and error.field == "id"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("- id: [unclosed", "invalid YAML"),
        ("id: FM-01\n", "top level must be a list"),
        ("- just a string\n", "not a mapping"),
    ],
)
def test_malformed_files_are_reported(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleLoadError, match=problem) as caught:
        load_rules(path)
    assert caught.value.file == str(path)


def test_missing_path_and_empty_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(RuleLoadError, match="no such rule file"):
        load_rules(tmp_path / "nope.yaml")
    with pytest.raises(RuleLoadError, match="no rule files"):
        load_rules(tmp_path)
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(RuleLoadError, match="no rules found"):
        load_rules(tmp_path)


@pytest.fixture
def scoped_rules(tmp_path: Path) -> RuleSet:
    return load_rules(
        write_rules(
            tmp_path,
            "scoped.yaml",
            [
                rule_with(id="AA-01"),
                rule_with(id="AA-02", channels=["sms"]),
                rule_with(id="AA-03", product_types=["wealth", "fund"]),
                rule_with(id="AA-04", excluded_product_types=["deposit"]),
                rule_with(id="AA-05", effective_from="2026-09-30", effective_to="2026-12-31"),
            ],
        )
    )


def applicable_ids(rules: RuleSet, channel: str, product_type: str | None, day: date) -> set[str]:
    return {rule.id for rule in rules.applicable(channel, product_type, day)}  # type: ignore[arg-type]


def test_applicable_filters_by_channel(scoped_rules: RuleSet) -> None:
    day = date(2026, 11, 23)
    assert "AA-02" in applicable_ids(scoped_rules, "sms", None, day)
    assert "AA-02" not in applicable_ids(scoped_rules, "wechat", None, day)
    assert applicable_ids(scoped_rules, "audience", None, day) == set()


def test_applicable_filters_by_product_type(scoped_rules: RuleSet) -> None:
    day = date(2026, 11, 23)
    assert "AA-03" in applicable_ids(scoped_rules, "h5", "fund", day)
    assert "AA-03" not in applicable_ids(scoped_rules, "h5", "deposit", day)
    assert "AA-03" not in applicable_ids(scoped_rules, "h5", None, day)
    assert "AA-04" not in applicable_ids(scoped_rules, "h5", "deposit", day)
    assert "AA-04" in applicable_ids(scoped_rules, "h5", None, day)


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        (date(2026, 9, 29), False),
        (date(2026, 9, 30), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
    ],
)
def test_effective_dates_are_inclusive(scoped_rules: RuleSet, day: date, in_force: bool) -> None:
    assert ("AA-05" in applicable_ids(scoped_rules, "wechat", None, day)) is in_force


def test_applicable_rejects_unknown_vocabulary(scoped_rules: RuleSet) -> None:
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        scoped_rules.applicable("fax", None, date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown product type 'gold'"):
        scoped_rules.applicable("sms", "gold", date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="ZZ-99"):
        scoped_rules.get("ZZ-99")
