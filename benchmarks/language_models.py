"""Quality of the shipped text models on the splits we are allowed to report:

- GoEmotions dev.tsv (28 labels and the Ekman file): models trained on train.tsv only,
  thresholds tuned on a held-out 10% of train.tsv;
- Dreaddit: the seeded 20% of train.csv that `mindbridge train stress` never fits on;
- thinking traps: the README's sha256 test rows (never trained on), plus a TF-IDF+LR
  baseline trained on the train rows for comparison.

    .venv/bin/python benchmarks/language_models.py [--json] [--no-cache]

Features are cached under /tmp by default (same numbers, faster reruns).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from mindbridge.language.datasets import read_dreaddit, read_thinking_traps
from mindbridge.language.evaluation import eval_distortions, eval_emotions, eval_stress
from mindbridge.language.lexical import TfidfVectorizer
from mindbridge.language.taxonomy import TRAPS
from mindbridge.language.training import stress_split

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MINDBRIDGE_SHARED_DATA", ROOT.parent / "shared" / "data"))
TARGETS = {"emotions": 0.46, "ekman": 0.60, "stress": 0.80, "distortions": 0.55}


def tfidf_lr_traps_baseline() -> dict[str, float]:
    """TF-IDF (uni+bigram) + one balanced LR per trap at 0.5, train rows -> test rows."""
    path = DATA / "thinking_traps" / "thinking_traps.jsonl"
    train, test = read_thinking_traps(path, "train"), read_thinking_traps(path, "test")
    vec = TfidfVectorizer.fit(train.texts, min_df=2, max_features=5000)
    xtr, xte = vec.transform(train.texts), vec.transform(test.texts)
    pred = np.zeros(test.labels.shape, dtype=bool)
    for j in range(len(TRAPS)):
        model = LogisticRegression(C=1.0, solver="liblinear", class_weight="balanced")
        pred[:, j] = model.fit(xtr, train.labels[:, j]).predict(xte) == 1
    return {
        "macro_f1": round(float(f1_score(test.labels, pred, average="macro", zero_division=0)), 4),
        "distorted_f1_all_distorted": round(
            float(f1_score(test.distorted, np.ones(len(test.texts)), zero_division=0)), 4
        ),
    }


def stress_majority_f1() -> float:
    data = read_dreaddit(DATA / "dreaddit" / "train.csv")
    _, held = stress_split(data.labels)
    return round(float(f1_score(data.labels[held], np.ones(len(held)), zero_division=0)), 4)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    cache = not args.no_cache
    start = time.monotonic()
    g = DATA / "goemotions"
    res: dict[str, Any] = {
        "emotions_dev": eval_emotions(g / "dev.tsv", "original", cache=cache),
        "ekman_dev": eval_emotions(g / "ekman" / "dev.tsv", "ekman", cache=cache),
        "stress_heldout": eval_stress(DATA / "dreaddit" / "train.csv", "heldout", cache=cache),
        "distortions_test": eval_distortions(
            DATA / "thinking_traps" / "thinking_traps.jsonl", "test", cache=cache
        ),
        "baselines": {
            "traps_tfidf_lr_test": tfidf_lr_traps_baseline(),
            "stress_all_stressed_f1_heldout": stress_majority_f1(),
        },
    }
    res["summary"] = {
        "goemotions_macro_f1_dev": res["emotions_dev"]["macro_f1"],
        "ekman_macro_f1_dev": res["ekman_dev"]["macro_f1"],
        "dreaddit_f1_heldout": res["stress_heldout"]["f1"],
        "traps_macro_f1_test": res["distortions_test"]["macro_f1"],
        "traps_distorted_f1_test": res["distortions_test"]["distorted_f1"],
        "targets": TARGETS,
        "seconds": round(time.monotonic() - start, 1),
    }
    if args.json:
        print(json.dumps(res))
        return
    s = res["summary"]
    print(
        f"GoEmotions 28 labels, dev.tsv  macro-F1 {s['goemotions_macro_f1_dev']:.4f} "
        f"(micro {res['emotions_dev']['micro_f1']:.4f}, n={res['emotions_dev']['n']}) target 0.46"
    )
    print(
        f"GoEmotions Ekman, ekman/dev    macro-F1 {s['ekman_macro_f1_dev']:.4f} "
        f"(micro {res['ekman_dev']['micro_f1']:.4f}) target 0.60"
    )
    st = res["stress_heldout"]
    print(
        f"Dreaddit held-out 20%          F1 {st['f1']:.4f} (P {st['precision']:.4f}, "
        f"R {st['recall']:.4f}, n={st['n']}) target 0.80; all-stressed baseline "
        f"{res['baselines']['stress_all_stressed_f1_heldout']}"
    )
    d = res["distortions_test"]
    b = res["baselines"]["traps_tfidf_lr_test"]
    print(
        f"Thinking traps, test rows      macro-F1 {d['macro_f1']:.4f} (n={d['n']} thoughts, "
        f"{d['rows']} rows) target 0.55; TF-IDF+LR baseline {b['macro_f1']:.4f}"
    )
    print(
        f"                               distorted-vs-not F1 {d['distorted_f1']:.4f} "
        f"(all-distorted baseline {b['distorted_f1_all_distorted']:.4f})"
    )
    print(
        "per trap (test): "
        + ", ".join(f"{k} {v['f1']:.2f}/{v['support']}" for k, v in d["per_trap"].items())
    )
    print(
        "per emotion (dev): "
        + ", ".join(f"{k} {v['f1']:.2f}" for k, v in res["emotions_dev"]["per_label"].items())
    )


if __name__ == "__main__":
    main()
