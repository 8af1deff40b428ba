"""Split a policy document body into citable chunks.

Legal text is cited by article (第九条), internal policies by heading, so chunks follow those boundaries and
carry the label: a passage that comes back from search can be cited without re-reading the document. Long
sections are cut at sentence ends so each chunk stays within the embedding's useful length (~350 characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MAX_CHARS = 350

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<label>.+?)\s*#*\s*$")
# "第九条 …", "**第二十五条** …" or "第43条：…" at the start of a line opens an article.
_ARTICLE = re.compile(
    r"^\s*(?:\*\*)?(?P<label>第[零〇一二三四五六七八九十百千\d]+条)(?:\*\*)?(?=[\s　:：]|$)"
)
# A sentence ends after Chinese or ASCII terminal punctuation; newlines are boundaries too.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One piece of a document: the section it belongs to (第X条 or heading text, "" before any) and its text."""

    section: str
    text: str


def chunk_document(body: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Chunks of ``body`` in reading order, each at most ``max_chars`` characters, labelled by section."""
    if max_chars < 20:
        raise ValueError(f"max_chars must be at least 20, got {max_chars}")
    chunks: list[Chunk] = []
    for section, text in split_sections(body):
        chunks.extend(Chunk(section, piece) for piece in _pack_sentences(text, max_chars))
    return chunks


def split_sections(body: str) -> list[tuple[str, str]]:
    """(label, text) per section. An article line keeps its 第X条 in the text; a heading line is the label only."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            sections.append((heading.group("label").strip(), []))
            continue
        article = _ARTICLE.match(line)
        if article:
            sections.append((article.group("label"), [line.strip()]))
            continue
        sections[-1][1].append(line)
    result = []
    for label, lines in sections:
        text = "\n".join(lines).strip()
        if text:
            result.append((label, text))
    return result


def _pack_sentences(text: str, max_chars: int) -> list[str]:
    """Greedy packing of whole sentences into pieces ≤ max_chars; an over-long sentence is cut hard."""
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(text, max_chars):
        if current and len(current) + len(sentence) > max_chars:
            pieces.append(current.strip())
            current = ""
        current += sentence
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _sentences(text: str, max_chars: int) -> list[str]:
    """Sentences (keeping their punctuation and line breaks), none longer than max_chars."""
    sentences: list[str] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end > position:
            sentences.append(text[position:end])
            position = end
    if position < len(text):
        sentences.append(text[position:])
    bounded: list[str] = []
    for sentence in sentences:
        bounded.extend(sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars))
    return bounded
