"""The TF-IDF vectoriser and cue patterns that also explain predictions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.language.cues import cue_counts, find_cues
from mindbridge.language.lexical import TfidfVectorizer, terms, tokens
from mindbridge.language.taxonomy import TRAPS


def test_tokens_fold_case_and_curly_apostrophes() -> None:
    assert tokens("I DON’T know") == ["i", "don't", "know"]
    assert terms("a b c") == ["a", "b", "c", "a b", "b c"]


def test_tfidf_rows_are_unit_or_empty() -> None:
    vec = TfidfVectorizer.fit(["the cat sat", "the dog sat", "a cat ran"], min_df=1)
    x = vec.transform(["the cat", "zebra", ""]).toarray()
    assert np.isclose(np.linalg.norm(x[0]), 1.0)
    assert not x[1].any() and not x[2].any()
    # a rarer term weighs more: "ran" is in 1 text, "sat" in 2
    assert vec.idf[vec.index["ran"]] > vec.idf[vec.index["sat"]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_tfidf_never_crashes_and_is_deterministic(texts: list[str]) -> None:
    vec = TfidfVectorizer.fit(["some fixed text", "more fixed text"], min_df=1)
    a = vec.transform(texts).toarray()
    b = vec.transform(texts).toarray()
    assert a.shape == (len(texts), len(vec.vocabulary))
    assert np.array_equal(a, b)
    assert np.all(np.isfinite(a))


def test_cues_find_the_words_that_show_a_trap() -> None:
    assert "should" in find_cues("I should have known better", "Should statements")
    assert "always" in find_cues("I always mess things up", "Overgeneralizing")
    assert find_cues("We had a lovely lunch", "Should statements") == []
    counts = cue_counts("Everyone thinks I'm a total failure and I should quit")
    assert len(counts) == len(TRAPS)
    assert counts[TRAPS.index("Should statements")] >= 1
    assert counts[TRAPS.index("Mind reading")] >= 1
