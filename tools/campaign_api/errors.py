"""Typed workflow errors; the API maps them to HTTP statuses, the CLI to one-line messages."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class: ``code`` is a stable machine-readable reason, ``message`` a human one."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class NotFound(WorkflowError):
    status = 404


class Forbidden(WorkflowError):
    status = 403


class Conflict(WorkflowError):
    status = 409


class InvalidInput(WorkflowError):
    status = 422


class RunFailed(WorkflowError):
    """A graph run stopped on an internal error; its checkpoint is kept so it can be resumed."""

    status = 500
