"""The entry point, and the team's chat evaluation set as a regression gate."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.safety.datasets import read_jsonl
from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.screening import band_score, most_urgent, screen, screen_phq9_item9

DATA = Path(__file__).parent / "data"
CHAT_EVAL = read_jsonl(DATA / "chat_eval.jsonl")
FPR_CATEGORIES = ("everyday", "distress", "figurative")
Results = list[tuple[str, int, str, RiskLevel]]


@pytest.fixture(scope="module")
def chat_results() -> Results:
    return [(c.text, c.label, c.category, screen(c.text).level) for c in CHAT_EVAL]


def test_eval_set_is_big_and_varied() -> None:
    assert len(CHAT_EVAL) >= 300
    categories = {c.category for c in CHAT_EVAL}
    assert {
        "slang",
        "misspelling",
        "imminent",
        "figurative",
        "third_person",
        "negated",
    } <= categories


def test_chat_recall_on_suicidal_and_self_harm_statements(chat_results: Results) -> None:
    positives = [r for r in chat_results if r[1] == 1]
    missed = [r[0] for r in positives if not r[3].needs_crisis_response]
    recall = 1 - len(missed) / len(positives)
    assert recall >= 0.98, missed


def test_chat_false_positive_rate_on_everyday_distress_and_figurative(
    chat_results: Results,
) -> None:
    negatives = [r for r in chat_results if r[1] == 0 and r[2] in FPR_CATEGORIES]
    flagged = [r[0] for r in negatives if r[3].needs_crisis_response]
    assert len(flagged) / len(negatives) <= 0.05, flagged


def test_third_person_negated_and_past_are_not_crises(chat_results: Results) -> None:
    others = [r for r in chat_results if r[2] in ("third_person", "negated", "past")]
    flagged = [r[0] for r in others if r[3].needs_crisis_response]
    assert len(flagged) <= 1, flagged
    third = [r for r in chat_results if r[2] == "third_person"]
    assert all(r[3] is RiskLevel.LOW for r in third), [
        r[0] for r in third if r[3] is not RiskLevel.LOW
    ]


def test_imminent_statements_mostly_reach_imminent(chat_results: Results) -> None:
    imminent = [r for r in chat_results if r[2] == "imminent"]
    reached = sum(r[3] is RiskLevel.IMMINENT for r in imminent)
    assert reached / len(imminent) >= 0.85


def test_multi_turn_set() -> None:
    rows = [json.loads(line) for line in (DATA / "multiturn.jsonl").open()]
    wrong = [
        (r["context"], r["text"], r["level"], got.value)
        for r in rows
        if (got := screen(r["text"], context=r["context"]).level).value != r["level"]
    ]
    assert len(rows) >= 15
    assert not wrong


def test_screening_carries_evidence_and_a_model_probability() -> None:
    result = screen("I'd never kill myself")
    assert result.level.rank < RiskLevel.ELEVATED.rank
    assert any(e.qualifier == "negated" for e in result.evidence)
    assert result.model_probability is not None and 0 <= result.model_probability <= 1
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["needs_crisis_response"] is False


def test_context_is_used_most_recent_last() -> None:
    assert (
        screen("I have the pills", context=["hi", "I want to end it"]).level is RiskLevel.IMMINENT
    )
    many = ["I want to end it", *["ok"] * 10]
    assert screen("I have the pills", context=many).level is not RiskLevel.IMMINENT


def test_concern_for_other_is_flagged() -> None:
    result = screen("my friend says she wants to die")
    assert result.concern_for_other
    assert result.level is RiskLevel.LOW


@given(st.sampled_from(list(RiskLevel)), st.floats(-1, 2, allow_nan=False))
def test_band_score_stays_inside_the_level_band(level: RiskLevel, p: float) -> None:
    score = band_score(level, p)
    lo, hi = level.band
    assert lo <= score <= hi
    assert score < hi or level is RiskLevel.IMMINENT


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=120), min_size=2, max_size=2))
def test_score_is_monotone_with_level(texts: list[str]) -> None:
    a, b = (screen(t) for t in texts)
    if a.level.rank > b.level.rank:
        assert a.score > b.score
    if a.level.rank < b.level.rank:
        assert a.score < b.score


def test_phq9_item9() -> None:
    assert screen_phq9_item9(0).level is RiskLevel.NONE
    assert "does not mean" in screen_phq9_item9(0).evidence[0].detail
    for answer in (1, 2, 3):
        assert screen_phq9_item9(answer).needs_crisis_response
    assert screen_phq9_item9(3).score > screen_phq9_item9(1).score
    for bad in (-1, 4, True):
        with pytest.raises(ValueError):
            screen_phq9_item9(bad)  # type: ignore[arg-type]


def test_most_urgent() -> None:
    picked = most_urgent([screen("had a nice day"), screen_phq9_item9(2), screen("I feel low")])
    assert picked.level is RiskLevel.ELEVATED
    with pytest.raises(ValueError):
        most_urgent([])


def test_latency_per_chat_message_is_small() -> None:
    screen("warm up")
    timings = []
    for case in CHAT_EVAL:
        start = time.thread_time()
        screen(case.text)
        timings.append(time.thread_time() - start)
    timings.sort()
    assert timings[int(len(timings) * 0.99)] < 0.050  # CPU time: the target is 10 ms


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import mindbridge.safety.screening, mindbridge.safety.cli; "
        "print(int('sklearn' in sys.modules), int('numpy' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]
