"""Worked examples of Jacobson & Truax reliable and clinically significant change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from math import sqrt

import pytest

from mindbridge.assessments.change import (
    Cutoff,
    Measurement,
    classify_change,
    first_and_last,
    instrument_change,
    intake_statistics,
    jacobson_truax_cutoff,
    reliable_change,
    standard_error_of_measurement,
)
from mindbridge.assessments.errors import NormsUnavailableError


def test_rci_worked_example_reliable_improvement() -> None:
    # SD_pre 5, r 0.84: SEM = 5 * sqrt(0.16) = 2.0; S_diff = 2 * sqrt(2) = 2.828.
    rc = reliable_change(18, 8, sd_pre=5.0, reliability=0.84)
    assert standard_error_of_measurement(5.0, 0.84) == pytest.approx(2.0)
    assert rc.s_diff == pytest.approx(2 * sqrt(2))
    assert rc.rci == pytest.approx(-10 / (2 * sqrt(2)))  # -3.54
    assert rc.threshold == pytest.approx(1.96 * 2 * sqrt(2))  # 5.54 points
    assert (rc.reliable, rc.direction) == (True, "improved")


def test_rci_worked_example_not_reliable() -> None:
    rc = reliable_change(18, 13, sd_pre=5.0, reliability=0.84)
    assert rc.rci == pytest.approx(-1.768, abs=1e-3)
    assert (rc.reliable, rc.direction) == (False, "no_reliable_change")


def test_rci_deterioration_on_a_symptom_scale() -> None:
    rc = reliable_change(8, 18, sd_pre=5.0, reliability=0.84)
    assert rc.direction == "deteriorated"


def test_rci_is_direction_aware_for_wellbeing() -> None:
    # WHO-5 raw 8 -> 16, SD 4, r 0.75: SEM 2, S_diff 2.828, RCI +2.83: a rise is an improvement.
    up = reliable_change(8, 16, sd_pre=4.0, reliability=0.75, higher_is_better=True)
    assert up.rci == pytest.approx(8 / (2 * sqrt(2)))
    assert up.direction == "improved"
    down = reliable_change(16, 8, sd_pre=4.0, reliability=0.75, higher_is_better=True)
    assert down.direction == "deteriorated"


def test_rci_threshold_is_1_96() -> None:
    # SD 1, r 0.5: S_diff = sqrt(2) * sqrt(0.5) = 1, so the RCI equals the change.
    assert not reliable_change(10, 10 - 1.959, sd_pre=1.0, reliability=0.5).reliable
    assert reliable_change(10, 10 - 1.961, sd_pre=1.0, reliability=0.5).reliable


@pytest.mark.parametrize(("sd", "r"), [(0.0, 0.8), (-1.0, 0.8), (5.0, 1.0), (5.0, 0.0)])
def test_rci_rejects_impossible_norms(sd: float, r: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        reliable_change(10, 5, sd_pre=sd, reliability=r)


def test_jacobson_truax_cutoffs_symptom_scale() -> None:
    norms = {"clinical_mean": 15, "clinical_sd": 5, "normal_mean": 3, "normal_sd": 3}
    assert jacobson_truax_cutoff("a", higher_is_better=False, **norms) == pytest.approx(5.0)
    assert jacobson_truax_cutoff("b", higher_is_better=False, **norms) == pytest.approx(9.0)
    # c = (5 * 3 + 3 * 15) / (5 + 3) = 7.5
    assert jacobson_truax_cutoff("c", higher_is_better=False, **norms) == pytest.approx(7.5)


def test_jacobson_truax_cutoffs_wellbeing_scale() -> None:
    norms = {"clinical_mean": 8, "clinical_sd": 3, "normal_mean": 18, "normal_sd": 4}
    assert jacobson_truax_cutoff("a", higher_is_better=True, **norms) == pytest.approx(14.0)
    assert jacobson_truax_cutoff("b", higher_is_better=True, **norms) == pytest.approx(10.0)
    assert jacobson_truax_cutoff("c", higher_is_better=True, **norms) == pytest.approx(86 / 7)


def test_jacobson_truax_needs_its_norms() -> None:
    with pytest.raises(NormsUnavailableError, match="criterion c"):
        jacobson_truax_cutoff("c", higher_is_better=False, clinical_mean=15, clinical_sd=5)
    with pytest.raises(NormsUnavailableError, match="criterion b"):
        jacobson_truax_cutoff("b", higher_is_better=False, clinical_mean=15, clinical_sd=5)


@pytest.mark.parametrize(
    ("pre", "post", "category", "significant"),
    [
        (18, 6, "recovered", True),  # reliable drop and crosses 7.5
        (25, 12, "improved", False),  # reliable drop, still on the clinical side
        (18, 14, "unchanged", False),  # crosses nothing reliable
        (6, 16, "deteriorated", False),
        (7, 1, "improved", False),  # already below the cutoff at the start
    ],
)
def test_classify_change_categories(pre, post, category, significant) -> None:
    cutoff = Cutoff(7.5, "at_or_above", "criterion c")
    change = classify_change(pre, post, sd_pre=5.0, reliability=0.84, cutoff=cutoff)
    assert change.category == category
    assert change.clinically_significant is significant


def test_classify_without_cutoff_reports_no_significance() -> None:
    change = classify_change(18, 6, sd_pre=5.0, reliability=0.84)
    assert (change.category, change.clinically_significant) == ("improved", None)


def test_wellbeing_recovery_crosses_upwards() -> None:
    cutoff = Cutoff(12, "at_or_below", "WHO-5 <= 50%")
    change = classify_change(
        6, 16, sd_pre=4.0, reliability=0.8, higher_is_better=True, cutoff=cutoff
    )
    assert (change.case_at_pre, change.case_at_post, change.category) == (True, False, "recovered")


def test_instrument_change_asks_for_sd_when_none_is_shipped(registry) -> None:
    with pytest.raises(NormsUnavailableError, match="intake_statistics"):
        instrument_change(registry.get("PHQ-9"), 18, 8)


def test_instrument_change_uses_shipped_reliability_and_published_cutoff(registry) -> None:
    result = instrument_change(
        registry.get("PHQ-9"), 18, 8, sd_pre=5.0, sd_source="service intake 2024"
    )
    assert result.reliability == 0.84
    assert "reliability" in result.unverified_inputs  # the shipped r is marked unverified
    assert result.change.cutoff is not None and result.change.cutoff.value == 10
    assert result.change.category == "recovered"
    assert result.to_dict()["change"]["category"] == "recovered"


def test_instrument_change_on_wellbeing_uses_its_direction(registry) -> None:
    result = instrument_change(registry.get("WHO-5"), 6, 16, sd_pre=4.0)
    assert result.change.reliable_change.direction == "improved"
    assert result.change.category == "recovered"


def test_instrument_change_criterion_needs_both_populations(registry) -> None:
    # GAD-7 ships a clinical mean without SD: criterion c is not computable from shipped norms.
    with pytest.raises(NormsUnavailableError):
        instrument_change(registry.get("GAD-7"), 15, 5, sd_pre=4.0, criterion="c")
    # Criterion b needs only the normal population (2.95 + 2 x 3.41 = 9.77).
    result = instrument_change(registry.get("GAD-7"), 15, 5, sd_pre=4.0, criterion="b")
    assert result.change.cutoff is not None
    assert result.change.cutoff.value == pytest.approx(9.77)
    assert "German general population norms" in result.unverified_inputs


def test_instrument_change_without_reliability(registry) -> None:
    with pytest.raises(NormsUnavailableError, match="reliability"):
        instrument_change(registry.get("PHQ-2"), 5, 1, sd_pre=1.5)


def test_intake_statistics() -> None:
    stats = intake_statistics([10, 14, 18, 22])
    assert (stats.mean, stats.n) == (16.0, 4)
    assert stats.sd == pytest.approx(5.164, abs=1e-3)
    with pytest.raises(ValueError, match="at least two"):
        intake_statistics([12])
    with pytest.raises(ValueError, match="no spread"):
        intake_statistics([12, 12, 12])


def test_first_and_last_orders_by_time() -> None:
    t = datetime(2024, 1, 1, tzinfo=UTC)
    ms = [
        Measurement("PHQ-9", 12, t + timedelta(days=14)),
        Measurement("PHQ-9", 18, t),
        Measurement("GAD-7", 9, t),
        Measurement("PHQ-9", 7, t + timedelta(days=28)),
    ]
    first, last = first_and_last(ms, "PHQ-9") or (None, None)
    assert first is not None and last is not None
    assert (first.total, last.total) == (18, 7)
    assert first_and_last(ms, "GAD-7") is None
