"""The Chroma embedding function that wraps our embedders, registered so collections reopen anywhere.

Chroma stores ``name()`` and ``get_config()`` with a collection; a client that opens the collection later (another
process, ``chroma browse``, a notebook) looks the name up among registered functions and calls
``build_from_config``. Importing this module registers it. Without it, Chroma would fall back to its default
ONNX model, which downloads its weights on first use: that never works offline, and it is English-only.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from tools.policy_kb.embedding import Embedder, RebuildableEmbedder
from tools.policy_kb.factory import EmbedderConfigError, embedder_from_config

EF_NAME = "mbrain-policy-kb"


class UnrebuildableEmbedderError(RuntimeError):
    """The collection was built by an embedder passed in code; it cannot be re-created from its config."""


@register_embedding_function
class PolicyKbEmbeddingFunction(EmbeddingFunction[Documents]):
    """``__call__`` embeds passages, ``embed_query`` embeds a query (E5 prefixes differ between the two)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [self.embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return EF_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        if isinstance(self.embedder, RebuildableEmbedder):
            return self.embedder.config()
        # A test double or other custom embedder: record what it was so the error on reopen can say so.
        return {"kind": "custom", "name": self.embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        try:
            return PolicyKbEmbeddingFunction(embedder_from_config(config))
        except EmbedderConfigError:
            if config.get("kind") != "custom":
                raise
            return PolicyKbEmbeddingFunction(_Unrebuildable(str(config.get("name", "?"))))

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if not isinstance(config.get("kind"), str):
            raise ValueError(f"{EF_NAME} config needs a string 'kind', got {config!r}")


class _Unrebuildable:
    """Stands in for a custom embedder after a reopen: opening works, embedding says what to do instead."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        raise self._error()

    def embed_passages(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        raise self._error()

    def embed_query(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        raise self._error()

    def _error(self) -> UnrebuildableEmbedderError:
        return UnrebuildableEmbedderError(
            f"this collection was built with the custom embedder {self._name!r}; pass that embedder explicitly"
        )


def embedding_function(embedder: Embedder) -> EmbeddingFunction[Documents]:
    """The registered Chroma embedding function for ``embedder``."""
    return cast(EmbeddingFunction[Documents], PolicyKbEmbeddingFunction(embedder))
