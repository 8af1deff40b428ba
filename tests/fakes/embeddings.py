"""Deterministic embeddings for ``POST /v1/embeddings``.

Vectors are hashed bags of character unigrams and bigrams, L2-normalised: the same text always gives the same
vector, and texts sharing characters get a higher cosine similarity, which is enough for retrieval tests to
rank an obviously related passage first without a real model.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fakes.chat_request import InvalidRequestError
from tests.fakes.wire import estimate_tokens

DEFAULT_DIMENSIONS = 64
MAX_DIMENSIONS = 4096


def embed_features(features: Sequence[str], dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """Hash ``features`` into a signed, L2-normalised vector of ``dimensions`` floats."""
    vector = [0.0] * dimensions
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        bucket = int.from_bytes(digest[:4], "little") % dimensions
        vector[bucket] += 1.0 if digest[4] % 2 == 0 else -1.0
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0.0:  # empty input still needs a unit vector
        vector[0], norm = 1.0, 1.0
    return [value / norm for value in vector]


def text_features(text: str) -> list[str]:
    """Character unigrams and bigrams of ``text`` (case-folded, whitespace dropped)."""
    chars = [char for char in text.casefold() if not char.isspace()]
    return chars + [a + b for a, b in zip(chars, chars[1:], strict=False)]


def token_features(tokens: Sequence[int]) -> list[str]:
    """Token-id unigrams and bigrams, for clients that send token arrays instead of strings."""
    ids = [str(token) for token in tokens]
    return ids + [f"{a} {b}" for a, b in zip(ids, ids[1:], strict=False)]


def _inputs(raw: Any) -> list[tuple[list[str], int]]:
    """Each input as (features, token estimate); accepts str, [str], [int] or [[int]] like the real API."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise InvalidRequestError("'input' must be a string or a non-empty list")
    if all(isinstance(item, int) for item in raw):
        raw = [raw]
    items: list[tuple[list[str], int]] = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            items.append((text_features(item), estimate_tokens(item)))
        elif isinstance(item, list) and all(isinstance(token, int) for token in item):
            items.append((token_features(item), len(item)))
        else:
            raise InvalidRequestError(f"input[{index}] must be a string or a list of token ids")
    return items


def _encode(vector: list[float], encoding_format: str) -> list[float] | str:
    if encoding_format == "base64":
        return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
    return vector


def embeddings_body(body: Any) -> dict[str, Any]:
    """The response to an embeddings request body; raises :class:`InvalidRequestError` on bad input."""
    if not isinstance(body, Mapping) or not isinstance(body.get("model"), str):
        raise InvalidRequestError("embeddings body must be an object with a string 'model'")
    encoding_format = body.get("encoding_format") or "float"
    if encoding_format not in ("float", "base64"):
        raise InvalidRequestError("'encoding_format' must be 'float' or 'base64'")
    dimensions = body.get("dimensions") or DEFAULT_DIMENSIONS
    if not isinstance(dimensions, int) or not 1 <= dimensions <= MAX_DIMENSIONS:
        raise InvalidRequestError(f"'dimensions' must be an integer in 1..{MAX_DIMENSIONS}")
    items = _inputs(body.get("input"))
    data = [
        {
            "object": "embedding",
            "index": index,
            "embedding": _encode(embed_features(features, dimensions), encoding_format),
        }
        for index, (features, _) in enumerate(items)
    ]
    tokens = sum(count for _, count in items)
    return {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
