"""Hand-computed scores for every shipped instrument, edge cases and invalid input."""

from __future__ import annotations

import pytest

from mindbridge.assessments.errors import InvalidAnswerError, ScoringRefusedError
from mindbridge.assessments.scoring import ScoreResult, score


def _score(registry, instrument_id: str, answers) -> ScoreResult:
    return score(registry.get(instrument_id), answers)


@pytest.mark.parametrize(
    ("instrument_id", "low_answer", "high_answer", "n", "low_total", "high_total"),
    [
        ("PHQ-9", 0, 3, 9, 0, 27),
        ("PHQ-2", 0, 3, 2, 0, 6),
        ("GAD-7", 0, 3, 7, 0, 21),
        ("GAD-2", 0, 3, 2, 0, 6),
        ("WHO-5", 0, 5, 5, 0, 25),
        ("PCL-5", 0, 4, 20, 0, 80),
        ("K10", 1, 5, 10, 10, 50),
    ],
)
def test_all_lowest_and_all_highest(
    registry, instrument_id, low_answer, high_answer, n, low_total, high_total
) -> None:
    assert _score(registry, instrument_id, [low_answer] * n).total == low_total
    assert _score(registry, instrument_id, [high_answer] * n).total == high_total


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild"),
        ([3, 3, 3, 0, 0, 0, 0, 0, 0], 9, "mild"),
        ([3, 3, 3, 1, 0, 0, 0, 0, 0], 10, "moderate"),
        ([3, 3, 3, 3, 2, 0, 0, 0, 0], 14, "moderate"),
        ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "moderately_severe"),
        ([3, 3, 3, 3, 3, 3, 1, 0, 0], 19, "moderately_severe"),
        ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "severe"),
        ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "severe"),
    ],
)
def test_phq9_band_boundaries(registry, answers, total, band) -> None:
    result = _score(registry, "PHQ-9", answers)
    assert (result.total, result.band.code) == (total, band)


def test_phq9_band_carries_label_and_range(registry) -> None:
    band = _score(registry, "PHQ-9", [3, 3, 3, 1, 0, 0, 0, 0, 0]).band
    assert (band.label, band.low, band.high) == ("Moderate", 10, 14)


@pytest.mark.parametrize(
    ("item9", "flags"),
    [(0, ()), (1, ("self_harm_item",)), (3, ("self_harm_item",))],
)
def test_phq9_item9_flag(registry, item9, flags) -> None:
    result = _score(registry, "PHQ-9", [0] * 8 + [item9])
    assert result.flags == flags


def test_phq9_positive_screen_and_self_harm_together(registry) -> None:
    result = _score(registry, "PHQ-9", [2, 2, 2, 2, 1, 0, 0, 0, 1])
    assert result.total == 10
    assert result.flags == ("self_harm_item", "positive_screen")


@pytest.mark.parametrize(
    ("instrument_id", "answers", "band", "positive"),
    [
        ("PHQ-2", [1, 1], "negative_screen", False),
        ("PHQ-2", [2, 1], "positive_screen", True),
        ("GAD-2", [0, 2], "negative_screen", False),
        ("GAD-2", [3, 0], "positive_screen", True),
    ],
)
def test_two_item_screens_cut_at_three(registry, instrument_id, answers, band, positive) -> None:
    result = _score(registry, instrument_id, answers)
    assert result.band.code == band
    assert ("positive_screen" in result.flags) is positive


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([1, 1, 1, 1, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild"),
        ([3, 3, 3, 0, 0, 0, 0], 9, "mild"),
        ([3, 3, 3, 1, 0, 0, 0], 10, "moderate"),
        ([3, 3, 3, 3, 2, 0, 0], 14, "moderate"),
        ([3, 3, 3, 3, 3, 0, 0], 15, "severe"),
    ],
)
def test_gad7_band_boundaries(registry, answers, total, band) -> None:
    result = _score(registry, "GAD-7", answers)
    assert (result.total, result.band.code) == (total, band)
    assert ("positive_screen" in result.flags) is (total >= 10)


@pytest.mark.parametrize(
    ("answers", "raw", "percentage", "band", "flags"),
    [
        ([0, 0, 0, 0, 0], 0, 0.0, "very_low", ("poor_wellbeing", "depression_screen_advised")),
        ([2, 2, 2, 1, 0], 7, 28.0, "very_low", ("poor_wellbeing", "depression_screen_advised")),
        ([2, 2, 2, 1, 1], 8, 32.0, "low", ("poor_wellbeing",)),
        ([3, 3, 2, 2, 2], 12, 48.0, "low", ("poor_wellbeing",)),
        ([3, 3, 3, 2, 2], 13, 52.0, "adequate", ()),
        ([5, 5, 5, 5, 5], 25, 100.0, "adequate", ()),
    ],
)
def test_who5_raw_percentage_and_bands(registry, answers, raw, percentage, band, flags) -> None:
    result = _score(registry, "WHO-5", answers)
    assert (result.total, result.percentage, result.band.code) == (raw, percentage, band)
    assert result.flags == flags


