from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mindbridge.safety.normalise import normalise


def test_spellings_contractions_and_obfuscation() -> None:
    assert normalise("Im gonna kms 2nite") == "i'm going to kms tonight"
    assert normalise("I don’t wanna live anymroe") == "i don't want to live anymore"
    assert normalise("k1ll mys3lf") == "kill myself"
    assert normalise("i want to s*icide") == "i want to suicide"
    assert normalise("i want to k!ll my self") == "i want to kill myself"
    assert normalise("dieeeee") == "die"


def test_numbers_prices_and_punctuation_survive() -> None:
    assert normalise("I paid $50 for 3 items!") == "i paid $50 for 3 items!"
    assert normalise("my self-esteem") == "my self-esteem"


@given(st.text(max_size=300))
def test_output_is_lower_case_and_single_spaced(text: str) -> None:
    out = normalise(text)
    assert out == out.strip()
    assert "  " not in out
    assert out.lower() == out or not out.isascii()
