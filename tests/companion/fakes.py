"""Tiny fakes for the companion's injected callables (the real ones live in other packages)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mindbridge.companion import CompanionContext, Deps, Memory
from mindbridge.companion.ports import ScreeningLike

CRISIS_TEMPLATE = "[fixed crisis template from the safety capability]"
RESOURCES = "[region-specific support lines from the safety capability]"

_ELEVATED = re.compile(r"kill myself|want to die|end it all|hurt myself", re.I)
_IMMINENT = re.compile(r"tonight|the pills|a plan", re.I)


@dataclass(frozen=True)
class FakeScreening:
    level: str


@dataclass
class FakeScreener:
    """Keyword screener that records every call (text and context)."""

    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)

    def __call__(self, text: str, *, context: Sequence[str] = ()) -> ScreeningLike:
        self.calls.append((text, tuple(context)))
        if text in self.overrides:
            return FakeScreening(self.overrides[text])
        if _ELEVATED.search(text):
            return FakeScreening("imminent" if _IMMINENT.search(text) else "elevated")
        if _IMMINENT.search(text) and any(_ELEVATED.search(c) for c in context[-2:]):
            return FakeScreening("imminent")  # "I have the pills" after "I want to die"
        return FakeScreening("none")


def crisis_response(screening: ScreeningLike) -> list[str]:
    return [CRISIS_TEMPLATE, f"(level {screening.level})"]


def resources(context: CompanionContext) -> list[str]:
    return [RESOURCES]


def make_deps(
    screen: FakeScreener | None = None,
    distortions: Mapping[str, float] | None = None,
    emotions: Mapping[str, float] | None = None,
    **extra: Any,
) -> Deps:
    return Deps(
        screen=screen or FakeScreener(),
        crisis_response=crisis_response,
        support_resources=resources,
        distortions=(lambda text: dict(distortions)) if distortions is not None else None,
        emotions=(lambda text: dict(emotions)) if emotions is not None else None,
        **extra,
    )


def make_context(
    data: Mapping[str, Any] | None = None, memory: Memory | None = None
) -> CompanionContext:
    data = dict(data or {})
    return CompanionContext(
        now=datetime.fromisoformat(data.get("now", "2026-03-02T14:00:00+00:00")),
        memory=memory or Memory(name="Sam"),
        clinician_available=bool(data.get("clinician_available", False)),
        clinician_name=data.get("clinician_name"),
        approved_flows=frozenset(data.get("approved_flows", ())),
        blocked_flows=dict(data.get("blocked_flows", {})),
        suggested_flows=tuple(data.get("suggested_flows", ())),
        generative_allowed=bool(data.get("generative_allowed", False)),
    )
