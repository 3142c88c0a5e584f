"""Train the shipped risk model: `python -m mindbridge.safety.train [--data PATH] [--out DIR]`.

Data: the SDCNL training file (its seeded 80 % train part only; the 20 % held out is never
seen here) plus the team's chat cases in `data/team_cases.jsonl`. Features: TF-IDF of word
1-2 grams and within-word character 2-5 grams of `normalise`d text (`model.ngrams`), minimum
document frequency 2; classifier: L2 logistic regression. Thresholds are chosen on 5-fold
out-of-fold probabilities of the same training data. Everything is seeded, so running it
again on the same files writes the same artefact.

`--stage encoder` (part of the default `all`) then trains the long-text stage on encoder
features (`train_encoder`). This module imports scikit-learn and scipy; nothing at run time
imports it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from mindbridge.safety.datasets import (
    HELDOUT_FRACTION,
    SPLIT_SEED,
    LabelledText,
    read_sdcnl,
    sdcnl_split,
    team_cases,
)
from mindbridge.safety.model import CHAR_RANGE, LONG_TOKENS, MODEL_NAME, model_dir, ngrams
from mindbridge.safety.normalise import normalise

SEED = 13
C = 0.5
MIN_DF = 2
TEAM_WEIGHT = 1.0
FOLDS = 5
# Chat messages: the model alone may raise a message to `elevated` only where its out-of-fold
# false-positive rate on the team's everyday / distressed / figurative negatives stays within
# this budget, and to `low` only where it stays within LOW_BUDGET on everyday messages.
CHAT_FPR_BUDGET = 0.02
LOW_BUDGET = 0.05
# Long posts (more than LONG_TOKENS tokens, the SDCNL kind): the balanced decision boundary.
LONG_THRESHOLDS = {"elevated": 0.5, "low": 0.35}

Features = tuple[Counter[str], Counter[str]]


@dataclass
class Fitted:
    vocab: dict[str, list[str]]
    idf: dict[str, np.ndarray]
    coef: dict[str, np.ndarray]
    intercept: float


def _vocab(counts: Sequence[Counter[str]]) -> tuple[list[str], np.ndarray]:
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    terms = sorted(t for t, n in df.items() if n >= MIN_DF)
    n_docs = len(counts)
    idf = np.array([math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in terms])
    return terms, idf


def _matrix(counts: Sequence[Counter[str]], terms: list[str], idf: np.ndarray) -> sparse.csr_matrix:
    index = {t: i for i, t in enumerate(terms)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, c in enumerate(counts):
        for term, tf in c.items():
            j = index.get(term)
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append((1.0 + math.log(tf)) * idf[j])
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(counts), len(terms)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m)


def fit(feats: Sequence[Features], labels: Sequence[int], weights: Sequence[float]) -> Fitted:
    from sklearn.linear_model import LogisticRegression

    vocab: dict[str, list[str]] = {}
    idf: dict[str, np.ndarray] = {}
    blocks = []
    for b, name in enumerate(("word", "char")):
        vocab[name], idf[name] = _vocab([f[b] for f in feats])
        blocks.append(_matrix([f[b] for f in feats], vocab[name], idf[name]))
    clf = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
    clf.fit(sparse.hstack(blocks).tocsr(), np.asarray(labels), sample_weight=np.asarray(weights))
    split = len(vocab["word"])
    coef = {"word": clf.coef_[0][:split], "char": clf.coef_[0][split:]}
    return Fitted(vocab, idf, coef, float(clf.intercept_[0]))


def predict(model: Fitted, feats: Sequence[Features]) -> np.ndarray:
    z = np.full(len(feats), model.intercept)
    for b, name in enumerate(("word", "char")):
        z += _matrix([f[b] for f in feats], model.vocab[name], model.idf[name]) @ model.coef[name]
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


def out_of_fold(
    feats: Sequence[Features], labels: Sequence[int], weights: Sequence[float]
) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(labels)
    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(y, y):
        fitted = fit([feats[i] for i in train], y[train], [weights[i] for i in train])
        oof[test] = predict(fitted, [feats[i] for i in test])
    return oof


def roc_auc(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def _cut(scores: np.ndarray, budget: float) -> float:
    """The lowest threshold at which at most `budget` of `scores` reach it."""
    ranked = np.sort(scores)[::-1]
    allowed = math.floor(budget * len(ranked))
    return float(ranked[allowed]) + 1e-6 if len(ranked) > allowed else 0.0


def choose_thresholds(
    oof: np.ndarray, chat_negative: np.ndarray, everyday: np.ndarray
) -> dict[str, Any]:
    elevated = max(_cut(oof[chat_negative], CHAT_FPR_BUDGET), 0.5)
    low = min(_cut(oof[everyday], LOW_BUDGET), elevated)
    return {
        "chat": {"elevated": round(elevated, 6), "low": round(low, 6)},
        "long": dict(LONG_THRESHOLDS),
        "long_tokens": LONG_TOKENS,
    }


def default_data() -> Path:
    shared = Path(os.environ.get("MINDBRIDGE_SHARED_DATA", "../shared/data"))
    return shared / "sdcnl" / "train.csv"


@dataclass
class TrainingSet:
    """The lexical model's training data: SDCNL's train part, then the team's cases."""

    rows: list[LabelledText]
    train_idx: list[int]
    heldout_idx: list[int]
    team: list[LabelledText]
    labels: list[int]
    weights: list[float]
    feats: list[Features]


