"""Readers for the three labelled formats and the seeded splits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.language.datasets import (
    multilabel_strata,
    read_dreaddit,
    read_goemotions,
    read_thinking_traps,
    stratified_holdout,
)
from mindbridge.language.taxonomy import EKMAN, TRAPS


def test_goemotions_reader(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text('He said "wow"\t3,4\tid1\nplain\t4\tid2\nbad row\n', encoding="utf-8")
    data = read_goemotions(path, EKMAN)
    assert data.texts == ['He said "wow"', "plain"]
    assert data.labels.tolist() == [[0, 0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 0, 0]]


def test_dreaddit_reader_skips_unlabelled(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('text,label\n"so, tired",1\ncalm,0\nodd,\n', encoding="utf-8")
    data = read_dreaddit(path)
    assert data.texts == ["so, tired", "calm"]
    assert data.labels.tolist() == [1, 0]


def test_thinking_traps_groups_rows_and_splits(tmp_path: Path) -> None:
    rows = [
        {"prompt": "This party will be a drag ->", "completion": " Fortune telling"},  # test
        {"prompt": "This party will be a drag ->", "completion": " Overgeneralization"},
        {"prompt": "I'm always late ->", "completion": " Overgeneralizing"},  # train
        {"prompt": "abc", "completion": " Not distorted"},  # train
        {"prompt": "I'm always late ->", "completion": " Magic"},
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    test = read_thinking_traps(path, "test")
    assert test.texts == ["This party will be a drag"]
    on = {TRAPS[j] for j in np.flatnonzero(test.labels[0])}
    assert on == {"Fortune telling", "Overgeneralizing"}
    train = read_thinking_traps(path, "train")
    assert train.texts == ["I'm always late", "abc"]
    assert train.distorted.tolist() == [1, 0]
    assert train.unknown_labels == {"Magic": 1}
    assert read_thinking_traps(path, "all").rows == 5


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=5, max_size=200), st.integers(0, 5))
def test_stratified_holdout_is_a_seeded_partition(strata: list[int], seed: int) -> None:
    arr = np.asarray(strata, dtype=np.int64)
    fit, held = stratified_holdout(arr, 0.2, seed)
    assert sorted(np.concatenate([fit, held]).tolist()) == list(range(len(arr)))
    again = stratified_holdout(arr, 0.2, seed)
    assert np.array_equal(held, again[1])
    for value in np.unique(arr):
        members = int(np.sum(arr == value))
        assert int(np.sum(arr[held] == value)) == round(members * 0.2)


def test_multilabel_strata_uses_rarest_label() -> None:
    labels = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 0, 1]], dtype=np.int8)
    assert multilabel_strata(labels).tolist() == [1, 0, -1, 2]
