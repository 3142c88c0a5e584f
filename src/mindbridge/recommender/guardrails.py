"""Clinician controls and the hard guard rails applied before any score is looked at.

Order of precedence, strongest first:
1. `excluded` by the clinician: never offered.
2. `requires_approval` in the catalogue: offered only with an approval for that exercise.
3. A contraindication whose flag is in the person's clinical flags: offered only when it is
   overridable and the approval for that exercise names that flag (an approval given before
   the flag appeared does not cover it).
4. `pinned`: eligible pinned exercises come first, in pin order; a pin never lifts 1-3.
5. `prioritised`: a bonus on the learned score, never a bypass.

Eligibility is decided here, once, from the catalogue, the context's flags and the
controls; the policy then ranks only the eligible set, so no learned state can reach a
blocked exercise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mindbridge.recommender.catalogue import EXERCISE_IDS, Catalogue


@dataclass(frozen=True)
class Controls:
    """A clinician's settings for one client (JSON-ready via to_dict/from_dict).

    `approvals` maps an exercise id to the clinical flags the approving clinician
    acknowledged (empty tuple: approved, no flag acknowledged).
    """

    pinned: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()
    prioritised: frozenset[str] = frozenset()
    approvals: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        named = set(self.pinned) | self.excluded | self.prioritised | set(self.approvals)
        unknown = named - set(EXERCISE_IDS)
        if unknown:
            raise ValueError(f"unknown exercise ids in controls: {sorted(unknown)}")
        if len(set(self.pinned)) != len(self.pinned):
            raise ValueError("an exercise is pinned twice")
        clash = set(self.pinned) & self.excluded
        if clash:
            raise ValueError(f"exercises both pinned and excluded: {sorted(clash)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "pinned": list(self.pinned),
            "excluded": sorted(self.excluded),
            "prioritised": sorted(self.prioritised),
            "approvals": {k: sorted(v) for k, v in sorted(self.approvals.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Controls:
        return cls(
            pinned=tuple(data.get("pinned", ())),
            excluded=frozenset(data.get("excluded", ())),
            prioritised=frozenset(data.get("prioritised", ())),
            approvals={k: frozenset(v) for k, v in data.get("approvals", {}).items()},
        )


@dataclass(frozen=True)
class Blocked:
    exercise_id: str
    reason: str


def check(
    exercise_id: str, catalogue: Catalogue, flags: frozenset[str], controls: Controls
) -> str | None:
    """Why `exercise_id` may not be offered, or None when it may."""
    if exercise_id in controls.excluded:
        return "excluded by your clinician"
    exercise = catalogue.get(exercise_id)
    approval = controls.approvals.get(exercise_id)
    if exercise.requires_approval and approval is None:
        return "needs clinician approval"
    for contra in exercise.contraindications:
        if contra.flag not in flags:
            continue
        if not contra.overridable_by_approval:
            return f"contraindicated: {contra.flag}"
        if approval is None or contra.flag not in approval:
            return f"contraindicated: {contra.flag} (needs an approval that names it)"
    return None


def eligibility(
    catalogue: Catalogue, flags: frozenset[str], controls: Controls
) -> tuple[list[str], list[Blocked]]:
    """Split the catalogue into allowed ids (catalogue order) and blocked ones with reasons."""
    allowed: list[str] = []
    blocked: list[Blocked] = []
    for exercise_id in catalogue.ids:
        reason = check(exercise_id, catalogue, flags, controls)
        if reason is None:
            allowed.append(exercise_id)
        else:
            blocked.append(Blocked(exercise_id, reason))
    return allowed, blocked