def training_set(data: Path) -> TrainingSet:
    rows = read_sdcnl(data)
    train_idx, heldout_idx = sdcnl_split([r.label for r in rows])
    team = team_cases()
    texts = [rows[i].text for i in train_idx] + [c.text for c in team]
    labels = [rows[i].label for i in train_idx] + [c.label for c in team]
    weights = [1.0] * len(train_idx) + [TEAM_WEIGHT] * len(team)
    feats = [ngrams(normalise(t)) for t in texts]
    return TrainingSet(rows, train_idx, heldout_idx, team, labels, weights, feats)


def train(data: Path, out: Path) -> dict[str, Any]:
    return train_with_oof(data, out)[0]


def train_with_oof(data: Path, out: Path) -> tuple[dict[str, Any], np.ndarray]:
    """Train and write the lexical model; also return its out-of-fold probabilities of the
    SDCNL training rows (in `sdcnl_split` order), which the encoder stage is stacked on."""
    ts = training_set(data)
    rows, train_idx, heldout_idx, team = ts.rows, ts.train_idx, ts.heldout_idx, ts.team
    labels, weights, feats = ts.labels, ts.weights, ts.feats
    chat_negative = np.array(
        [False] * len(train_idx)
        + [c.label == 0 and c.category in ("everyday", "distress", "figurative") for c in team]
    )
    everyday = np.array([False] * len(train_idx) + [c.category == "everyday" for c in team])
    y = np.asarray(labels)

    oof = out_of_fold(feats, labels, weights)
    is_sdcnl = np.arange(len(y)) < len(train_idx)
    thresholds = choose_thresholds(oof, chat_negative, everyday)
    chat_elevated = thresholds["chat"]["elevated"]
    fitted = fit(feats, labels, weights)

    heldout = [rows[i] for i in heldout_idx]
    heldout_p = predict(fitted, [ngrams(normalise(r.text)) for r in heldout])
    team_pos = ~is_sdcnl & (y == 1)
    meta: dict[str, Any] = {
        "name": MODEL_NAME,
        "version": f"{MODEL_NAME}-{_digest(data)[:8]}-s{SEED}",
        "command": "python -m mindbridge.safety.train --data ../shared/data/sdcnl/train.csv",
        "features": {
            "text": "mindbridge.safety.normalise.normalise",
            "word_ngrams": [1, 2],
            "char_wb_ngrams": list(CHAR_RANGE),
            "tf": "1 + log(tf)",
            "idf": "log((1 + n) / (1 + df)) + 1",
            "norm": "l2 per block",
            "min_df": MIN_DF,
            "vocabulary": {k: len(v) for k, v in fitted.vocab.items()},
        },
        "classifier": {"type": "logistic_regression_l2", "C": C, "seed": SEED},
        "data": {
            "sdcnl_file": data.name,
            "sdcnl_sha256": _digest(data),
            "split": {
                "seed": SPLIT_SEED,
                "heldout_fraction": HELDOUT_FRACTION,
                "train_rows": len(train_idx),
                "heldout_rows": len(heldout_idx),
            },
            "team_cases": len(team),
            "team_weight": TEAM_WEIGHT,
        },
        "thresholds": thresholds,
        "threshold_rule": (
            f"chat elevated: out-of-fold FPR <= {CHAT_FPR_BUDGET} on team everyday/distress/"
            f"figurative negatives, at least 0.5; chat low: <= {LOW_BUDGET} of everyday "
            f"messages; long posts (> {LONG_TOKENS} tokens): {LONG_THRESHOLDS}"
        ),
        "measured": {
            "oof_auc_sdcnl_train": round(roc_auc(y[is_sdcnl], oof[is_sdcnl]), 4),
            "oof_auc_team_cases": round(roc_auc(y[~is_sdcnl], oof[~is_sdcnl]), 4),
            "oof_team_recall_model_alone": round(float((oof[team_pos] >= chat_elevated).mean()), 4),
            "oof_chat_fpr_model_alone": round(
                float((oof[chat_negative] >= chat_elevated).mean()), 4
            ),
            "heldout_auc_model_only": round(
                roc_auc([r.label for r in heldout], heldout_p.tolist()), 4
            ),
        },
    }
    _write(fitted, meta, out)
    return meta, oof[is_sdcnl]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(fitted: Fitted, meta: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {"intercept": np.array([fitted.intercept])}
    for name in ("word", "char"):
        arrays[f"{name}_vocab"] = np.array(fitted.vocab[name], dtype=str)
        arrays[f"{name}_idf"] = fitted.idf[name].astype(np.float32)
        arrays[f"{name}_coef"] = fitted.coef[name].astype(np.float32)
    np.savez_compressed(out / f"{MODEL_NAME}.npz", **arrays)  # type: ignore[arg-type]
    (out / f"{MODEL_NAME}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="SDCNL train.csv")
    parser.add_argument("--out", type=Path, default=model_dir(), help="where to write the model")
    parser.add_argument(
        "--stage",
        choices=("all", "lexical", "encoder"),
        default="all",
        help="lexical: the TF-IDF model; encoder: the long-text stage (needs torch and the "
        "MiniLM wheel; recomputes the lexical out-of-fold figures it is stacked on); "
        "all (default): both",
    )
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"SDCNL training file not found: {args.data}", file=sys.stderr)
        return 2
    printed: dict[str, Any] = {}
    if args.stage in ("all", "lexical"):
        meta, oof = train_with_oof(args.data, args.out)
        printed["lexical"] = {"thresholds": meta["thresholds"], "measured": meta["measured"]}
    if args.stage in ("all", "encoder"):
        from mindbridge.safety import train_encoder

        if args.stage == "encoder":
            ts = training_set(args.data)
            oof = out_of_fold(ts.feats, ts.labels, ts.weights)[: len(ts.train_idx)]
        stage = train_encoder.train(args.data, args.out, oof)
        printed["encoder"] = {"thresholds": stage["thresholds"], "measured": stage["measured"]}
    print(json.dumps(printed, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
