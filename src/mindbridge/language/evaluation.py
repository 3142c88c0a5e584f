"""Measure the shipped models on any file in the published formats (`mindbridge eval ...`).

Features are computed live by default, so an independent test set leaves nothing behind;
`cache=True` (used by the benchmarks) reuses the /tmp feature cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import f1_score, precision_score, recall_score

from mindbridge.language.analyzer import artefact_folder
from mindbridge.language.cache import cached_features
from mindbridge.language.datasets import read_dreaddit, read_goemotions, read_thinking_traps
from mindbridge.language.encoder import Array, get_encoder
from mindbridge.language.predictor import EkmanGrouping, Predictor
from mindbridge.language.taxonomy import EKMAN, EMOTIONS, TRAPS


def _features(texts: list[str], name: str, cache: bool) -> Array:
    if cache:
        return cached_features(texts, name, progress=None)
    return get_encoder().features(texts)


def _per_label(
    y: NDArray[np.int8], pred: NDArray[np.bool_], names: tuple[str, ...]
) -> dict[str, Any]:
    scores = f1_score(y, pred, average=None, zero_division=0)
    return {
        name: {"f1": round(float(s), 4), "support": int(y[:, j].sum())}
        for j, (name, s) in enumerate(zip(names, scores, strict=True))
    }


def eval_emotions(path: Path, taxonomy: str = "original", cache: bool = False) -> dict[str, Any]:
    """Macro/micro F1 over the 28 labels ("original") or the 7 Ekman groups ("ekman")."""
    if taxonomy not in {"original", "ekman"}:
        raise ValueError("taxonomy must be original or ekman")
    names = EMOTIONS if taxonomy == "original" else EKMAN
    data = read_goemotions(path, names)
    model = Predictor.load(artefact_folder("emotions"), "emotions")
    views = _features(data.texts, f"eval-{path.stem}", cache)
    probs = model.probabilities(views, data.texts)
    if taxonomy == "original":
        pred = model.decide(probs)
    else:
        grouping = EkmanGrouping.load(artefact_folder("emotions"))
        pred = grouping.decide(grouping.probabilities(probs))
    return {
        "task": f"emotions/{taxonomy}",
        "data": str(path),
        "n": len(data.texts),
        "macro_f1": round(float(f1_score(data.labels, pred, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(data.labels, pred, average="micro", zero_division=0)), 4),
        "per_label": _per_label(data.labels, pred, names),
    }


def eval_stress(path: Path, split: str = "all", cache: bool = False) -> dict[str, Any]:
    """`split="heldout"` keeps only the seeded 20% that `train stress` never fits on (meaningful
    for dreaddit/train.csv itself); "all" scores every row (an independent test file)."""
    data = read_dreaddit(path)
    if split == "heldout":
        from mindbridge.language.datasets import BinarySet
        from mindbridge.language.training import stress_split

        _, held = stress_split(data.labels)
        data = BinarySet([data.texts[i] for i in held], data.labels[held])
    elif split != "all":
        raise ValueError("split must be all or heldout")
    model = Predictor.load(artefact_folder("stress"), "stress")
    views = _features(data.texts, f"eval-{path.stem}", cache)
    pred = model.decide(model.probabilities(views, data.texts))[:, 0]
    y = data.labels
    return {
        "task": "stress",
        "data": str(path),
        "split": split,
        "n": len(y),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "threshold": float(model.thresholds[0]),
    }


def predict_traps(texts: list[str], views: Array) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(traps, distorted) decisions exactly as `Analyzer` makes them: traps above their
    thresholds, kept only for thoughts the distorted-vs-not model calls distorted."""
    traps = Predictor.load(artefact_folder("distortions"), "distortions")
    distorted = Predictor.load(artefact_folder("distorted"), "distorted")
    is_distorted = distorted.decide(distorted.probabilities(views, texts))[:, 0]
    on = traps.decide(traps.probabilities(views, texts)) & is_distorted[:, None]
    return on, is_distorted


def eval_distortions(path: Path, split: str = "test", cache: bool = False) -> dict[str, Any]:
    """Per-thought, multi-label: macro F1 over the 13 traps (spellings merged), and F1 of
    "distorted" (any trap) against "not distorted"."""
    data = read_thinking_traps(path, split)
    views = _features(data.texts, f"eval-traps-{split}", cache)
    pred, pred_distorted = predict_traps(data.texts, views)
    y = data.labels
    gold_distorted = data.distorted
    return {
        "task": "distortions",
        "data": str(path),
        "split": split,
        "rows": data.rows,
        "n": len(data.texts),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "micro_f1": round(float(f1_score(y, pred, average="micro", zero_division=0)), 4),
        "distorted_f1": round(float(f1_score(gold_distorted, pred_distorted, zero_division=0)), 4),
        "distorted_share": round(float(gold_distorted.mean()) if len(y) else 0.0, 4),
        "per_trap": _per_label(y, pred, TRAPS),
        "unknown_labels": data.unknown_labels,
    }
