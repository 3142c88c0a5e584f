"""Check-in validation and local time: every problem reported, nothing half-valid accepted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.checkins import domain
from mindbridge.kit.errors import Invalid


def test_minimal_checkin() -> None:
    data = domain.validate({"mood": "6", "anxiety": 3})
    assert (data.mood, data.anxiety, data.note, data.tags) == (6, 3, "", ())


def test_every_problem_is_listed() -> None:
    with pytest.raises(Invalid) as err:
        domain.validate(
            {
                "mood": "11",
                "anxiety": "",
                "sleep_hours": "-1",
                "emotions": ["joyful-ish"],
                "tags": ["<script>"],
                "note": "x" * (domain.MAX_NOTE + 1),
                "colour": "blue",
                "recorded_at": "2026-01-01T10:00:00",
            }
        )
    message = err.value.message
    for field in (
        "mood",
        "anxiety",
        "sleep_hours",
        "emotions",
        "tags",
        "note",
        "colour",
        "recorded_at",
    ):
        assert f"{field}:" in message, field


def test_tags_chips_and_custom_tags() -> None:
    data = domain.validate(
        {
            "mood": 5,
            "anxiety": 5,
            "emotions": ["Calm", "calm", "tired"],
            "tags": ["work", "Work "],
            "custom_tag": "Dog walk",
        }
    )
    assert data.emotions == ("calm", "tired")
    assert data.tags == ("work", "dog walk")


def test_service_tags_extend_defaults() -> None:
    tags = domain.service_tags("Gardening, work, , <b>bad</b>")
    assert "gardening" in tags and tags.count("work") == 1 and "<b>bad</b>" not in tags


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", float("inf")])
def test_non_finite_numbers_are_rejected(value: object) -> None:
    with pytest.raises(Invalid, match="sleep_hours:"):
        domain.validate({"mood": 1, "anxiety": 1, "sleep_hours": value})


def test_sleep_rounds_to_half_hours() -> None:
    assert domain.validate({"mood": 1, "anxiety": 1, "sleep_hours": "6.3"}).sleep_hours == 6.5


@given(mood=st.integers(0, 10), anxiety=st.integers(0, 10), energy=st.integers(0, 10))
def test_in_range_values_round_trip(mood: int, anxiety: int, energy: int) -> None:
    data = domain.validate({"mood": str(mood), "anxiety": anxiety, "energy": float(energy)})
    assert (data.mood, data.anxiety, data.energy) == (mood, anxiety, energy)


@given(
    value=st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=11),
        st.floats(allow_nan=True).filter(lambda f: not (f == f and 0 <= f <= 10 and f == round(f))),
        st.text(alphabet="abc-. ", min_size=1),
        st.booleans(),
    )
)
def test_out_of_range_mood_is_rejected(value: object) -> None:
    with pytest.raises(Invalid, match="mood:"):
        domain.validate({"mood": value, "anxiety": 5})


def test_local_time_follows_the_clients_zone_across_dst() -> None:
    # 30 March 2026 is after the UK clocks go forward: 19:30 UTC is 20:30 in London.
    before = domain.local_time(datetime(2026, 3, 28, 19, 30, tzinfo=UTC), "Europe/London")
    after = domain.local_time(datetime(2026, 3, 30, 19, 30, tzinfo=UTC), "Europe/London")
    assert (before.hour, after.hour) == (19, 20)
    assert after.weekday == 0  # a Monday
    late = domain.local_time(datetime(2026, 3, 31, 3, 0, tzinfo=UTC), "America/Los_Angeles")
    assert (late.day.isoformat(), late.hour) == ("2026-03-30", 20)


def test_local_time_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        domain.local_time(datetime(2026, 1, 1, 12, 0), "UTC")
