"""Render prompt templates (Jinja2 files under prompts/<agent>/) strictly.

StrictUndefined turns a missing variable into an error instead of an empty string; user and product text
enter only as variables, never as template source, so braces in a brief cannot break or steer a prompt.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

PROMPTS_DIR = Path(__file__).resolve().parent


class PromptRenderError(RuntimeError):
    """A template is missing or a variable it needs was not given."""


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(PROMPTS_DIR)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **variables: Any) -> str:
    """Render ``prompts/<name>`` (e.g. ``plan/system.j2``) with exactly the given variables."""
    try:
        return _environment().get_template(name).render(**variables).strip()
    except TemplateError as exc:
        raise PromptRenderError(f"{name}: {exc}") from exc


def template_names() -> list[str]:
    """Every template file, for the test that renders them all."""
    return sorted(str(p.relative_to(PROMPTS_DIR)) for p in PROMPTS_DIR.rglob("*.j2"))
