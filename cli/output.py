"""CLI output helpers: JSON for machines, short text for people, one-line errors for both."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from pydantic import BaseModel, ValidationError

from tools.campaign_api.errors import WorkflowError


def emit(data: Any, *, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(human(data) if human else json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit non-zero; never a traceback for bad input."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def clean_errors() -> Iterator[None]:
    """Turn the errors that bad input can cause into one-line messages."""
    try:
        yield
    except WorkflowError as exc:
        fail(f"{exc.code}: {exc.message}")
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid input at {'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
    except (ValueError, KeyError, FileNotFoundError) as exc:
        fail(str(exc).strip("'\""))


def progress_printer(label: str) -> Callable[..., None]:
    """A progress callback that redraws one stderr line (plain text keeps CI logs readable)."""

    def report(done: int, total: int, *_detail: object) -> None:
        percent = 100 * done // max(total, 1)
        sys.stderr.write(f"\r{label}: {done:,}/{total:,} ({percent}%)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report
