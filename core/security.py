"""API keys: generated once, shown once, stored only as a SHA-256 hash.

Keys carry 256 bits of randomness, so a fast hash is enough (no password stretching needed) and lookups
can be exact-match on the hash.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "mb_"


def generate_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    """The first characters, stored in clear so an admin can tell keys apart without seeing them."""
    return key[:10]
