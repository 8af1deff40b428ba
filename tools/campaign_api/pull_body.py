"""A pull's response text, assembled from memoised pieces instead of serialised per lead.

Every pull of one campaign repeats the same ids, policy and script text; only the lead id and a couple of short
variables change. So the lead-independent head is memoised by the ids it is made of, and the rest by the
compiled script (``CompiledScript.pull_fields_json``, by the lead's variables). Both memos are keyed by
everything their text is made of, and none of it is mutable state: nothing a refusal or an attempt changes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Protocol

from tools.call_script.compiled import CompiledScript

HEADS_MEMO = 32  # (campaign, live publication) pairs whose heads are kept


class PointerFields(Protocol):
    """What a pull reports of the live publication (``publications.PublishedPointer`` has these fields)."""

    @property
    def publication_id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def content_hash(self) -> str: ...


def render_pull_body(
    script: CompiledScript, campaign_id: str, lead_id: int, pointer: PointerFields, variables: dict[str, str]
) -> str:
    """``PulledScript`` as JSON text: byte for byte what ``json.dumps`` (``ensure_ascii=False``, compact) writes
    for the dict of its fields in declaration order, assembled from memoised pieces (tests hold the two equal)."""
    fields = script.pull_fields_json(variables)
    before_lead, after_lead = _head_around_lead(
        campaign_id, pointer.publication_id, pointer.version, pointer.content_hash
    )
    return f"{before_lead}{int(lead_id)}{after_lead}{fields}}}"


@lru_cache(maxsize=HEADS_MEMO)
def _head_around_lead(
    campaign_id: str, publication_id: str, version: int, content_hash: str
) -> tuple[str, str]:
    """A pull's leading fields, split where the lead id goes, as json.dumps writes a compact ``PulledScript``
    dict (``ensure_ascii=False``); only the ids and version they are made of go in, so memoising them is safe."""

    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    return (
        f'{{"campaign_id":{text(campaign_id)},"lead_id":',
        f',"publication_id":{text(publication_id)},"version":{int(version)},"content_hash":{text(content_hash)},',
    )
