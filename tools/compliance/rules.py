"""Rules as data: load ``knowledge/rules/*.yaml`` into a validated, compiled :class:`RuleSet`.

Loading does all the expensive and fallible work once: YAML parsing, schema validation, detector param
validation and compilation (regexes, Aho–Corasick automata). A bad rule file fails here with a
:class:`RuleLoadError` naming the file, the rule id and the field, never later in the middle of a check.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.domain import Channel, ProductType
from tools.compliance.detectors import Detector, build_detector
from tools.compliance.gate import Gate
from tools.compliance.rule_models import AutoFixSpec, DetectorSpec, Rule
from tools.compliance.vocab import require_channel, require_product_type

__all__ = ["AutoFixSpec", "DetectorSpec", "Rule", "RuleLoadError", "RuleSet", "default_rules", "load_rules"]


class RuleLoadError(ValueError):
    """A rule file is missing, unreadable or invalid; ``file``, ``rule_id`` and ``field`` say where."""

    def __init__(
        self, file: Path | str, problem: str, *, rule_id: str | None = None, field: str | None = None
    ):
        self.file = str(file)
        self.rule_id = rule_id
        self.field = field
        where = [self.file]
        if rule_id is not None:
            where.append(f"rule {rule_id}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{': '.join(where)}: {problem}")


class _NoTimestampLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so a bad date is reported by pydantic with its field name."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class CompiledRule:
    """A validated rule, its compiled detector and the file it came from."""

    rule: Rule
    detector: Detector
    source: str


class RuleSet:
    """An immutable, compiled collection of rules with unique ids."""

    def __init__(self, compiled: Sequence[CompiledRule]) -> None:
        self._by_id: dict[str, CompiledRule] = {}
        for entry in compiled:
            if entry.rule.id in self._by_id:
                first = self._by_id[entry.rule.id].source
                raise RuleLoadError(
                    entry.source,
                    f"duplicate rule id (first defined in {first})",
                    rule_id=entry.rule.id,
                    field="id",
                )
            self._by_id[entry.rule.id] = entry
        for entry in compiled:
            unknown = [rid for rid in entry.rule.escalate_with if rid not in self._by_id]
            if unknown:
                raise RuleLoadError(
                    entry.source,
                    f"unknown rule id(s) {unknown}",
                    rule_id=entry.rule.id,
                    field="escalate_with",
                )

        self.gate = Gate(
            {rule_id: entry.detector.anchors for rule_id, entry in self._by_id.items()},
            tracked=frozenset().union(*(entry.detector.tracked for entry in self._by_id.values())),
        )
        self._applicable: dict[tuple[Channel, ProductType | None, date], list[Rule]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Rule]:
        return (entry.rule for entry in self._by_id.values())

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def get(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``; KeyError names the missing id."""
        return self._entry(rule_id).rule

    def detector(self, rule_id: str) -> Detector:
        """The compiled detector of ``rule_id``."""
        return self._entry(rule_id).detector

    def source_of(self, rule_id: str) -> str:
        """The file ``rule_id`` was loaded from (for audit trails and error reports)."""
        return self._entry(rule_id).source

    def _entry(self, rule_id: str) -> CompiledRule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r} in this rule set") from None

    def applicable(self, channel: Channel, product_type: ProductType | None, on_date: date) -> list[Rule]:
        """Rules in scope for ``channel`` and ``product_type`` (None = unknown) in force on ``on_date``."""
        key = (channel, product_type, on_date)
        cached = self._applicable.get(key)
        if cached is None:
            require_channel(channel)
            require_product_type(product_type)
            cached = [rule for rule in self if rule.applies_to(channel, product_type, on_date)]
            self._applicable[key] = cached
        return list(cached)


def _field_of(loc: Sequence[int | str], prefix: str = "") -> str:
    return prefix + ".".join(str(part) for part in loc)


def _first_error(exc: ValidationError, prefix: str = "") -> tuple[str, str]:
    """(field path, message) of the first validation error, with the count of others if any."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    message = str(first["msg"])
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error(s))"
    return _field_of(first["loc"], prefix), message


def _compile_entry(entry: object, index: int, source: Path) -> CompiledRule:
    """Validate one YAML entry as a Rule and compile its detector."""
    if not isinstance(entry, dict):
        raise RuleLoadError(source, f"entry #{index + 1} is not a mapping")
    raw_id = entry.get("id")
    rule_id = raw_id if isinstance(raw_id, str) else f"#{index + 1}"
    try:
        rule = Rule.model_validate(entry)
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise RuleLoadError(source, message, rule_id=rule_id, field=field) from exc
    try:
        detector = build_detector(rule.detector.type, rule.detector.params)
    except ValidationError as exc:
        field, message = _first_error(exc, prefix="detector.params.")
        raise RuleLoadError(source, message, rule_id=rule_id, field=field) from exc
    return CompiledRule(rule=rule, detector=detector, source=str(source))


def _read_entries(source: Path) -> list[Any]:
    try:
        # A SafeLoader subclass: constructs only plain YAML types, never arbitrary Python objects.
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_NoTimestampLoader)
    except OSError as exc:
        raise RuleLoadError(source, f"cannot read file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RuleLoadError(source, f"invalid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise RuleLoadError(source, "top level must be a list of rules")
    return data


def _rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not found:
            raise RuleLoadError(path, "directory contains no rule files (*.yaml)")
        return found
    if path.is_file():
        return [path]
    raise RuleLoadError(path, "no such rule file or directory")


def default_rules_dir() -> Path:
    """``knowledge/rules`` inside the installed ``knowledge`` package."""
    return Path(str(files("knowledge").joinpath("rules")))


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load, validate and compile the rules in ``path`` (a YAML file or a folder; default knowledge/rules)."""
    root = Path(path) if path is not None else default_rules_dir()
    compiled = [
        _compile_entry(entry, index, source)
        for source in _rule_files(root)
        for index, entry in enumerate(_read_entries(source))
    ]
    if not compiled:
        raise RuleLoadError(root, "no rules found")
    return RuleSet(compiled)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The shipped rule set, loaded once per process (tests call ``default_rules.cache_clear()``)."""
    return load_rules()
