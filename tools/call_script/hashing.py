"""Content hash of a call script: sha256 over canonical JSON (the voice bot's ETag, channel-formats §3).

Blanked before hashing, and why:

- ``content_hash``: a hash cannot cover itself.
- ``status``: draft → in_review → approved → published is a lifecycle move, not a content change; the bot
  compares the hash of what it pulled with what was approved, so publishing must not change it.
- ``version``: the version number is a pointer the store assigns (and call records pin separately); leaving it
  out makes an identical body hash identically across versions, so a no-op "new version" is detectable.

Everything else (texts, graph, policy, variables, metadata including the AI-generated label) is content: any
edit to what the bot says or how it may call changes the hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from tools.call_script.model import CallScript

BLANKED_FIELDS: tuple[str, ...] = ("content_hash", "status", "version")


def canonical_json(document: Mapping[str, Any]) -> str:
    """Deterministic JSON: sorted keys, no insignificant whitespace, UTF-8 text kept as is."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def content_hash(script: CallScript) -> str:
    """Hex sha256 of the script's canonical JSON with the lifecycle fields blanked."""
    document = script.model_dump(mode="json")
    for field in BLANKED_FIELDS:
        document[field] = None
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def with_content_hash(script: CallScript) -> CallScript:
    """A copy of the script carrying its current content hash."""
    return script.model_copy(update={"content_hash": content_hash(script)})


def hash_matches(script: CallScript) -> bool:
    """True when the script carries a hash and it matches its content."""
    return script.content_hash is not None and script.content_hash == content_hash(script)
