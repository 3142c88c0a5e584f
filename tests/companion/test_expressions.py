"""The flow expression language: only what it allows, forgiving at run time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.companion.expressions import ExpressionError, parse, placeholders, render


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('ls')",
        "x.__class__",
        "_secret",
        "open('f')",
        "[a for a in b]",
        "lambda: 1",
        "{'a': 1}",
        "x[y]",
        "a := 1",
        "f'{x}'",
    ],
)
def test_anything_outside_the_language_is_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse(source)


def test_syntax_errors_name_the_expression() -> None:
    with pytest.raises(ExpressionError, match="cannot read expression 'a >'"):
        parse("a >")


def test_evaluation_and_names() -> None:
    e = parse("belief_after < belief_before and not skipped")
    assert e.names == {"belief_after", "belief_before", "skipped"}
    assert e.evaluate({"belief_after": 40, "belief_before": 90}) is True
    assert (
        parse("mean(pluck(ladder, 'suds'))").evaluate({"ladder": [{"suds": 30}, {"suds": 50}]})
        == 40
    )
    assert parse("'review' if homework else None").evaluate({"homework": "x"}) == "review"
    assert parse("(rounds or 0) + 1").evaluate({}) == 1
    assert parse("window.tib_min // 60").evaluate({"window": {"tib_min": 390}}) == 6
    assert parse("ladder[0].rung").evaluate({"ladder": [{"rung": "a"}]}) == "a"
    assert (
        parse("closest(rows, 'suds', 35).suds").evaluate({"rows": [{"suds": 20}, {"suds": 40}]})
        == 40
    )


def test_missing_values_never_crash() -> None:
    assert parse("a < b").evaluate({}) is False
    assert parse("a + 1").evaluate({}) is None
    assert parse("a / b").evaluate({"a": 1, "b": 0}) is None
    assert parse("count(x) >= 10").evaluate({}) is False
    assert parse("x.y.z").evaluate({"x": 3}) is None
    assert parse("items[5]").evaluate({"items": [1]}) is None


@given(st.integers(), st.integers())
def test_comparisons_match_python(a: int, b: int) -> None:
    assert parse("a < b").evaluate({"a": a, "b": b}) == (a < b)
    assert parse("a - b").evaluate({"a": a, "b": b}) == a - b


def test_templates_and_filters() -> None:
    ns = {
        "w": {"bedtime": 30, "tib_min": 390, "efficiency": 0.8571},
        "traps": ["catastrophising"],
        "xs": [1, 2, 3],
    }
    assert render("Bed at {w.bedtime|clock} for {w.tib_min|hm} ({w.efficiency|pct})", ns) == (
        "Bed at 12:30 am for 6 h 30 min (86%)"
    )
    assert render("{traps|traps}", ns) == "catastrophising (jumping to the worst case)"
    assert render("{xs|list}", ns) == "1, 2 and 3"
    assert render("Missing: {nope}.", ns) == "Missing: ."
    assert render("{w.bedtime|clock}", {"w": {"bedtime": "not a time"}}) == ""


def test_bad_placeholders_are_refused() -> None:
    with pytest.raises(ExpressionError, match="unknown filter 'shout'"):
        placeholders("{x|shout}")
    with pytest.raises(ExpressionError, match="bad placeholder"):
        placeholders("{1 + 2}")
