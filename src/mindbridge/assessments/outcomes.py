"""NHS Talking Therapies outcome conventions per episode of care, and their aggregation.

Conventions (NHS Talking Therapies manual, as summarised in clinical-reference.md):

- caseness: PHQ-9 >= 10 and/or GAD-7 >= 8;
- recovery: a case at the first paired measure and below caseness on both at the last;
- reliable improvement: PHQ-9 falls by >= 6 and/or GAD-7 by >= 4, with no reliable deterioration
  on the other measure;
- reliable deterioration: PHQ-9 rises by >= 6 and/or GAD-7 by >= 4, with no reliable improvement
  on the other (the symmetric reading; the manual's exact wording is unverified here);
- reliable recovery: recovered and reliably improved.

Paired measures are the first and the last PHQ-9 and the first and the last GAD-7 of an episode;
an episode without two of each is counted as not paired and left out of every rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from mindbridge.assessments.change import Measurement, first_and_last

PHQ9 = "PHQ-9"
GAD7 = "GAD-7"
PHQ9_CASENESS = 10
GAD7_CASENESS = 8
PHQ9_RELIABLE_CHANGE = 6
GAD7_RELIABLE_CHANGE = 4


def is_case(phq9: int, gad7: int) -> bool:
    return phq9 >= PHQ9_CASENESS or gad7 >= GAD7_CASENESS


@dataclass(frozen=True)
class PairedScores:
    phq9_first: int
    phq9_last: int
    gad7_first: int
    gad7_last: int
    first_at: datetime
    last_at: datetime


def paired_scores(measurements: Sequence[Measurement]) -> PairedScores | None:
    phq9 = first_and_last(measurements, PHQ9)
    gad7 = first_and_last(measurements, GAD7)
    if phq9 is None or gad7 is None:
        return None
    return PairedScores(
        phq9_first=phq9[0].total,
        phq9_last=phq9[1].total,
        gad7_first=gad7[0].total,
        gad7_last=gad7[1].total,
        first_at=min(phq9[0].taken_at, gad7[0].taken_at),
        last_at=max(phq9[1].taken_at, gad7[1].taken_at),
    )


@dataclass(frozen=True)
class TalkingTherapiesOutcome:
    case_at_start: bool
    case_at_end: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    recovered: bool | None  # defined only for episodes that were a case at the start
    reliable_recovery: bool | None

    @property
    def no_reliable_change(self) -> bool:
        return not (self.reliable_improvement or self.reliable_deterioration)


def talking_therapies_outcome(scores: PairedScores) -> TalkingTherapiesOutcome:
    phq_drop = scores.phq9_first - scores.phq9_last
    gad_drop = scores.gad7_first - scores.gad7_last
    phq_better, phq_worse = phq_drop >= PHQ9_RELIABLE_CHANGE, -phq_drop >= PHQ9_RELIABLE_CHANGE
    gad_better, gad_worse = gad_drop >= GAD7_RELIABLE_CHANGE, -gad_drop >= GAD7_RELIABLE_CHANGE
    improvement = (phq_better or gad_better) and not (phq_worse or gad_worse)
    deterioration = (phq_worse or gad_worse) and not (phq_better or gad_better)
    case_start = is_case(scores.phq9_first, scores.gad7_first)
    case_end = is_case(scores.phq9_last, scores.gad7_last)
    recovered = (not case_end) if case_start else None
    return TalkingTherapiesOutcome(
        case_at_start=case_start,
        case_at_end=case_end,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        recovered=recovered,
        reliable_recovery=(recovered and improvement) if recovered is not None else None,
    )


@dataclass(frozen=True)
class Episode:
    """One client's course of care with one clinician, and every total measured in it."""

    id: str
    client_id: str
    clinician_id: str | None
    service_id: str | None
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True)
class EpisodeOutcome:
    episode_id: str
    client_id: str
    clinician_id: str | None
    service_id: str | None
    paired: PairedScores | None
    outcome: TalkingTherapiesOutcome | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.paired is not None:
            data["paired"]["first_at"] = self.paired.first_at.isoformat()
            data["paired"]["last_at"] = self.paired.last_at.isoformat()
        return data


def episode_outcome(episode: Episode) -> EpisodeOutcome:
    paired = paired_scores(episode.measurements)
    return EpisodeOutcome(
        episode_id=episode.id,
        client_id=episode.client_id,
        clinician_id=episode.clinician_id,
        service_id=episode.service_id,
        paired=paired,
        outcome=talking_therapies_outcome(paired) if paired is not None else None,
    )


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def to_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.value}


@dataclass(frozen=True)
class OutcomeSummary:
    """Counts with their denominators: recovery rates count only cases at the start."""

    episodes: int
    paired: int
    not_paired: int
    case_at_start: int
    recovery: Rate  # recovered / paired cases at start
    reliable_improvement: Rate  # / paired
    reliable_deterioration: Rate  # / paired
    reliable_recovery: Rate  # / paired cases at start

    def to_dict(self) -> dict[str, Any]:
        return {
            "episodes": self.episodes,
            "paired": self.paired,
            "not_paired": self.not_paired,
            "case_at_start": self.case_at_start,
            "recovery": self.recovery.to_dict(),
            "reliable_improvement": self.reliable_improvement.to_dict(),
            "reliable_deterioration": self.reliable_deterioration.to_dict(),
            "reliable_recovery": self.reliable_recovery.to_dict(),
        }


def summarise(outcomes: Iterable[EpisodeOutcome]) -> OutcomeSummary:
    items = list(outcomes)
    results = [o.outcome for o in items if o.outcome is not None]
    cases = [r for r in results if r.case_at_start]
    return OutcomeSummary(
        episodes=len(items),
        paired=len(results),
        not_paired=len(items) - len(results),
        case_at_start=len(cases),
        recovery=Rate(sum(1 for r in cases if r.recovered), len(cases)),
        reliable_improvement=Rate(sum(1 for r in results if r.reliable_improvement), len(results)),
        reliable_deterioration=Rate(
            sum(1 for r in results if r.reliable_deterioration), len(results)
        ),
        reliable_recovery=Rate(sum(1 for r in cases if r.reliable_recovery), len(cases)),
    )


UNASSIGNED = "unassigned"


def summarise_by(
    outcomes: Iterable[EpisodeOutcome], key: Callable[[EpisodeOutcome], str | None]
) -> dict[str, OutcomeSummary]:
    """One summary per group; episodes without a group fall under "unassigned"."""
    groups: dict[str, list[EpisodeOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(key(outcome) or UNASSIGNED, []).append(outcome)
    return {name: summarise(group) for name, group in sorted(groups.items())}


def summarise_by_clinician(outcomes: Iterable[EpisodeOutcome]) -> dict[str, OutcomeSummary]:
    return summarise_by(outcomes, lambda o: o.clinician_id)


def summarise_by_service(outcomes: Iterable[EpisodeOutcome]) -> dict[str, OutcomeSummary]:
    return summarise_by(outcomes, lambda o: o.service_id)