def test_percentage_only_for_who5(registry) -> None:
    assert _score(registry, "PHQ-9", [1] * 9).percentage is None


def test_pss10_reverse_items(registry) -> None:
    pss = registry.get("PSS-10")
    # All answers 0: the four reverse items (4, 5, 7, 8) each count 4.
    assert score(pss, [0] * 10).total == 16
    # All answers 4: six forward items count 4, reverse items count 0.
    assert score(pss, [4] * 10).total == 24
    # Lowest stress: forward items 0, reverse items 4 -> 0.
    lowest = [0, 0, 0, 4, 4, 0, 4, 4, 0, 0]
    assert score(pss, lowest).total == 0
    highest = [4, 4, 4, 0, 0, 4, 0, 0, 4, 4]
    assert score(pss, highest).total == 40
    # Hand-computed mix: forward 1+2+3+1+2+3 = 12, reverse (4-2)+(4-1)+(4-3)+(4-0) = 10.
    mixed = {"1": 1, "2": 2, "3": 3, "4": 2, "5": 1, "6": 1, "7": 3, "8": 0, "9": 2, "10": 3}
    result = score(pss, mixed)
    assert result.total == 22
    assert result.band.code == "moderate"


@pytest.mark.parametrize(
    ("total_answers", "band"),
    [(13, "low"), (14, "moderate"), (26, "moderate"), (27, "high")],
)
def test_pss10_band_boundaries(registry, total_answers, band) -> None:
    # Spread the wanted total over the items in scored space, then turn reverse items back into
    # raw answers (raw = 4 - scored).
    answers = {}
    remaining = total_answers
    for i in range(1, 11):
        contribution = min(4, remaining)
        remaining -= contribution
        answers[str(i)] = 4 - contribution if str(i) in {"4", "5", "7", "8"} else contribution
    result = score(registry.get("PSS-10"), answers)
    assert (result.total, result.band.code) == (total_answers, band)


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([1] * 10, 10, "low"),
        ([2] * 5 + [1] * 5, 15, "low"),
        ([2] * 6 + [1] * 4, 16, "moderate"),
        ([3] * 5 + [2] + [1] * 4, 21, "moderate"),
        ([3] * 6 + [1] * 4, 22, "high"),
        ([3] * 9 + [2], 29, "high"),
        ([3] * 10, 30, "very_high"),
        ([5] * 10, 50, "very_high"),
    ],
)
def test_k10_range_and_bands(registry, answers, total, band) -> None:
    result = _score(registry, "K10", answers)
    assert (result.total, result.band.code) == (total, band)


def test_k10_rejects_zero(registry) -> None:
    with pytest.raises(InvalidAnswerError, match="K10 item 1: answer 0 is out of range"):
        _score(registry, "K10", [0] + [1] * 9)


def _pcl(endorsed: dict[str, int]) -> list[int]:
    return [endorsed.get(str(i), 0) for i in range(1, 21)]


def test_pcl5_cluster_rule_met_below_cutoff(registry) -> None:
    # Minimum endorsement: one B, one C, two D, two E item rated 2 = six items, total 12.
    answers = _pcl({"1": 2, "6": 2, "8": 2, "9": 2, "15": 2, "16": 2})
    result = _score(registry, "PCL-5", answers)
    assert result.total == 12
    assert result.subscales == {"B": 2, "C": 2, "D": 4, "E": 4}
    assert result.flags == ("ptsd_cluster_rule_met", "provisional_ptsd")
    assert result.band.code == "below_cutoff"


def test_pcl5_cluster_rule_fails_on_one_cluster(registry) -> None:
    # Only one D item endorsed; many ratings of 1 do not count as endorsed.
    answers = _pcl({"1": 4, "6": 4, "8": 4, "15": 4, "16": 4, "9": 1, "10": 1})
    result = _score(registry, "PCL-5", answers)
    assert "ptsd_cluster_rule_met" not in result.flags
    assert "provisional_ptsd" not in result.flags


def test_pcl5_cutoff_alone_gives_provisional(registry) -> None:
    # Avoidance items both 0: cluster C fails, but total 33 meets the cutoff.
    answers = _pcl({str(i): 2 for i in range(1, 6)} | {str(i): 2 for i in range(8, 20)})
    answers[19] = 1  # item 20
    result = _score(registry, "PCL-5", answers)
    assert result.total == 35
    assert result.subscales["C"] == 0
    assert result.flags == ("ptsd_cutoff_met", "provisional_ptsd")
    assert result.band.code == "at_or_above_cutoff"


