"""Text preparation shared by the hashing embedder and BM25: normalise, then split into content runs.

Both signals look at character n-grams, so anything between two runs must not form n-grams: punctuation,
whitespace and a short list of function words. The function words matter because users ask questions
("能不能说…吗", "要不要写…") while policies state rules; question scaffolding shared by many unrelated
chunks would otherwise outweigh the one topical word that identifies the answer.
"""

from __future__ import annotations

import re
import unicodedata

# Longest first so 能不能 is removed before 不能 could be considered (不能 alone is kept: rules say 不能).
FUNCTION_WORDS: tuple[str, ...] = (
    "可不可以",
    "是不是",
    "能不能",
    "要不要",
    "有没有",
    "会不会",
    "什么",
    "怎么",
    "怎样",
    "如何",
    "哪些",
    "是否",
    "能否",
    "可以",
    "我们",
    "你们",
    "他们",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "是",
    "我",
    "你",
)

_SEPARATORS = re.compile(r"[\W_]+|" + "|".join(map(re.escape, FUNCTION_WORDS)))


def content_runs(text: str) -> list[str]:
    """NFKC-normalised, case-folded runs of word characters with punctuation and function words removed."""
    normalised = unicodedata.normalize("NFKC", text).casefold()
    return [run for run in _SEPARATORS.split(normalised) if run]
