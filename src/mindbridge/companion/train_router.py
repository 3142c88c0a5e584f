"""Train the router's classifier on the team's example messages: `python -m
mindbridge.companion.train_router` (or `mindbridge companion train-router`).

Reproducible: a fixed seed makes a stratified development split (25%) of
`data/intents_train.jsonl`; the regularisation strength and the router thresholds are chosen
on it, then the model is refitted on all training examples and written to
`models/router.json` with the development figures. The test set in
tests/companion/data/ is never read here.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from mindbridge.companion.router import (
    CLASSIFIER_LABELS,
    MODEL_PATH,
    TRAIN_PATH,
    LinearModel,
    Router,
    Thresholds,
    evaluate,
    features,
    read_examples,
)

SEED = 13
DEV_FRACTION = 0.25
C_GRID = (1.0, 3.0, 10.0, 30.0)
THRESHOLD_GRID = {
    "keyword_sure": (2.0, 2.5, 3.0),
    "keyword_margin": (0.5, 1.0, 1.5),
    "model_sure": (0.2, 0.3, 0.4, 0.5),
    "keyword_weak": (1.0, 1.5, 2.0),
}


def fit(examples: Sequence[tuple[str, str]], c: float = 10.0) -> LinearModel:
    """TF-IDF (sublinear counts, smoothed idf, L2 rows) + multinomial logistic regression."""
    rows = [(t, y) for t, y in examples if y in CLASSIFIER_LABELS]
    docs = [features(t) for t, _ in rows]
    df = Counter(f for d in docs for f in set(d))
    # letter trigrams seen once are noise; words and pairs are kept
    vocab_list = sorted(f for f, n in df.items() if n >= 2 or not f.startswith("c:"))
    vocab = {f: i for i, f in enumerate(vocab_list)}
    n_docs = len(docs)
    idf = [math.log((1 + n_docs) / (1 + df[f])) + 1.0 for f in vocab_list]
    labels = sorted({y for _, y in rows})
    draft = LinearModel(
        tuple(labels), vocab, idf, [[0.0] * len(labels)] * len(vocab), [0.0] * len(labels)
    )
    x = np.zeros((n_docs, len(vocab)))
    for r, (text, _) in enumerate(rows):
        for i, v in draft.vector(text).items():
            x[r, i] = v
    y = np.array([labels.index(label) for _, label in rows])
    clf = LogisticRegression(C=c, max_iter=5000, random_state=SEED)
    clf.fit(x, y)
    return LinearModel(
        labels=tuple(labels),
        vocab=vocab,
        idf=idf,
        weights=clf.coef_.T.tolist(),
        intercept=clf.intercept_.tolist(),
        meta={"C": c, "trained_on": len(rows)},
    )


def split(
    examples: Sequence[tuple[str, str]], seed: int = SEED
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Stratified by intent: about DEV_FRACTION of each intent goes to development."""
    by_label: dict[str, list[tuple[str, str]]] = {}
    for row in examples:
        by_label.setdefault(row[1], []).append(row)
    rng = random.Random(seed)
    train: list[tuple[str, str]] = []
    dev: list[tuple[str, str]] = []
    for label in sorted(by_label):
        rows = by_label[label][:]
        rng.shuffle(rows)
        k = max(1, round(len(rows) * DEV_FRACTION)) if len(rows) > 2 else 0
        dev += rows[:k]
        train += rows[k:]
    return train, dev


def model_accuracy(model: LinearModel, examples: Sequence[tuple[str, str]]) -> float:
    """The classifier alone: how often its top label is right (classifier labels only)."""
    rows = [(t, y) for t, y in examples if y in CLASSIFIER_LABELS]
    if not rows:
        return 0.0
    hits = sum(max(model.probabilities(t).items(), key=lambda kv: kv[1])[0] == y for t, y in rows)
    return round(hits / len(rows), 4)


def tune(examples: Sequence[tuple[str, str]]) -> tuple[float, Thresholds, dict[str, Any]]:
    """Choose C by the classifier's own development accuracy, then the router thresholds by
    the whole router's development accuracy (ties go to the first setting in grid order)."""
    train, dev = split(examples)
    by_c = {c: fit(train, c) for c in C_GRID}
    c = max(C_GRID, key=lambda k: (model_accuracy(by_c[k], dev), -k))
    model = by_c[c]
    best: tuple[float, Thresholds] | None = None
    for values in product(*THRESHOLD_GRID.values()):
        thresholds = Thresholds(**dict(zip(THRESHOLD_GRID, values, strict=True)))
        accuracy = evaluate(Router(model, thresholds), dev)["accuracy"]
        if best is None or accuracy > best[0]:
            best = (accuracy, thresholds)
    assert best is not None
    accuracy, thresholds = best
    report = {
        "dev_n": len(dev),
        "train_n": len(train),
        "dev_accuracy": accuracy,
        "dev_accuracy_without_model": evaluate(Router(None, thresholds), dev)["accuracy"],
        "dev_model_only_accuracy": model_accuracy(model, dev),
        "C": c,
    }
    return c, thresholds, report


def train(path: Path = TRAIN_PATH, out: Path = MODEL_PATH) -> dict[str, Any]:
    examples = read_examples(path)
    c, thresholds, report = tune(examples)
    model = fit(examples, c)
    meta = {
        **model.meta,
        "seed": SEED,
        "thresholds": thresholds.__dict__,
        "development": report,
        "data": str(path.name),
    }
    model = LinearModel(model.labels, model.vocab, model.idf, model.weights, model.intercept, meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")
    return {"model": str(out), "vocabulary": len(model.vocab), **meta}


if __name__ == "__main__":
    print(json.dumps(train(), indent=2))
