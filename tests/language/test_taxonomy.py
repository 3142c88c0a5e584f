"""Label sets, spelling merges and the data README's sha256 split rule."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.language.taxonomy import (
    EKMAN,
    EKMAN_OF,
    EMOTIONS,
    NEGATIVE,
    NOT_DISTORTED,
    POSITIVE,
    TRAPS,
    canonical_trap,
    is_test_prompt,
    thought_of,
)


@pytest.mark.parametrize(
    ("prompt", "first_hex", "is_test"),
    [
        ("", "e", True),  # sha256("") = e3b0c442... (FIPS 180 test vector)
        ("abc", "b", False),  # sha256("abc") = ba7816bf... (FIPS 180 test vector)
        ("I'm always late ->", "7", False),  # 7edbc233...
        ("This party will be a drag ->", "d", True),  # db77d640...
        ("I must look like a balloon ->", "e", True),  # e02d9152...
        ("I must be well by now ->", "f", True),  # f1af6453...
        ("café ->", "9", False),  # 91c691a7... (UTF-8 bytes, not latin-1)
    ],
)
def test_split_rule_hand_checked(prompt: str, first_hex: str, is_test: bool) -> None:
    assert hashlib.sha256(prompt.encode("utf-8")).hexdigest()[0] == first_hex
    assert is_test_prompt(prompt) is is_test


@given(st.text())
def test_split_rule_matches_definition(prompt: str) -> None:
    digest = hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        prompt.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates are not valid UTF-8 text; the data has none
    assert is_test_prompt(prompt) == (digest[0] in "def")


def test_every_emotion_has_one_ekman_group() -> None:
    assert len(EMOTIONS) == 28 and len(set(EMOTIONS)) == 28
    assert set(EKMAN_OF) == set(EMOTIONS)
    assert set(EKMAN_OF.values()) == set(EKMAN)
    assert EKMAN_OF["neutral"] == "neutral"


def test_valence_sets_are_disjoint_and_exclude_neutral() -> None:
    assert not POSITIVE & NEGATIVE
    assert "neutral" not in POSITIVE | NEGATIVE
    assert set(EMOTIONS) >= POSITIVE | NEGATIVE
    # every "joy" emotion is positive and every sadness/fear/anger/disgust one negative
    for emotion, group in EKMAN_OF.items():
        if group == "joy":
            assert emotion in POSITIVE
        if group in {"sadness", "fear", "anger", "disgust"}:
            assert emotion in NEGATIVE


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        (" Overgeneralization", "Overgeneralizing"),
        ("Overgeneralizing", "Overgeneralizing"),
        (" Personalization", "Personalizing"),
        ("Disqualifying the Positive", "Disqualifying the positive"),
        ("disqualifying the positive", "Disqualifying the positive"),
        (" Comparing", "Comparing and despairing"),
        ("Comparing and Despairing", "Comparing and despairing"),
        (" Not distorted", NOT_DISTORTED),
        ("Mind  reading", "Mind reading"),
    ],
)
def test_trap_spellings_merge(spelling: str, canonical: str) -> None:
    assert canonical_trap(spelling) == canonical


def test_unknown_trap_spelling_is_none() -> None:
    assert canonical_trap("Magical thinking") is None
    assert len(TRAPS) == 13


def test_thought_of_strips_completion_marker() -> None:
    assert thought_of("I'm always late ->") == "I'm always late"
    assert thought_of("No marker here") == "No marker here"
