"""Embeddings from any OpenAI-compatible endpoint (OpenAI, DashScope compatible mode, vLLM, Ollama…).

``check_embedding_ctx_length=False`` matters: with the default, langchain-openai tokenises with tiktoken and
sends token-id arrays, which most compatible servers reject (and tiktoken would try to download its BPE files).
Chunks are ≤ 350 characters, far below any model's context, so there is nothing to split client-side.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import openai
from pydantic import SecretStr

from tools.policy_kb.embedding import FloatMatrix


class EmbeddingEndpointError(RuntimeError):
    """The embeddings endpoint failed or answered with something that is not a usable vector."""


class OpenAICompatibleEmbedder:
    """Vectors from ``POST {base_url}/embeddings``; the dimension is learnt from the first answer."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: SecretStr | str = "not-needed",
        *,
        timeout_s: float = 30.0,
        max_retries: int = 2,
    ) -> None:
        if not base_url or not model:
            raise ValueError("an OpenAI-compatible embedder needs a base_url and a model")
        from langchain_openai import OpenAIEmbeddings  # ~2 s import: only when this embedder is used

        self._base_url = base_url
        self._model = model
        self._client = OpenAIEmbeddings(
            model=model,
            openai_api_base=base_url,
            openai_api_key=api_key if isinstance(api_key, SecretStr) else SecretStr(api_key),
            check_embedding_ctx_length=False,
            request_timeout=timeout_s,
            max_retries=max_retries,
        )
        self._dim: int | None = None
        self._dim_lock = threading.Lock()

    @property
    def name(self) -> str:
        # The model decides the vectors; the URL may move (a new host, a proxy) without changing them.
        return f"openai-compatible({self._model})"

    @property
    def dim(self) -> int:
        with self._dim_lock:
            if self._dim is None:
                self._dim = int(self._call(["维度探测"]).shape[1])
            return self._dim

    @property
    def kind(self) -> str:
        return "openai"

    def config(self) -> dict[str, Any]:
        # No API key: the config is stored in the Chroma collection; the key is read from settings on rebuild.
        return {"kind": "openai", "base_url": self._base_url, "model": self._model}

    def embed_passages(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._call(texts)

    def embed_query(self, text: str) -> FloatMatrix:
        return self._call([text]).reshape(-1)

    def _call(self, texts: list[str]) -> FloatMatrix:
        try:
            raw = self._client.embed_documents(texts)
        except openai.APIError as exc:
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self._base_url} (model {self._model}) failed: {exc}"
            ) from exc
        matrix = np.asarray(raw, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(texts) or matrix.shape[1] == 0:
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self._base_url} returned shape {matrix.shape} for {len(texts)} texts"
            )
        if self._dim is not None and matrix.shape[1] != self._dim:
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self._base_url} changed dimension from {self._dim} to {matrix.shape[1]}"
            )
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
