"""Policy documents: the front-matter schema and the loader for the markdown corpus.

Each corpus file is markdown with a YAML front matter block. The front matter carries everything a citation
needs (issuer, dates, citation text, evidence level) so a retrieved passage can always be cited and dated.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import knowledge
from core.domain import CHANNELS, PRODUCT_TYPES, Channel, ProductType

DEFAULT_CORPUS_DIR = Path(knowledge.__file__).resolve().parent / "policies"

DocType = Literal["regulation", "internal_policy", "product_sheet", "brand_guide"]
DOC_TYPES: tuple[str, ...] = ("regulation", "internal_policy", "product_sheet", "brand_guide")

# V / S / M are the evidence tags of the compliance catalog (verified text, secondary source, unverified).
# The bank's own documents are authoritative by definition and carry "internal".
Evidence = Literal["V", "S", "M", "internal"]

_FRONT_MATTER_FENCE = "---"


class CorpusError(ValueError):
    """A corpus file is unreadable or invalid; the message (and ``source`` / ``field``) name the file and field."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.field = field


class DocumentMeta(BaseModel):
    """Citation metadata of one policy document (the front matter, plus where it came from)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1)
    type: DocType
    issuer: str = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    channels: tuple[Channel, ...] = Field(min_length=1, description="'all' in the file = every channel.")
    products: tuple[ProductType, ...] = Field(min_length=1, description="'all' in the file = every type.")
    citation: str = Field(min_length=1, description="Document-level citation, e.g. 《中华人民共和国广告法》.")
    evidence: Evidence
    note: str | None = Field(default=None, description="Provenance or caveat for readers; not indexed.")
    source: str = Field(description="Where the text came from (file name or products.yaml entry).")

    @field_validator("channels", mode="before")
    @classmethod
    def _expand_all_channels(cls, value: Any) -> Any:
        return CHANNELS if value == "all" else value

    @field_validator("products", mode="before")
    @classmethod
    def _expand_all_products(cls, value: Any) -> Any:
        return PRODUCT_TYPES if value == "all" else value

    @model_validator(mode="after")
    def _check_dates(self) -> DocumentMeta:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to must not be before effective_from")
        return self

    def in_force_on(self, day: date) -> bool:
        """True when the document applies on ``day`` (both bounds inclusive)."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class PolicyDocument(DocumentMeta):
    """One policy document: its citation metadata plus the markdown body."""

    body: str = Field(min_length=1)

    @property
    def content_hash(self) -> str:
        """Hash of everything that affects the index (metadata and body), for incremental re-indexing."""
        payload = self.model_dump_json(exclude={"source"})
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def parse_document(text: str, source: str) -> PolicyDocument:
    """Parse one markdown file with YAML front matter into a validated document."""
    meta, body = _split_front_matter(text, source)
    try:
        return PolicyDocument.model_validate({**meta, "body": body.strip(), "source": source})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "front matter"
        raise CorpusError(f"{source}: field {field!r}: {first['msg']}", source=source, field=field) from None


def load_corpus(corpus_dir: Path) -> list[PolicyDocument]:
    """Every ``*.md`` document under ``corpus_dir`` (sorted by path), with unique ids."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist")
    documents: list[PolicyDocument] = []
    for path in sorted(corpus_dir.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorpusError(f"{path.name}: cannot read: {exc}", source=path.name) from exc
        documents.append(parse_document(text, source=path.relative_to(corpus_dir).as_posix()))
    return documents


def ensure_unique_ids(documents: list[PolicyDocument]) -> None:
    """Raise CorpusError naming both sources when two documents share an id."""
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            raise CorpusError(
                f"{doc.source}: field 'id': {doc.id!r} is already used by {seen[doc.id]}",
                source=doc.source,
                field="id",
            )
        seen[doc.id] = doc.source


def _split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """Split ``---\\nYAML\\n---\\nbody`` into (mapping, body)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != _FRONT_MATTER_FENCE:
        raise _front_matter_error(source, "missing (the file must start with '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FRONT_MATTER_FENCE)
    except StopIteration:
        raise _front_matter_error(source, "not closed by a '---' line") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise _front_matter_error(source, f"not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise _front_matter_error(source, "must be a YAML mapping")
    return meta, "\n".join(lines[end + 1 :])


def _front_matter_error(source: str, problem: str) -> CorpusError:
    return CorpusError(f"{source}: field 'front matter': {problem}", source=source, field="front matter")
