"""Worked examples of the NHS Talking Therapies conventions and their aggregation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mindbridge.assessments.change import Measurement
from mindbridge.assessments.outcomes import (
    Episode,
    PairedScores,
    episode_outcome,
    is_case,
    summarise,
    summarise_by_clinician,
    summarise_by_service,
    talking_therapies_outcome,
)

T = datetime(2024, 1, 8, 10, 0, tzinfo=UTC)


def _pair(phq_first: int, phq_last: int, gad_first: int, gad_last: int) -> PairedScores:
    return PairedScores(phq_first, phq_last, gad_first, gad_last, T, T + timedelta(days=70))


@pytest.mark.parametrize(
    ("phq9", "gad7", "case"),
    [(9, 7, False), (10, 0, True), (0, 8, True), (10, 8, True)],
)
def test_caseness(phq9: int, gad7: int, case: bool) -> None:
    assert is_case(phq9, gad7) is case


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # PHQ-9 18 -> 8, GAD-7 12 -> 6: case -> not case, PHQ drop 10 >= 6: reliable recovery.
        ((18, 8, 12, 6), (True, False, True, False, True, True)),
        # 12 -> 9 and 9 -> 7: below caseness at the end but no reliable drop: recovery only.
        ((12, 9, 9, 7), (True, False, False, False, True, False)),
        # 8 -> 16, GAD-7 5 -> 5: not a case at the start; PHQ rises 8: reliable deterioration.
        ((8, 16, 5, 5), (False, True, False, True, None, None)),
        # PHQ drops 8 but GAD-7 rises 5: neither reliable improvement nor deterioration.
        ((20, 12, 6, 11), (True, True, False, False, False, False)),
        # GAD-7 drops 5 (>= 4); PHQ-9 14 is still a case: improvement without recovery.
        ((15, 14, 15, 10), (True, True, True, False, False, False)),
        # Boundaries: PHQ drop exactly 6 counts; ends at 9 and 7: reliable recovery.
        ((15, 9, 8, 7), (True, False, True, False, True, True)),
        # GAD-7 drop exactly 4 counts.
        ((9, 9, 10, 6), (True, False, True, False, True, True)),
        # PHQ drop 5 does not count; PHQ 10 at the end is still a case.
        ((15, 10, 3, 3), (True, True, False, False, False, False)),
        # GAD-7 rise exactly 4 is a reliable deterioration.
        ((5, 5, 3, 7), (False, False, False, True, None, None)),
    ],
)
def test_talking_therapies_worked_examples(scores, expected) -> None:
    o = talking_therapies_outcome(_pair(*scores))
    got = (
        o.case_at_start,
        o.case_at_end,
        o.reliable_improvement,
        o.reliable_deterioration,
        o.recovered,
        o.reliable_recovery,
    )
    assert got == expected


def _episode(
    episode_id: str, clinician: str | None, service: str | None, phq: list[int], gad: list[int]
) -> Episode:
    ms = [Measurement("PHQ-9", v, T + timedelta(days=14 * i)) for i, v in enumerate(phq)]
    ms += [Measurement("GAD-7", v, T + timedelta(days=14 * i)) for i, v in enumerate(gad)]
    return Episode(episode_id, f"client-{episode_id}", clinician, service, tuple(ms))


def test_episode_pairs_first_and_last_measures() -> None:
    outcome = episode_outcome(_episode("e1", "dr-a", "north", [18, 14, 11, 8], [12, 10, 9, 6]))
    assert outcome.paired is not None
    assert (outcome.paired.phq9_first, outcome.paired.phq9_last) == (18, 8)
    assert (outcome.paired.gad7_first, outcome.paired.gad7_last) == (12, 6)
    assert outcome.outcome is not None and outcome.outcome.reliable_recovery is True
    assert outcome.to_dict()["paired"]["first_at"] == T.isoformat()


def test_episode_with_one_measure_is_not_paired() -> None:
    outcome = episode_outcome(_episode("e2", "dr-a", "north", [18], [12]))
    assert (outcome.paired, outcome.outcome) == (None, None)


def _cohort() -> list:
    episodes = [
        _episode("1", "dr-a", "north", [18, 8], [12, 6]),  # case, reliable recovery
        _episode("2", "dr-a", "north", [12, 9], [9, 7]),  # case, recovered, not reliable
        _episode("3", "dr-a", "north", [8, 16], [5, 5]),  # not case, deteriorated
        _episode("4", "dr-b", "north", [20, 12], [6, 11]),  # case, mixed: no reliable change
        _episode("5", "dr-b", "south", [15, 14], [15, 10]),  # case, improved, not recovered
        _episode("6", "dr-b", "south", [16], [11]),  # not paired
        _episode("7", None, "south", [11, 4], [9, 2]),  # case, reliable recovery, no clinician
    ]
    return [episode_outcome(e) for e in episodes]


def test_summary_counts_with_denominators() -> None:
    summary = summarise(_cohort())
    assert (summary.episodes, summary.paired, summary.not_paired, summary.case_at_start) == (
        7,
        6,
        1,
        5,
    )
    assert (summary.recovery.numerator, summary.recovery.denominator) == (3, 5)
    assert summary.recovery.value == pytest.approx(0.6)
    assert (summary.reliable_improvement.numerator, summary.reliable_improvement.denominator) == (
        3,
        6,
    )
    assert summary.reliable_deterioration.to_dict() == {
        "numerator": 1,
        "denominator": 6,
        "rate": pytest.approx(1 / 6),
    }
    assert (summary.reliable_recovery.numerator, summary.reliable_recovery.denominator) == (2, 5)


def test_summary_per_clinician_and_service() -> None:
    by_clinician = summarise_by_clinician(_cohort())
    assert set(by_clinician) == {"dr-a", "dr-b", "unassigned"}
    a = by_clinician["dr-a"]
    assert (a.episodes, a.case_at_start, a.recovery.numerator, a.recovery.denominator) == (
        3,
        2,
        2,
        2,
    )
    b = by_clinician["dr-b"]
    assert (b.episodes, b.paired, b.recovery.numerator, b.recovery.denominator) == (3, 2, 0, 2)
    by_service = summarise_by_service(_cohort())
    assert by_service["north"].episodes == 4
    assert by_service["south"].reliable_recovery.to_dict()["numerator"] == 1


def test_empty_summary_has_no_rates() -> None:
    summary = summarise([])
    assert summary.recovery.value is None
    assert summary.to_dict()["recovery"] == {"numerator": 0, "denominator": 0, "rate": None}
