from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.safety.datasets import LabelledText
from mindbridge.safety.evaluation import percentile, roc_auc, run


def brute_auc(labels: list[int], scores: list[float]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@given(
    st.lists(st.tuples(st.integers(0, 1), st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0])), max_size=60)
)
def test_roc_auc_matches_pair_counting(rows: list[tuple[int, float]]) -> None:
    labels = [y for y, _ in rows]
    scores = [s for _, s in rows]
    got = roc_auc(labels, scores)
    if 0 < sum(labels) < len(labels):
        assert got == pytest.approx(brute_auc(labels, scores))
    else:
        assert got is None


def test_percentile() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 99) == 0.0


def test_run_reports_every_figure() -> None:
    items = [LabelledText("I want to die", 1), LabelledText("nice walk today", 0)]
    report, results = run(items)
    figures = report.to_dict()
    assert {"n", "recall", "precision", "f1", "roc_auc", "fpr", "tp", "fp", "tn", "fn"} <= set(
        figures
    )
    assert {"p50_ms", "p99_ms"} <= set(figures)
    assert figures["confusion"] == {"tp": 1, "fp": 0, "tn": 1, "fn": 0}
    assert figures["recall"] == 1.0 and figures["roc_auc"] == 1.0
    assert len(results) == 2
