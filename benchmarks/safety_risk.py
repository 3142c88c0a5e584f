"""Crisis-language detector figures: `.venv/bin/python benchmarks/safety_risk.py [--sdcnl PATH]`.

1. The team's chat evaluation set (tests/safety/data/chat_eval.jsonl): recall on suicidal and
   self-harm statements, false-positive rate on everyday / distressed / figurative messages,
   per category; level agreement.
2. The multi-turn set (tests/safety/data/multiturn.jsonl).
3. SDCNL: the seeded, stratified 20 % held out of the training file (seed 13), which the
   shipped model never saw: ROC AUC of the model probability and of the screening score,
   and recall / precision / FPR at the crisis-response threshold.
   Twice: with the optional encoder stage on (this script turns it on for itself with
   MINDBRIDGE_SAFETY_ENCODER=on) and off (`encoder=False`: the lexical model alone, which is
   the shipped default).
4. Latency per text, wall clock and CPU time of the process (the machine may be shared, so
   CPU time is the figure to compare; with the encoder it sums torch's threads,
   MINDBRIDGE_TORCH_THREADS, default 2).
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("MINDBRIDGE_SAFETY_ENCODER", "on")  # measure the opt-in stage too
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

from mindbridge.safety.datasets import LabelledText, read_jsonl, read_sdcnl, sdcnl_split
from mindbridge.safety.evaluation import percentile, roc_auc
from mindbridge.safety.model import LONG_TOKENS
from mindbridge.safety.screening import Screening, screen

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "safety" / "data"
FPR_CATEGORIES = ("everyday", "distress", "figurative")


def timed(
    items: list[LabelledText], encoder: bool = True
) -> tuple[list[Screening], list[float], list[float]]:
    """Screen each item, timing it. CPU time is the whole process's (`process_time`), so the
    encoder's torch worker threads are counted too."""
    screen("warm-up")
    if encoder and any(len(item.text.split()) > LONG_TOKENS for item in items):
        screen("warm-up " * 50)  # loads the encoder stage outside the timings
    results, wall, cpu = [], [], []
    for item in items:
        w, c = time.perf_counter(), time.process_time()
        results.append(screen(item.text, encoder=encoder))
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return results, wall, cpu


def latency(wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        "wall_p50_ms": round(percentile(wall, 50), 3),
        "wall_p99_ms": round(percentile(wall, 99), 3),
        "cpu_p50_ms": round(percentile(cpu, 50), 3),
        "cpu_p99_ms": round(percentile(cpu, 99), 3),
    }


def chat() -> dict[str, object]:
    items = read_jsonl(DATA / "chat_eval.jsonl")
    results, wall, cpu = timed(items)
    by_cat: dict[str, Counter[str]] = defaultdict(Counter)
    misses, false_alarms = [], []
    for item, result in zip(items, results, strict=True):
        c = by_cat[item.category]
        c["n"] += 1
        c["flagged"] += result.needs_crisis_response
        c["level_agrees"] += result.level.value == item.level
        if item.label and not result.needs_crisis_response:
            misses.append((item.text, result.level.value))
        if not item.label and result.needs_crisis_response:
            false_alarms.append((item.text, result.level.value))
    pos = [r for i, r in zip(items, results, strict=True) if i.label]
    neg_fpr = [
        r
        for i, r in zip(items, results, strict=True)
        if not i.label and i.category in FPR_CATEGORIES
    ]
    neg_all = [r for i, r in zip(items, results, strict=True) if not i.label]
    imminent = [r for i, r in zip(items, results, strict=True) if i.level == "imminent"]
    return {
        "n": len(items),
        "positives": len(pos),
        "recall": round(sum(r.needs_crisis_response for r in pos) / len(pos), 4),
        "fpr_everyday_distress_figurative": round(
            sum(r.needs_crisis_response for r in neg_fpr) / len(neg_fpr), 4
        ),
        "n_everyday_distress_figurative": len(neg_fpr),
        "fpr_all_negatives": round(sum(r.needs_crisis_response for r in neg_all) / len(neg_all), 4),
        "imminent_reached": f"{sum(r.level.value == 'imminent' for r in imminent)}/{len(imminent)}",
        "level_agreement": round(
            sum(r.level.value == i.level for i, r in zip(items, results, strict=True)) / len(items),
            4,
        ),
        "roc_auc_score": round(
            roc_auc([i.label for i in items], [r.score for r in results]) or 0, 4
        ),
        "by_category": {k: dict(v) for k, v in sorted(by_cat.items())},
        "missed": misses,
        "false_alarms": false_alarms,
        "latency": latency(wall, cpu),
    }


def multiturn() -> dict[str, object]:
    rows = [json.loads(line) for line in (DATA / "multiturn.jsonl").open(encoding="utf-8")]
    wrong = []
    for row in rows:
        got = screen(row["text"], context=row["context"]).level.value
        if got != row["level"]:
            wrong.append(
                {
                    "context": row["context"],
                    "text": row["text"],
                    "expected": row["level"],
                    "got": got,
                }
            )
    return {"n": len(rows), "correct": len(rows) - len(wrong), "wrong": wrong}


def sdcnl(path: Path, encoder: bool = True) -> dict[str, object]:
    rows = read_sdcnl(path)
    _, held = sdcnl_split([r.label for r in rows])
    items = [rows[i] for i in held]
    results, wall, cpu = timed(items, encoder=encoder)
    labels = [i.label for i in items]
    tp = sum(r.needs_crisis_response and y for r, y in zip(results, labels, strict=True))
    fp = sum(r.needs_crisis_response and not y for r, y in zip(results, labels, strict=True))
    pos = sum(labels)
    return {
        "split": "seeded stratified 20% held out of train.csv (seed 13)",
        "encoder_stage": encoder,
        "scored_by_encoder_stage": sum("+" in r.model_version for r in results),
        "n": len(items),
        "roc_auc_model_probability": round(
            roc_auc(labels, [r.model_probability or 0.0 for r in results]) or 0, 4
        ),
        "roc_auc_screening_score": round(roc_auc(labels, [r.score for r in results]) or 0, 4),
        "recall": round(tp / pos, 4),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "fpr": round(fp / (len(labels) - pos), 4),
        "levels": dict(Counter(r.level.value for r in results)),
        # label 1 = r/SuicideWatch; where the patterns put r/depression posts bounds the AUC
        "levels_by_label": {
            str(label): dict(
                Counter(r.level.value for r, y in zip(results, labels, strict=True) if y == label)
            )
            for label in (1, 0)
        },
        "latency": latency(wall, cpu),
    }


def main() -> None:
    shared = Path(os.environ.get("MINDBRIDGE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdcnl", type=Path, default=shared / "sdcnl" / "train.csv")
    args = parser.parse_args()
    figures: dict[str, object] = {"chat": chat(), "multiturn": multiturn()}
    if args.sdcnl.is_file():
        figures["sdcnl_heldout"] = sdcnl(args.sdcnl)
        figures["sdcnl_heldout_lexical_only"] = sdcnl(args.sdcnl, encoder=False)
    else:
        figures["sdcnl_heldout"] = f"skipped: {args.sdcnl} not found"
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
