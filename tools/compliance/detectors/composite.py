"""Composite detector: a rule whose catalog entry names several independent checks (kw + num, kw + struct).

DP-01 forbids both inducements (返现, 贴息) and rates above the published table; CALL-03 needs a refusal
branch *and* no pitch after a refusal. One rule, one finding category, several detectors: the hits of every
part are reported under the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from pydantic import Field

from core.domain import Channel, ProductType
from tools.compliance.detectors.base import DetectionContext, Detector, DetectorParams, Hit
from tools.compliance.gate import union

PartBuilder = Callable[[str, Mapping[str, object]], Detector]


class CompositePart(DetectorParams):
    type: str = Field(min_length=1)
    params: dict[str, object] = Field(default_factory=dict)
    channels: list[Channel] = Field(
        default_factory=list, description="Channels this part runs on; empty = every channel of the rule."
    )
    product_types: list[ProductType] = Field(
        default_factory=list, description="Product types this part runs for; empty = every type of the rule."
    )


class CompositeParams(DetectorParams):
    parts: list[CompositePart] = Field(min_length=2)


class CompositeDetector:
    """Runs each part and concatenates their hits."""

    def __init__(self, params: CompositeParams, build: PartBuilder) -> None:
        if any(part.type == "composite" for part in params.parts):
            raise ValueError("a composite detector cannot contain another composite")
        self.params = params
        self._parts = tuple(
            (
                frozenset(part.channels),
                frozenset(part.product_types),
                part.type,
                build(part.type, part.params),
            )
            for part in params.parts
        )

        self.anchors = union(part.anchors for _, _, _, part in self._parts)
        self.tracked = frozenset().union(*(part.tracked for _, _, _, part in self._parts))

    @property
    def parts(self) -> tuple[Detector, ...]:
        """The compiled part detectors, in rule order."""
        return tuple(part for _, _, _, part in self._parts)

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        """Every part's hits; where two parts point at overlapping text, the first part's hit is kept."""
        hits: list[Hit] = []
        for channels, product_types, kind, part in self._parts:
            if channels and ctx.channel not in channels:
                continue
            if product_types and ctx.product_type not in product_types:
                continue
            hits.extend(
                replace(hit, detector=hit.detector or kind)
                for hit in part.detect(ctx)
                if not _overlaps_any(hit, hits)
            )
        return hits


def _overlaps_any(hit: Hit, kept: list[Hit]) -> bool:
    if hit.start is None or hit.end is None:
        return any(other.start is None and other.detail == hit.detail for other in kept)
    return any(
        other.start is not None and other.end is not None and hit.start < other.end and other.start < hit.end
        for other in kept
    )
