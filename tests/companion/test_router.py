"""The intent router: accuracy on the held-out sets, and the cases that must never go wrong."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from mindbridge.companion.router import (
    CLASSIFIER_LABELS,
    MODEL_PATH,
    TRAIN_PATH,
    Router,
    default_model,
    evaluate,
    keyword_scores,
    read_examples,
)

DATA = Path(__file__).with_name("data")
ROUTER = Router.default()


def test_the_test_sets_are_large_and_varied() -> None:
    test = read_examples(DATA / "intents_test.jsonl")
    blind = read_examples(DATA / "intents_blind.jsonl")
    assert len(test) >= 150 and len({i for _, i in test}) >= 40
    assert len(blind) >= 100
    train = {t.lower() for t, _ in read_examples(TRAIN_PATH)}
    overlap = [t for t, _ in test + blind if t.lower() in train]
    assert not overlap, overlap  # nothing held out was trained on


@pytest.mark.parametrize(
    ("name", "floor"), [("intents_test", 0.97), ("intents_blind", 0.95), ("intents_fresh", 0.95)]
)
def test_accuracy_does_not_regress(name: str, floor: float) -> None:
    # floors sit below the figures measured when the model was trained (docs/companion.md);
    # the blind and fresh sets were measured once before the last pattern fixes.
    result = evaluate(ROUTER, read_examples(DATA / f"{name}.jsonl"))
    assert result["accuracy"] >= floor, result["errors"]


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a person",
        "can I speak to my therapist",
        "I need a human",
        "is there a real person I can talk to",
        "please let my counsellor know I want to talk",
        "could someone from the clinic call me",
        "I'd rather talk to someone real",
        "I can't sleep and I want to talk to someone",
    ],
)
def test_requests_for_a_person_are_never_missed(text: str) -> None:
    assert ROUTER.route(text).intent == "human"
    assert ROUTER.control(text) == "human"


@pytest.mark.parametrize(
    "text",
    [
        "I can't stop worrying",
        "I couldn't stop crying",
        "the bus stop scares me",
        "I want to stop feeling like this",
        "help me understand why I feel this way",
        "I need to end things with my partner",
    ],
)
def test_control_words_inside_a_sentence_do_not_interrupt_an_exercise(text: str) -> None:
    assert ROUTER.control(text) is None


@pytest.mark.parametrize(
    "text", ["stop", "Stop!", "cancel", "ok stop", "can we stop now", "I want to quit"]
)
def test_stop_requests(text: str) -> None:
    assert ROUTER.control(text) == "stop"


def test_brief_examples() -> None:
    assert ROUTER.route("I can't sleep again").intent == "sleep"
    assert ROUTER.route("I'm panicking about tomorrow").intent == "panic"
    assert ROUTER.route("I keep putting off my thesis").intent == "procrastination"
    assert ROUTER.route("my head won't stop going over it").intent == "worry"


def test_learn_questions_prefill_the_topic() -> None:
    route = ROUTER.route("what is anxiety?")
    assert (route.intent, route.flow_id, dict(route.prefill)) == (
        "learn",
        "psychoeducation",
        {"topic": "anxiety"},
    )
    assert ROUTER.route("can you explain the cbt triangle").prefill == {"topic": "cbt_triangle"}


def test_names_and_greetings() -> None:
    assert ROUTER.route("my name is priya").name == "Priya"
    assert ROUTER.route("heyyy").intent == "greeting"
    assert ROUTER.route("hi, I can't sleep").intent == "sleep"  # the content wins over the hello


def test_routing_is_deterministic() -> None:
    texts = [t for t, _ in read_examples(DATA / "intents_blind.jsonl")]
    first = [ROUTER.route(t) for t in texts]
    assert first == [Router.default().route(t) for t in texts]


def test_the_shipped_model_is_small_and_matches_its_labels() -> None:
    model = default_model()
    assert model is not None
    assert set(model.labels) <= CLASSIFIER_LABELS
    assert MODEL_PATH.stat().st_size < 2_000_000
    probs = model.probabilities("I can't sleep at night")
    assert abs(sum(probs.values()) - 1) < 1e-9
    assert max(probs, key=probs.__getitem__) == "sleep"
    assert model.meta["thresholds"] == ROUTER.thresholds.__dict__


def test_keyword_scores_are_transparent() -> None:
    scores = keyword_scores("i can't stop overthinking and worrying")
    assert max(scores, key=scores.__getitem__) == "worry"
    assert keyword_scores("banana") == {}


def test_without_a_model_the_lexicon_still_routes() -> None:
    assert Router(None).route("I'm so stressed at work").intent == "stress"
    assert Router(None).route("zzzz").intent == "unknown"


def test_nonsense_is_not_understood_and_typos_still_route() -> None:
    # random letters used to reach a topic through letter trigrams alone (82% were "unknown"
    # before the model needed a known word; benchmarks/router_nonsense.py measures it)
    rng = random.Random(7)
    nonsense = [
        " ".join(
            "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
            for _ in range(rng.randint(1, 6))
        )
        for _ in range(300)
    ]
    honest = sum(ROUTER.route(t).intent in ("unknown", "off_topic") for t in nonsense)
    assert honest / len(nonsense) >= 0.95
    assert ROUTER.route("ulmvie ox kxb ehyplt").intent == "unknown"
    assert ROUTER.route("cant slep").intent == "sleep"  # one letter off a known word
    assert ROUTER.route("stresed out").intent == "stress"
