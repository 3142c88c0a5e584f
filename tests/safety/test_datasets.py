from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.safety.datasets import (
    read_jsonl,
    read_labelled,
    read_sdcnl,
    sdcnl_split,
    team_cases,
)

EVAL = Path(__file__).parent / "data" / "chat_eval.jsonl"


@given(st.lists(st.integers(0, 1), min_size=2, max_size=300), st.integers(0, 10_000))
def test_split_is_seeded_stratified_and_disjoint(labels: list[int], seed: int) -> None:
    train, held = sdcnl_split(labels, seed=seed)
    assert sorted(train + held) == list(range(len(labels)))
    assert sdcnl_split(labels, seed=seed) == (train, held)
    for cls in (0, 1):
        n = labels.count(cls)
        assert sum(labels[i] == cls for i in held) == round(n * 0.2)


def test_readers(tmp_path: Path) -> None:
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text('{"text": "hi", "label": 0}\n\n{"text": "bye", "label": "1"}\n')
    assert [(i.text, i.label) for i in read_labelled(jsonl)] == [("hi", 0), ("bye", 1)]
    csv = tmp_path / "x.csv"
    csv.write_text('title,selftext,is_suicide\nT,"body, with comma",1\n')
    assert read_labelled(csv)[0].text == "T\nbody, with comma"
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nx,1\n")
    with pytest.raises(ValueError, match="SDCNL"):
        read_sdcnl(bad)
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps({"text": "x", "label": 2}) + "\n")
    with pytest.raises(ValueError):
        read_jsonl(wrong)


def test_training_cases_and_eval_cases_do_not_overlap() -> None:
    train = {c.text.casefold() for c in team_cases()}
    evaluation = {c.text.casefold() for c in read_jsonl(EVAL)}
    assert len(train) >= 300
    assert not train & evaluation
