"""Reading answers typed in people's own words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.companion.answers import (
    AnswerError,
    Option,
    is_skip,
    parse_choice,
    parse_clock,
    parse_duration,
    parse_number,
    parse_yes_no,
)
from mindbridge.companion.expressions import FILTERS


@pytest.mark.parametrize(
    ("text", "low", "high", "expected"),
    [
        ("7", 0, 10, 7),
        ("about a 7", 0, 10, 7),
        ("seven", 0, 10, 7),
        ("7/10", 0, 10, 7),
        ("7 out of 10", 0, 10, 7),
        ("70%", 0, 10, 7),
        ("7/10", 0, 100, 70),
        ("seventy five", 0, 100, 75),
        ("90%", 0, 100, 90),
        ("6-7", 0, 10, 6.5),
        ("between 6 and 7", 0, 10, 6.5),
        ("six and a half", 0, 10, 6.5),
        ("0", 0, 10, 0),
        ("a hundred", 0, 100, 100),
    ],
)
def test_numbers(text: str, low: float, high: float, expected: float) -> None:
    assert parse_number(text, low, high) == expected


@pytest.mark.parametrize("text", ["", "lots", "11", "-1", "yes", "101%"])
def test_numbers_out_of_range_or_missing_give_a_hint(text: str) -> None:
    with pytest.raises(AnswerError, match="from 0 to 10"):
        parse_number(text, 0, 10)


@given(st.integers(min_value=0, max_value=100))
def test_any_integer_in_range_reads_back(value: int) -> None:
    assert parse_number(str(value), 0, 100) == value
    assert parse_number(f"I'd say {value}", 0, 100) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Yeah!", True),
        ("sure", True),
        ("ok", True),
        ("go ahead", True),
        ("i think so", True),
        ("no", False),
        ("nope", False),
        ("not really", False),
        ("no thanks", False),
        ("not now", False),
        ("maybe later", False),
    ],
)
def test_yes_no(text: str, expected: bool) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize("text", ["maybe", "not sure", "purple", "I don't know"])
def test_unsure_is_not_a_yes_or_no(text: str) -> None:
    with pytest.raises(AnswerError):
        parse_yes_no(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20 minutes", 20),
        ("20 mins", 20),
        ("half an hour", 30),
        ("an hour", 60),
        ("1h30", 90),
        ("1 hour 20", 80),
        ("an hour and a half", 90),
        ("1.5 hours", 90),
        ("1:15", 75),
        ("90", 90),
        ("none", 0),
        ("i slept through", 0),
        ("a couple of minutes", 2),
        ("10-20 min", 15),
        ("about 45 minutes", 45),
        ("in 2 hours", 120),
        ("30 seconds", 0.5),
    ],
)
def test_durations(text: str, expected: float) -> None:
    assert parse_duration(text) == expected


def test_duration_limits_and_units() -> None:
    assert parse_duration("2", default_unit="hours") == 120
    with pytest.raises(AnswerError):
        parse_duration("20 minutes", low=30)
    with pytest.raises(AnswerError):
        parse_duration("whenever")


@pytest.mark.parametrize(
    ("text", "prefer", "expected"),
    [
        ("11pm", "evening", 23 * 60),
        ("11", "evening", 23 * 60),
        ("11:30 pm", "morning", 23 * 60 + 30),
        ("23:30", "morning", 23 * 60 + 30),
        ("half past 6", "morning", 6 * 60 + 30),
        ("7", "morning", 7 * 60),
        ("quarter to 7", "morning", 6 * 60 + 45),
        ("midnight", "evening", 0),
        ("12", "evening", 0),
        ("1am", "evening", 60),
        ("2", "evening", 120),
        ("noon", "morning", 720),
        ("6.45am", "evening", 405),
        ("around 10 at night", "morning", 22 * 60),
        ("0630", "morning", 390),
        ("half 11", "evening", 23 * 60 + 30),
        ("seven", "morning", 420),
    ],
)
def test_clock_times(text: str, prefer: str, expected: int) -> None:
    assert parse_clock(text, prefer) == expected


@given(st.integers(min_value=0, max_value=24 * 60 - 1))
def test_clock_text_reads_back(minutes: int) -> None:
    assert parse_clock(FILTERS["clock"](minutes)) == minutes


def test_unreadable_times_give_a_hint() -> None:
    with pytest.raises(AnswerError, match="11 pm"):
        parse_clock("late")


OPTIONS = [
    Option("calmer", "Calmer", ("better",)),
    Option("same", "About the same", ("no change",)),
    Option("worse", "Worse"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "calmer"),
        ("the second one", "same"),
        ("Worse", "worse"),
        ("a bit better", "calmer"),
        ("about the same really", "same"),
        ("option 3", "worse"),
        ("last", "worse"),
    ],
)
def test_choices(text: str, expected: str) -> None:
    assert parse_choice(text, OPTIONS) == expected


@pytest.mark.parametrize("text", ["4", "purple", ""])
def test_unclear_choices_list_the_options(text: str) -> None:
    with pytest.raises(AnswerError, match=r"1\. Calmer; 2\. About the same; 3\. Worse"):
        parse_choice(text, OPTIONS)


def test_skip_words() -> None:
    assert is_skip("skip") and is_skip("I don't know") and is_skip("pass")
    assert not is_skip("I skipped breakfast")