def test_pcl5_cutoff_boundary(registry) -> None:
    below = _pcl({str(i): 4 for i in range(1, 9)})  # 32
    at = _pcl({str(i): 4 for i in range(1, 9)} | {"20": 1})  # 33
    assert _score(registry, "PCL-5", below).band.code == "below_cutoff"
    assert "ptsd_cutoff_met" not in _score(registry, "PCL-5", below).flags
    assert "ptsd_cutoff_met" in _score(registry, "PCL-5", at).flags


def test_answers_by_link_id_equal_answers_in_order(registry) -> None:
    by_order = _score(registry, "GAD-7", [1, 2, 3, 0, 1, 2, 3])
    by_id = _score(registry, "GAD-7", {str(i): v for i, v in enumerate([1, 2, 3, 0, 1, 2, 3], 1)})
    assert by_order == by_id


# ---- missing items ------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", ["PHQ-9", "PHQ-2", "GAD-7", "GAD-2", "WHO-5", "PCL-5"])
def test_refusing_instruments_never_guess(registry, instrument_id) -> None:
    d = registry.get(instrument_id)
    answers = [d.min_value] * len(d.items)
    answers[0] = None
    with pytest.raises(ScoringRefusedError) as err:
        score(d, answers)
    assert err.value.missing_items == ("1",)
    assert "not scored" in str(err.value)


def test_pss10_refuses_missing(registry) -> None:
    with pytest.raises(ScoringRefusedError, match="PSS-10"):
        _score(registry, "PSS-10", {str(i): 2 for i in range(1, 10)})


def test_phq9_item9_is_never_imputed(registry) -> None:
    with pytest.raises(ScoringRefusedError, match="never imputed") as err:
        _score(registry, "PHQ-9", [1] * 8 + [None])
    assert err.value.missing_items == ("9",)


def test_k10_prorates_one_missing_item(registry) -> None:
    # Answered 9 items summing 25: 25 x 10 / 9 = 27.8 -> 28.
    result = _score(registry, "K10", [1, 2, None, 3, 4, 5, 1, 2, 3, 4])
    assert (result.total, result.prorated, result.missing_items) == (28, True, ("3",))
    assert result.answered_sum == 25
    assert result.band.code == "high"


def test_k10_prorates_two_missing_items_with_half_up_rounding(registry) -> None:
    # Answered 8 items summing 13: 13 x 10 / 8 = 16.25 -> 16; summing 15: 18.75 -> 19.
    low = _score(registry, "K10", [1, 1, 1, 2, 2, 2, 2, 2, None, None])
    assert (low.total, low.prorated) == (16, True)
    half = _score(registry, "K10", [1, 1, 1, 1, 1, 1, 1, 1, 3, None])
    assert half.answered_sum == 11  # 11 x 10 / 9 = 12.22 -> 12
    assert half.total == 12
    exact_half = _score(registry, "K10", [2, 2, 2, 2, 1, 1, 1, 1, None, None])
    assert exact_half.total == 15  # 12 x 10 / 8 = 15.0


def test_k10_refuses_three_missing_items(registry) -> None:
    with pytest.raises(ScoringRefusedError, match="at most 2"):
        _score(registry, "K10", [1, 1, 1, 1, 1, 1, 1, None, None, None])


def test_complete_forms_are_not_prorated(registry) -> None:
    result = _score(registry, "K10", [2] * 10)
    assert (result.prorated, result.missing_items) == (False, ())


# ---- invalid answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 8, "expects 9 answers"),
        ([0] * 10, "expects 9 answers"),
        ([0, 0, 4, 0, 0, 0, 0, 0, 0], "PHQ-9 item 3: answer 4 is out of range"),
        ([0, -1, 0, 0, 0, 0, 0, 0, 0], "PHQ-9 item 2: answer -1 is out of range"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 1.5], "PHQ-9 item 9: answer must be a whole number"),
        ([0, 0, 0, 0, True, 0, 0, 0, 0], "PHQ-9 item 5: answer must be a whole number"),
        (["1", 0, 0, 0, 0, 0, 0, 0, 0], "PHQ-9 item 1: answer must be a whole number"),
        ({"10": 1}, "PHQ-9 item 10: unknown item"),
        ("110000000", "not text"),
    ],
)
def test_invalid_answers_are_rejected_naming_the_item(registry, answers, message) -> None:
    with pytest.raises(InvalidAnswerError, match=message):
        _score(registry, "PHQ-9", answers)


def test_result_round_trips_through_dict(registry) -> None:
    result = _score(registry, "PCL-5", [2] * 20)
    assert ScoreResult.from_dict(result.to_dict()) == result
