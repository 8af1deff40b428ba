"""Find a model's quote in the ORIGINAL text; a quote that is not there is not evidence of anything.

The model saw the text PII-masked (``core.llm`` masks every prompt), so a faithful quote of a passage that held
a phone, ID or card number reads ``138****8000``. Such a quote is accepted only where masking the original
passage reproduces it exactly; any other mismatch, however small, means the quote is not in the text.
"""

from __future__ import annotations

import re

from core.domain import Span
from core.masking import mask_text

_MASK_RUN = re.compile(r"(\*+)")


def quote_occurrences(text: str, quote: str) -> list[Span]:
    """Every place ``quote`` (trimmed of surrounding blanks) occurs in ``text``, in text order.

    Exact occurrences first; only when there are none, passages that mask to the quote. Empty → no quote.
    """
    wanted = quote.strip()
    if not wanted:
        return []
    exact = _exact(text, wanted)
    if exact or "*" not in wanted:
        return exact
    return _through_mask(text, wanted)


def _exact(text: str, quote: str) -> list[Span]:
    spans: list[Span] = []
    start = text.find(quote)
    while start >= 0:
        spans.append(Span(start=start, end=start + len(quote), quote=quote))
        start = text.find(quote, start + 1)
    return spans


def _through_mask(text: str, quote: str) -> list[Span]:
    # Each run of n stars stands for n masked characters of a digit run (ID numbers may end in X).
    pattern = "".join(
        rf"[\dXx]{{{len(part)}}}" if part.startswith("*") else re.escape(part)
        for part in _MASK_RUN.split(quote)
        if part
    )
    return [
        Span(start=match.start(), end=match.end(), quote=match.group(0))
        for match in re.finditer(pattern, text)
        if mask_text(match.group(0)) == quote
    ]
