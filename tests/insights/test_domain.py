"""Insight statistics: Welch and Benjamini-Hochberg match scipy, planted patterns are found,
noise and thin data give no claims."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mindbridge.insights import domain
from mindbridge.insights.domain import Entry


@given(
    a=st.lists(st.floats(0, 10), min_size=3, max_size=30),
    b=st.lists(st.floats(0, 10), min_size=3, max_size=30),
)
@settings(max_examples=60)
def test_welch_matches_scipy(a: list[float], b: list[float]) -> None:
    if len(set(a)) < 2 or len(set(b)) < 2:
        return
    diff, lo, hi, p = domain.welch(a, b)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert p == pytest.approx(float(ref.pvalue), rel=1e-6, abs=1e-9)
    assert lo <= diff <= hi


def test_benjamini_hochberg_matches_the_textbook_example() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    assert domain.benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_adjusted_p_values_are_at_least_the_raw_ones(p: list[float]) -> None:
    q = domain.benjamini_hochberg(p)
    assert all(qi >= pi - 1e-12 and qi <= 1 for pi, qi in zip(p, q, strict=True))


def _days(n: int, rng: random.Random, *, sleep_effect: float, tue_evening: float) -> list[Entry]:
    start = date(2026, 6, 1)  # a Monday
    out = []
    for i in range(n):
        day = start + timedelta(days=i)
        sleep = rng.choice([4.5, 5.0, 7.0, 7.5, 8.0])
        mood = 6 + (sleep_effect if sleep < 6 else 0) + rng.gauss(0, 0.7)
        out.append(Entry(day, day.weekday(), 9, round(mood), round(4 + rng.gauss(0, 0.7)), sleep))
        evening_anx = 4 + (tue_evening if day.weekday() == 1 else 0) + rng.gauss(0, 0.7)
        out.append(Entry(day, day.weekday(), 20, round(mood), round(evening_anx)))
    return out


def test_planted_patterns_are_found_with_their_numbers() -> None:
    result = domain.compute(_days(60, random.Random(1), sleep_effect=-2.0, tue_evening=3.0))
    keys = {c.key: c for c in result.claims}
    sleep = keys["sleep<6:mood"]
    assert -2.6 < sleep.difference < -1.4 and sleep.ci_low < sleep.difference < sleep.ci_high
    assert "after less than 6 hours of sleep your mood averaged" in sleep.text
    assert f"({sleep.n_with} days vs {sleep.n_without}" in sleep.text
    peak = keys["peak:anxiety:1:evening"]
    assert peak.difference > 2 and peak.text.startswith("On Tuesday evenings your anxiety")
    assert result.days == 60 and result.checkins == 120


def test_noise_gives_no_claims() -> None:
    for seed in range(5):
        result = domain.compute(_days(60, random.Random(seed), sleep_effect=0, tue_evening=0))
        assert result.claims == [], (seed, [c.text for c in result.claims])
        assert result.tested > 20


def test_too_little_data_waits() -> None:
    result = domain.compute(_days(10, random.Random(3), sleep_effect=-3, tue_evening=3))
    assert not any(c.unit == "days" for c in result.claims)
    assert any("14 days" in w for w in result.waiting)


def test_tags_and_the_day_before() -> None:
    rng = random.Random(5)
    entries = []
    start = date(2026, 1, 5)
    drank = False
    for i in range(70):
        day = start + timedelta(days=i)
        today = rng.random() < 0.3
        mood = 6 - (2.0 if drank else 0) + rng.gauss(0, 0.6)
        tags = ("alcohol",) if today else ()
        entries.append(Entry(day, day.weekday(), 12, round(mood), 4, 7.0, tags))
        drank = today
    keys = {c.key for c in domain.compute(entries).claims}
    assert "after:alcohol:mood" in keys and "tag:alcohol:mood" not in keys


def test_heatmap_cells_hold_means_and_counts() -> None:
    cells = domain.heatmap(
        [Entry(date(2026, 6, 2), 1, 19, 4, 8), Entry(date(2026, 6, 9), 1, 20, 6, 6)]
    )
    cell = next(c for c in cells if c.weekday == 1 and c.block == 6)
    assert (cell.n, cell.mood, cell.anxiety) == (2, 5.0, 7.0)
    assert len(cells) == 7 * 8 and sum(c.n for c in cells) == 2
