"""The shipped artefact: plain arrays and JSON, and the run-time scorer matches training."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.safety import train
from mindbridge.safety.model import MODEL_NAME, model_dir, ngrams, shipped
from mindbridge.safety.normalise import normalise


def test_artefact_is_small_and_not_pickled() -> None:
    npz = model_dir() / f"{MODEL_NAME}.npz"
    assert npz.stat().st_size < 3_000_000
    with np.load(npz, allow_pickle=False) as arrays:
        assert {"word_vocab", "word_idf", "word_coef", "char_vocab", "intercept"} <= set(arrays)
    meta = json.loads((model_dir() / f"{MODEL_NAME}.json").read_text())
    assert meta["data"]["split"]["seed"] == 13
    assert meta["thresholds"]["chat"]["elevated"] >= 0.5
    assert "python -m mindbridge.safety.train" in meta["command"]


def test_scorer_matches_the_training_computation() -> None:
    model = shipped()
    with np.load(model_dir() / f"{MODEL_NAME}.npz", allow_pickle=False) as a:
        fitted = train.Fitted(
            vocab={b: a[f"{b}_vocab"].tolist() for b in ("word", "char")},
            idf={b: a[f"{b}_idf"].astype(float) for b in ("word", "char")},
            coef={b: a[f"{b}_coef"].astype(float) for b in ("word", "char")},
            intercept=float(a["intercept"][0]),
        )
    texts = ["I want to die", "had a nice walk", "this commute is killing me", "x" * 50, ""]
    expected = train.predict(fitted, [ngrams(normalise(t)) for t in texts])
    got = [model.probability(normalise(t)) for t in texts]
    assert np.allclose(got, expected, atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=400))
def test_probability_is_a_probability(text: str) -> None:
    p = shipped().probability(normalise(text))
    assert 0.0 <= p <= 1.0


def test_thresholds_differ_for_chat_and_long_posts() -> None:
    model = shipped()
    assert model.thresholds(5) is model.chat
    assert model.thresholds(500) is model.long


def test_explain_names_words_that_raised_the_probability() -> None:
    p, terms = shipped().explain(normalise("I want to kill myself"))
    assert p > 0.5
    assert terms
