"""The tag catalog: the vocabulary the audience agent uses, loaded and validated from ``knowledge/tags.yaml``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tools.tag_store.errors import CatalogError, ExpressionError
from tools.tag_store.expression import validate_expression
from tools.tag_store.tags import Band, CatalogFile, Preset, TagDef

DEFAULT_CATALOG_PATH = Path(str(resources.files("knowledge").joinpath("tags.yaml")))
# libyaml's safe loader when present (several times faster), else the pure-Python one; both are safe.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnknownTagError(LookupError):
    """A tag code that the catalog does not define."""


def normalise_term(word: str) -> str:
    """Fold width, case and spacing so 'ＡＵＭ ' and 'aum' name the same tag."""
    return "".join(unicodedata.normalize("NFKC", word).casefold().split())


class TagCatalog:
    """Tags by code, plus look-up by any word that names a tag or a preset."""

    def __init__(self, tags: Iterable[TagDef], presets: Iterable[Preset] = ()) -> None:
        self._tags: dict[str, TagDef] = {}
        for tag in tags:
            if tag.code in self._tags:
                raise CatalogError(f"tag code {tag.code!r} is defined twice")
            self._tags[tag.code] = tag
        self._presets = tuple(presets)
        self._by_term: dict[str, TagDef | Preset] = {}
        entries: list[TagDef | Preset] = [*self._tags.values(), *self._presets]
        for entry in entries:
            self._index_terms(entry)

    def _index_terms(self, entry: TagDef | Preset) -> None:
        for term in entry.terms():
            key = normalise_term(term)
            owner = self._by_term.get(key)
            if owner is not None and owner is not entry:
                raise CatalogError(f"the word {term!r} names both {_label(owner)} and {_label(entry)}")
            self._by_term[key] = entry

    # ----- loading -----

    @classmethod
    def from_yaml(cls, path: Path) -> TagCatalog:
        """Load and validate a catalog file; ``CatalogError`` says which entry is wrong and why."""
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        except FileNotFoundError:
            raise CatalogError(f"tag catalog not found: {path}") from None
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: not valid YAML: {exc}") from None
        return cls.from_data(data, source=str(path))

    @classmethod
    def from_data(cls, data: Any, *, source: str = "<catalog>") -> TagCatalog:
        """Validate an already-parsed document (the YAML's shape) and check its presets."""
        try:
            document = CatalogFile.model_validate(data)
        except ValidationError as exc:
            raise CatalogError(f"{source}: {_schema_problems(exc, data)}") from None
        catalog = cls(document.tags, document.presets)
        for preset in document.presets:
            try:
                validate_expression(preset.expression, catalog)
            except ExpressionError as exc:
                raise CatalogError(f"{source}: preset {preset.name!r}: {exc}") from None
        return catalog

    @classmethod
    def default(cls) -> TagCatalog:
        """The catalog shipped in ``knowledge/tags.yaml`` (loaded once per process)."""
        return _load_default()

    # ----- look-up -----

    @property
    def tags(self) -> tuple[TagDef, ...]:
        return tuple(self._tags.values())

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._tags)

    @property
    def presets(self) -> tuple[Preset, ...]:
        return self._presets

    def __len__(self) -> int:
        return len(self._tags)

    def __contains__(self, code: object) -> bool:
        return code in self._tags

    def get(self, code: str) -> TagDef | None:
        """The tag with exactly this code, or None."""
        return self._tags.get(code)

    def require(self, code: str) -> TagDef:
        """The tag with this code; ``UnknownTagError`` otherwise."""
        tag = self._tags.get(code)
        if tag is None:
            raise UnknownTagError(f"unknown tag code {code!r}")
        return tag

    def find(self, word: str) -> TagDef | None:
        """The tag named by ``word`` (its code, Chinese name or a synonym; width/case-insensitive)."""
        entry = self._by_term.get(normalise_term(word))
        return entry if isinstance(entry, TagDef) else None

    def find_preset(self, word: str) -> Preset | None:
        """The preset audience named by ``word`` (name or synonym), e.g. 授信未借款."""
        entry = self._by_term.get(normalise_term(word))
        return entry if isinstance(entry, Preset) else None

    def tags_with_value(self, value: str) -> list[TagDef]:
        """Category tags (marketing-usable ones only) that list ``value``, e.g. '上海' → province, city."""
        return [tag for tag in self._tags.values() if value in tag.values and not tag.is_sensitive]

    def mentions(self, text: str) -> list[TagDef | Preset]:
        """Tags and presets whose words occur in ``text``, longest word first, without overlaps."""
        folded = normalise_term(text)
        taken = [False] * len(folded)
        found: list[TagDef | Preset] = []
        for term in sorted(self._by_term, key=len, reverse=True):
            start = folded.find(term)
            while start >= 0:
                span = range(start, start + len(term))
                if not any(taken[i] for i in span):
                    for i in span:
                        taken[i] = True
                    entry = self._by_term[term]
                    if entry not in found:
                        found.append(entry)
                start = folded.find(term, start + 1)
        return found

    def describe(self, code: str) -> str:
        """A short Chinese description of a tag for prompts and the console."""
        tag = self.require(code)
        unit = f"，单位{tag.unit}" if tag.unit else ""
        lines = [
            f"{tag.code}（{tag.name}）：{tag.type}{unit}，更新频率 {tag.refresh}",
            f"口径：{tag.definition}",
        ]
        if tag.synonyms:
            lines.append(f"同义词：{'、'.join(tag.synonyms)}")
        if tag.values:
            order = "（由低到高）" if tag.ordered else ""
            lines.append(f"取值{order}：{'、'.join(tag.values)}")
        if tag.bands:
            lines.append(f"预设分段：{'；'.join(_band_text(band) for band in tag.bands)}")
        lines.append(f"可用运算：{', '.join(tag.allowed_ops)}")
        if tag.nullable:
            lines.append("可能为空：为空的客户不满足该标签上的任何条件（exists 除外）")
        if tag.is_sensitive:
            lines.append("敏感标签：禁止用于营销圈选")
        return "\n".join(lines)

    def band_condition(self, code: str, label: str) -> dict[str, Any]:
        """The DSL condition selecting one preset band (``min`` inclusive, ``max`` exclusive)."""
        tag = self.require(code)
        band = tag.band(label)
        parts: list[dict[str, Any]] = []
        if band.min is not None:
            parts.append({"tag": code, "op": "gte", "value": _plain(band.min)})
        elif tag.nullable:  # "not >= max" alone would also match customers with no value
            parts.append({"tag": code, "op": "exists"})
        if band.max is not None:
            parts.append({"not": {"tag": code, "op": "gte", "value": _plain(band.max)}})
        return parts[0] if len(parts) == 1 else {"and": parts}


@lru_cache(maxsize=1)
def _load_default() -> TagCatalog:
    return TagCatalog.from_yaml(DEFAULT_CATALOG_PATH)


def _label(entry: TagDef | Preset) -> str:
    return f"tag {entry.code!r}" if isinstance(entry, TagDef) else f"preset {entry.name!r}"


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _band_text(band: Band) -> str:
    low = "" if band.min is None else f"≥{_plain(band.min)}"
    high = "" if band.max is None else f"<{_plain(band.max)}"
    return f"{band.label}（{' 且 '.join(filter(None, (low, high)))}）"


def _schema_problems(exc: ValidationError, data: Any) -> str:
    """Pydantic errors as 'tags[3] (age).bands[0]: message', joined."""
    problems = []
    for error in exc.errors():
        path = ""
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
            if path.startswith("tags[") and path.count("[") == 1 and path.endswith("]"):
                path += _code_hint(data, int(path[5:-1]))
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{path or '<document>'}: {message}")
    return "; ".join(problems)


def _code_hint(data: Any, index: int) -> str:
    try:
        code = data["tags"][index]["code"]
    except (KeyError, IndexError, TypeError):
        return ""
    return f" ({code})" if isinstance(code, str) else ""
