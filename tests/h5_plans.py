"""The minimal plan the H5 builder reads (objective and waves), for H5 tests that need no campaign graph."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PlanWave:
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class H5Plan:
    objective: str
    waves: list[PlanWave]
