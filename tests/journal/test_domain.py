"""Journal text rules: markup never survives, limits are enforced, search folds case/accents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.journal import domain
from mindbridge.kit.errors import Invalid


def test_markup_is_removed_but_text_kept() -> None:
    entry = domain.validate(
        "<b>Monday</b>", 'Felt <script>alert("x")</script>better & calmer <img src=x onerror=1>'
    )
    assert entry.title == "Monday"
    assert "<" not in entry.body and "script" not in entry.body and "onerror" not in entry.body
    assert "better & calmer" in entry.body


def test_comparisons_survive_cleaning() -> None:
    assert domain.clean("mood 3 < 5 and 'ok'") == "mood 3 < 5 and 'ok'"


@given(st.text())
def test_no_tag_survives(text: str) -> None:
    cleaned = domain.clean(text + "<script>x</script><a href='y'>z</a>")
    assert "<script" not in cleaned.lower() and "<a " not in cleaned.lower()


def test_limits_and_empty_body() -> None:
    with pytest.raises(Invalid, match="body: write something"):
        domain.validate("title", "   <p></p> ")
    with pytest.raises(Invalid) as err:
        domain.validate("t" * (domain.MAX_TITLE + 1), "x" * (domain.MAX_BODY + 1))
    assert "title:" in err.value.message and "body:" in err.value.message


def test_search_matches_every_word_ignoring_case_and_accents() -> None:
    terms = domain.query_terms("Café  WORK")
    assert domain.matches(terms, "Monday", "a long day at work, then the cafe")
    assert not domain.matches(terms, "Monday", "a long day at work")
    assert domain.matches([], "anything")
    assert "work" in domain.snippet("x " * 200 + "work was hard", ["work"])
