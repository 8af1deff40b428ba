"""Render an H5Page to a self-contained mobile HTML page, and read back the text a customer sees.

The template escapes every value (autoescape on) and fails on any missing variable (StrictUndefined), so page
text written by a model cannot inject markup and a template typo cannot ship a blank. ``visible_text`` parses
the rendered page rather than re-listing fields, so what compliance checks is exactly what is shown.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tools.h5.model import H5Page
from tools.h5.wording import ANTI_FRAUD

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PAGE_TEMPLATE = "page.html.j2"
# Elements after which a reader's eye moves to a new line; text inside one is joined without breaks.
_BLOCKS = frozenset(
    {"p", "li", "h1", "h2", "h3", "a", "label", "legend", "button", "header", "section", "footer", "ul", "ol"}
)
_HIDDEN = frozenset({"head", "style", "script", "title"})


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = _cn_date
    return env


def render_h5(page: H5Page, *, preview: bool, form_action: str | None = None) -> str:
    """The page as HTML; ``preview`` adds a PREVIEW banner and the clause behind each benefit.

    Without ``form_action`` the lead form cannot be sent (its button is disabled and the page says so).
    """
    template = _environment().get_template(PAGE_TEMPLATE)
    return template.render(page=page, preview=preview, form_action=form_action, anti_fraud=ANTI_FRAUD)


def page_from_content(content: dict[str, Any]) -> H5Page:
    """The H5Page stored in a draft or publication (its ``meta`` label travels beside the page)."""
    return H5Page.model_validate({key: value for key, value in content.items() if key != "meta"})


class _TextCollector(HTMLParser):
    """Collects visible text in document order, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden_depth += 1
        elif tag in _BLOCKS:
            self._flush()
        placeholder = dict(attrs).get("placeholder")
        if tag == "input" and placeholder and not self._hidden_depth:
            self._flush()
            self.lines.append(placeholder)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._current.append(data)

    def _flush(self) -> None:
        text = "".join(self._current).strip()
        if text:
            self.lines.append(text)
        self._current = []

    def text(self) -> str:
        self._flush()
        return "\n".join(self.lines)


def visible_text(page: H5Page) -> str:
    """Everything a customer can read on the published page, in reading order, one block per line."""
    collector = _TextCollector()
    collector.feed(render_h5(page, preview=False))
    collector.close()
    return collector.text()
