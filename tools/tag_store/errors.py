"""Typed errors of the tag store; each message names what is wrong and where."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CatalogError(ValueError):
    """The tag catalog file is missing, malformed, or inconsistent."""


class ExpressionIssue(BaseModel):
    """One problem in an audience expression: where (JSON path) and what."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: str
    # The compliance checker reports a sensitive tag as a PI-04 finding instead of refusing the expression.
    sensitive_tag: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ExpressionError(ValueError):
    """An audience expression is malformed or does not fit the tag catalog."""

    def __init__(self, issues: list[ExpressionIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))


class SelectionError(ValueError):
    """A selection request is invalid (unknown channel or product type, missing product risk level...)."""


class TagStoreError(RuntimeError):
    """The tag store file is missing or cannot answer (schema does not match the catalog, engine error)."""
