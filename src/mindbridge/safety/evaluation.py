"""Measuring the detector: binary metrics at the crisis-response threshold, ROC AUC of the
score, and per-text latency. Pure Python, so `mindbridge eval risk` needs no scikit-learn."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mindbridge.safety.datasets import LabelledText
from mindbridge.safety.screening import Screening, screen


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Mann-Whitney estimate with ties counted half; None when a class is missing."""
    pairs = sorted(zip(scores, labels, strict=True))
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2  # ranks are 1-based
        rank_sum += mean_rank * sum(label for _, label in pairs[i:j])
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return 0.0
    ranked = sorted(values)
    index = max(0, min(len(ranked) - 1, math.ceil(q / 100 * len(ranked)) - 1))
    return ranked[index]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True)
class Report:
    n: int
    tp: int
    fp: int
    tn: int
    fn: int
    roc_auc: float | None
    p50_ms: float
    p99_ms: float

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return _ratio(self.fp, self.fp + self.tn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "f1": round(self.f1, 4),
            "roc_auc": None if self.roc_auc is None else round(self.roc_auc, 4),
            "fpr": round(self.fpr, 4),
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
            "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn},
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
        }


def run(
    items: Sequence[LabelledText],
    screener: Callable[[str], Screening] = screen,
) -> tuple[Report, list[Screening]]:
    """Screen every item (no context), timing each call; positive = needs the crisis response."""
    screener("warm-up")  # loads the model and compiles the rules outside the timings
    results: list[Screening] = []
    timings: list[float] = []
    for item in items:
        start = time.perf_counter()
        results.append(screener(item.text))
        timings.append((time.perf_counter() - start) * 1000)
    return report([i.label for i in items], results, timings), results


def report(labels: Sequence[int], results: Sequence[Screening], timings: Sequence[float]) -> Report:
    tp = fp = tn = fn = 0
    for label, result in zip(labels, results, strict=True):
        flagged = result.needs_crisis_response
        if label and flagged:
            tp += 1
        elif label:
            fn += 1
        elif flagged:
            fp += 1
        else:
            tn += 1
    return Report(
        n=len(labels),
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        roc_auc=roc_auc(labels, [r.score for r in results]),
        p50_ms=percentile(timings, 50),
        p99_ms=percentile(timings, 99),
    )
