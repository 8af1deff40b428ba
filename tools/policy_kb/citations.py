"""Resolve a rule's citation text to the knowledge-base documents and article sections it names.

Rule citations are written for people ("广告法第九条(三) [V]；第五十七条 [V]；市场监管总局《广告绝对化用语执法指南》
(2023年第6号) [S]"). Linking them by semantic search finds *a* related passage; a reviewer needs *the* cited
clause. This resolver is deterministic: each ``；``-separated part is matched to the corpus document whose name
or document number it contains (广告法 → 《中华人民共和国广告法》, 银发〔2019〕316号 → its notice), and a 第X条
in the part picks that article's section of the document. A part that names an article but no law (第五十七条
after 广告法第九条) inherits the previous part's document.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from tools.policy_kb.chunk import split_sections
from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, PolicyDocument, load_corpus

_EVIDENCE = re.compile(r"\[(V|S|M)\]")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕第?\d+号|令\s*〔?\d{4}〕?年?第\s*\d+\s*号|令第\d+号")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条")
_NAME_NOISE = re.compile(r"[《》“”\s]|中华人民共和国|（[^）]*）|\([^)]*\)")
MIN_NAME_CHARS = 3  # 广告法 is a real short name; 法 or 条例 alone would match everything
# Abbreviations rules use for the issuing body, expanded before matching.
_ALIASES = (("消保局", "消费者权益保护局"), ("原银保监会", "银保监会"), ("原保监会", "保监会"))
_ISSUER_PREFIXES = ("中国人民银行", "中国", "国家金融监督管理总局", "市场监管总局")


class CitationLink(BaseModel):
    """One part of a citation and the corpus document (and article section) it resolves to."""

    part: str
    doc_id: str
    title: str
    section: str
    citation: str


class _Entry(BaseModel):
    doc: PolicyDocument
    names: tuple[str, ...]
    numbers: tuple[str, ...]
    articles: frozenset[str]
    headings: tuple[tuple[str, str], ...]


def _plain_name(text: str) -> str:
    """A name without 《》, spaces, 中华人民共和国 or bracketed numbers — but a draft stays a draft."""
    return _NAME_NOISE.sub("", re.sub(r"[（(]征求意见稿[)）]", "征求意见稿", text))


def _names(doc: PolicyDocument) -> tuple[str, ...]:
    """The ways a rule may name the document: its citation name, without decorations, and its short forms."""
    base = _plain_name(doc.citation)
    names = {base, *(base.removeprefix(prefix) for prefix in _ISSUER_PREFIXES)}
    # 《中华人民共和国广告法》 is cited as 广告法; 《…实施条例》 must not be shadowed by the law it implements.
    return tuple(sorted((n for n in names if len(n) >= MIN_NAME_CHARS), key=len, reverse=True))


def _numbers(doc: PolicyDocument) -> tuple[str, ...]:
    return tuple(re.sub(r"\s", "", m.group()) for m in _DOC_NUMBER.finditer(doc.citation))


@lru_cache(maxsize=4)
def _index(corpus_dir: str) -> tuple[_Entry, ...]:
    entries = []
    for doc in load_corpus(Path(corpus_dir)):
        if doc.type not in ("regulation", "internal_policy"):
            continue
        sections = [(label, text) for label, text in split_sections(doc.body) if label]
        articles = frozenset(label for label, _ in sections if _ARTICLE.fullmatch(label))
        headings = tuple((label, text) for label, text in sections if label not in articles)
        entries.append(_Entry(doc=doc, names=_names(doc), numbers=_numbers(doc), articles=articles,
                              headings=headings))  # fmt: skip
    return tuple(entries)


def _match(part: str, entries: tuple[_Entry, ...]) -> _Entry | None:
    """The document a citation part names: by document number first, then by the longest matching name."""
    plain = re.sub(r"\s", "", part)
    for short, full in _ALIASES:
        plain = plain.replace(short, full)
    for entry in entries:
        if any(number in plain for number in entry.numbers):
            return entry
    stripped = _plain_name(plain)
    named = [(len(name), entry) for entry in entries for name in entry.names if name in stripped]
    return max(named, key=lambda pair: pair[0])[1] if named else None


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _section(part: str, article: re.Match[str] | None, entry: _Entry, hint: str) -> str:
    """The cited article; else a heading the part names (营销频次上限); else the heading whose section shares
    the most character pairs with ``hint`` (the rule's title and message); "" when the document has none."""
    if article is not None and article.group() in entry.articles:
        return article.group()
    named = next((label for label, _ in entry.headings if label in part), None)
    if named is not None or not entry.headings:
        return named or ""
    wanted = _bigrams(hint)
    # The heading says what a section is about; its text often mentions the neighbouring topics too.
    return max(
        entry.headings,
        key=lambda section: 3 * len(wanted & _bigrams(section[0])) + len(wanted & _bigrams(section[1])),
    )[0]


def resolve_citation(
    citation: str, hint: str = "", corpus_dir: Path = DEFAULT_CORPUS_DIR
) -> list[CitationLink]:
    """Every part of ``citation`` that names a corpus document, with the section it cites.

    ``hint`` (the rule's title and message) picks the section of a document cited without an article number.
    """
    entries = _index(str(corpus_dir.resolve()))
    links: list[CitationLink] = []
    previous: _Entry | None = None
    for raw in re.split(r"[；;]", citation):
        part = _EVIDENCE.sub("", raw).strip()
        if not part:
            continue
        entry = _match(part, entries)
        article = _ARTICLE.search(part)
        if entry is None and article is not None and part.startswith(article.group()):
            entry = previous  # "第五十七条" continues the law named just before
        if entry is None:
            continue
        section = _section(part, article, entry, f"{part} {hint}")
        links.append(CitationLink(part=part, doc_id=entry.doc.id, title=entry.doc.title, section=section,
                                  citation=entry.doc.citation))  # fmt: skip
        previous = entry
    return links
