"""Schema of one catalog entry (a tag), its preset numeric bands, and named audience presets.

These models only check what a single entry can check on its own; cross-entry rules (unique codes,
unambiguous synonyms, presets that validate against the catalog) live in :mod:`tools.tag_store.catalog`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

TagType = Literal["bool", "number", "category", "date"]
Sensitivity = Literal["normal", "sensitive"]
Refresh = Literal["real-time", "T+1", "weekly", "monthly"]
Op = Literal["eq", "ne", "in", "between", "gte", "lte", "exists", "within_days"]

# Which operators make sense for each tag type. Ordered categories (V0..V5, C1..C5) also accept the
# range operators, compiled to an IN list over the catalog order.
OPS_BY_TYPE: dict[str, tuple[Op, ...]] = {
    "bool": ("eq", "ne", "exists"),
    "number": ("eq", "ne", "in", "between", "gte", "lte", "exists"),
    "category": ("eq", "ne", "in", "exists"),
    "date": ("eq", "between", "gte", "lte", "within_days", "exists"),
}
ORDERED_CATEGORY_OPS: tuple[Op, ...] = ("between", "gte", "lte")

# Columns every customers table has besides the tags; a tag may not shadow them.
RESERVED_COLUMNS = frozenset({"customer_id", "surname", "name_masked"})


class Band(BaseModel):
    """A preset numeric band: ``min`` inclusive, ``max`` exclusive; either end may be open."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _check_bounds(self) -> Band:
        if self.min is None and self.max is None:
            raise ValueError(f"band {self.label!r} needs a min, a max or both")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"band {self.label!r}: min {self.min} must be below max {self.max}")
        return self


class TagDef(BaseModel):
    """One customer tag: a column of the customers table and a word of the audience vocabulary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$", description="Column name, snake_case.")
    name: str = Field(min_length=1, description="Chinese display name.")
    synonyms: tuple[str, ...] = Field(default=(), description="Words marketers use for this tag.")
    type: TagType
    unit: str | None = None
    values: tuple[str, ...] = Field(default=(), description="Allowed values of a category tag.")
    ordered: bool = Field(default=False, description="Category values are listed low to high.")
    bands: tuple[Band, ...] = Field(default=(), description="Preset bands of a number tag.")
    integer: bool = Field(
        default=False, description="A number tag that only holds whole numbers (age, days)."
    )
    nullable: bool = Field(default=False, description="The column may hold NULL (unknown / not applicable).")
    sensitivity: Sensitivity = "normal"
    refresh: Refresh
    definition: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check_type_specific_fields(self) -> TagDef:
        if self.code in RESERVED_COLUMNS:
            raise ValueError(f"code {self.code!r} is a reserved column name")
        if self.type == "category":
            if not self.values:
                raise ValueError("a category tag needs a non-empty 'values' list")
            if len(set(self.values)) != len(self.values):
                raise ValueError("'values' has duplicates")
        elif self.values or self.ordered:
            raise ValueError(f"'values' and 'ordered' only apply to category tags, not {self.type}")
        if (self.bands or self.integer) and self.type != "number":
            raise ValueError(f"'bands' and 'integer' only apply to number tags, not {self.type}")
        if len({band.label for band in self.bands}) != len(self.bands):
            raise ValueError("band labels must be unique")
        return self

    @property
    def is_sensitive(self) -> bool:
        return self.sensitivity == "sensitive"

    @property
    def allowed_ops(self) -> tuple[Op, ...]:
        """Operators valid on this tag, in a stable order for error messages."""
        ops = OPS_BY_TYPE[self.type]
        if self.type == "category" and self.ordered:
            ops = ops + ORDERED_CATEGORY_OPS
        return ops

    def terms(self) -> tuple[str, ...]:
        """Every word that names this tag: code, Chinese name, synonyms."""
        return (self.code, self.name, *self.synonyms)

    def band(self, label: str) -> Band:
        """The preset band with this label; ``KeyError`` naming the known labels otherwise."""
        for band in self.bands:
            if band.label == label:
                return band
        known = ", ".join(b.label for b in self.bands) or "none"
        raise KeyError(f"tag {self.code!r} has no band {label!r} (bands: {known})")


class Preset(BaseModel):
    """A named, reusable audience (e.g. 授信未借款) written in the audience DSL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()
    definition: str = Field(min_length=1)
    expression: dict[str, Any]

    def terms(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


class CatalogFile(BaseModel):
    """The whole YAML document."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    tags: list[TagDef] = Field(min_length=1)
    presets: list[Preset] = Field(default_factory=list)
