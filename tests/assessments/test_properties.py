"""Property tests: score range, band membership, monotonicity, parsing and change symmetry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.assessments.change import reliable_change, reliable_change_index
from mindbridge.assessments.cli import parse_answers
from mindbridge.assessments.definitions import InstrumentDefinition, default_registry
from mindbridge.assessments.errors import InvalidAnswerError
from mindbridge.assessments.schedules import Assignment, Cadence, next_due
from mindbridge.assessments.scoring import score

DEFINITIONS = list(default_registry())


@st.composite
def complete_answers(draw: st.DrawFn) -> tuple[InstrumentDefinition, list[int]]:
    definition = draw(st.sampled_from(DEFINITIONS))
    values = st.integers(definition.min_value, definition.max_value)
    answers = draw(st.lists(values, min_size=len(definition.items), max_size=len(definition.items)))
    return definition, answers


@given(complete_answers())
def test_total_is_in_range_and_inside_its_band(
    case: tuple[InstrumentDefinition, list[int]],
) -> None:
    definition, answers = case
    result = score(definition, answers)
    assert definition.min_total <= result.total <= definition.max_total
    assert result.band.low <= result.total <= result.band.high
    if definition.scoring.percentage_multiplier is not None:
        assert result.percentage == result.total * definition.scoring.percentage_multiplier
        assert 0 <= result.percentage <= 100
    for sub in definition.subscales:
        assert result.subscales[sub.id] is not None
    assert sum(v for v in result.subscales.values() if v is not None) <= result.total


@given(complete_answers(), st.data())
def test_raising_one_answer_moves_the_total_by_its_direction(
    case: tuple[InstrumentDefinition, list[int]], data: st.DataObject
) -> None:
    definition, answers = case
    index = data.draw(st.integers(0, len(answers) - 1))
    if answers[index] == definition.max_value:
        answers[index] -= 1
    raised = list(answers)
    raised[index] += 1
    before, after = score(definition, answers).total, score(definition, raised).total
    reverse = definition.link_ids[index] in definition.reverse_scored
    assert after == (before - 1 if reverse else before + 1)


@given(complete_answers())
def test_flags_are_stable_under_link_id_input(case: tuple[InstrumentDefinition, list[int]]) -> None:
    definition, answers = case
    by_id = dict(zip(definition.link_ids, answers, strict=True))
    assert score(definition, answers) == score(definition, by_id)


TOKENS = st.one_of(st.integers(-2, 7).map(str), st.sampled_from(["", "-", " ", " 2 ", "x", "1.5"]))


@given(st.sampled_from(DEFINITIONS), st.lists(TOKENS, min_size=1, max_size=25))
def test_cli_parser_accepts_exactly_whole_numbers_and_blanks(
    definition: InstrumentDefinition, tokens: list[str]
) -> None:
    text = ",".join(tokens)
    try:
        values = parse_answers(definition, text)
    except InvalidAnswerError as exc:
        wrong_count = len(tokens) != len(definition.items)
        bad_token = any(t.strip() not in {"", "-"} and not _is_int(t) for t in tokens)
        assert wrong_count or bad_token, str(exc)
        return
    assert len(values) == len(definition.items)
    for token, value in zip(tokens, values, strict=True):
        assert value == (None if token.strip() in {"", "-"} else int(token))


def _is_int(token: str) -> bool:
    try:
        int(token)
    except ValueError:
        return False
    return True


SCORES = st.integers(0, 80)


@given(SCORES, SCORES, st.floats(1.0, 20.0), st.floats(0.5, 0.95))
def test_rci_is_antisymmetric_and_direction_follows_the_scale(
    pre: int, post: int, sd: float, r: float
) -> None:
    assert reliable_change_index(pre, post, sd_pre=sd, reliability=r) == -reliable_change_index(
        post, pre, sd_pre=sd, reliability=r
    )
    worse_high = reliable_change(pre, post, sd_pre=sd, reliability=r, higher_is_better=False)
    better_high = reliable_change(pre, post, sd_pre=sd, reliability=r, higher_is_better=True)
    assert worse_high.reliable == better_high.reliable
    if worse_high.reliable:
        assert {worse_high.direction, better_high.direction} == {"improved", "deteriorated"}
    else:
        assert worse_high.direction == better_high.direction == "no_reliable_change"


START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@settings(max_examples=60)
@given(
    st.integers(1, 40),
    st.sampled_from(["days", "weeks", "months"]),
    st.lists(st.integers(0, 400 * 24), max_size=6),
)
def test_next_due_is_after_the_last_completion(every: int, unit: str, hours: list[int]) -> None:
    assignment = Assignment(
        "a1",
        "c1",
        "PHQ-9",
        Cadence(every=every, unit=unit),
        START,
        "Europe/London",  # type: ignore[arg-type]
    )
    completions = [START + timedelta(hours=h) for h in hours]
    due = next_due(assignment, completions)
    assert due is not None
    if completions:
        assert due > max(completions)
    else:
        assert due == START
