"""Choose the early-warning settings of every method on the TUNING seeds only.

For each method, the setting with the highest sensitivity_7d whose false alerts stay at or
below MARGIN per client-month (under the 0.5 target, leaving room for seed-to-seed spread).
The evaluation seed (early_warning.EVAL_SEED) is never generated here. The chosen values
are then written by hand into src/mindbridge/signals/early_warning.py and detector.py.

    .venv/bin/python benchmarks/signals_tune_early_warning.py [--clients 200] [--quick]

The detector's grid covers the fast CUSUM (k, z clip, group cap, sleep weight) and the slow
one (weight 0 = off, z clip); the line is swept in steps of 0.05 with the policy's 2-day
persistence. The current defaults came from 200 clients per tuning seed (the first 100 of
each are the same clients as with --clients 100).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np

from mindbridge.signals.alerts import AlertPolicy, alert_days
from mindbridge.signals.detector import DEFAULT_GROUP_WEIGHTS, DetectorConfig, assess
from mindbridge.signals.early_warning import (
    BASELINE_POLICY,
    TUNING_SEEDS,
    FixedRules,
    PeltSettings,
    evaluate,
    fixed_rule_flags,
    pelt_changes,
)
from mindbridge.signals.features import compute_features
from mindbridge.signals.simulation import Cohort, load_donors, merge, simulate

MARGIN = 0.4
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "depresjon"


def pick(
    results: list[tuple[dict[str, object], dict[str, object]]],
) -> tuple[dict[str, object], dict[str, object]] | None:
    ok = [r for r in results if r[1]["false_alerts_per_client_month"] <= MARGIN]  # type: ignore[operator]
    ok.sort(key=lambda r: (-r[1]["sensitivity_7d"], r[1]["false_alerts_per_client_month"]))  # type: ignore[operator]
    return ok[0] if ok else None


def tune_detector(cohort: Cohort, quick: bool) -> list[tuple[dict[str, object], dict[str, object]]]:
    features = compute_features(cohort.inputs)
    grid = itertools.product(
        (0.75, 1.0),  # k
        (1.5, 2.0),  # z clip
        (2.0, 3.0) if quick else (1.5, 2.0, 3.0),  # group cap
        (0.25,),  # over cap
        (0.4, 0.7),  # sleep weight
        (0.0, 0.25, 0.5),  # slow CUSUM weight (0: off)
        (1.0, 1.5),  # slow CUSUM z clip
    )
    out = []
    for k, clip, cap, over, sleep_w, slow_w, slow_clip in grid:
        if slow_w == 0.0 and slow_clip != 1.0:
            continue
        weights = dict(DEFAULT_GROUP_WEIGHTS) | {
            "sleep": sleep_w,
            "rhythm": 0.5,
            "mood": 1.0,
            "engagement": 1.0,
            "activity": 1.0,
        }
        config = DetectorConfig(
            k=k,
            z_clip=clip,
            group_cap=cap,
            over_cap=over,
            group_weights=weights,
            slow_weight=slow_w,
            slow_z_clip=slow_clip,
            bias=0.0,
        )
        evidence = assess(features, config).evidence_dgn.sum(axis=1).T.astype(np.float64)
        for line in np.arange(1.0, 8.01, 0.05):
            for persist in (2,):
                score = 1 / (1 + np.exp(-(evidence - line)))
                alerts = alert_days(score, AlertPolicy(threshold=0.5, persist_days=persist))
                m = evaluate(alerts, cohort)
                out.append(
                    (
                        {
                            "k": k,
                            "z_clip": clip,
                            "group_cap": cap,
                            "over_cap": over,
                            "sleep_weight": sleep_w,
                            "slow_weight": slow_w,
                            "slow_z_clip": slow_clip,
                            "bias": float(line),
                            "persist_days": persist,
                        },
                        m,
                    )
                )
    return out


def tune_fixed(cohort: Cohort) -> list[tuple[dict[str, object], dict[str, object]]]:
    out = []
    grid = itertools.product(
        (3.0, 4.0, 5.0, 6.0),  # mood at or below, mean of last 3 check-ins
        (10.0, 15.0),  # PHQ-9 at or above
        (5.0, 6.0, 7.0),  # sleep below (h) on 3 of 4 nights
        (200_000.0, 250_000.0, 300_000.0, 350_000.0),  # daily movement counts below
        (0.2, 0.4, 0.6, 0.8),  # check-in rate at or below
        (1, 2, 3),  # rules that must hold at once
    )
    for mood, phq, sleep, act, chk, need in grid:
        rules = FixedRules(mood, phq, sleep, act, chk, need)
        alerts = alert_days(fixed_rule_flags(cohort, rules).astype(np.float64), BASELINE_POLICY)
        out.append((vars(rules), evaluate(alerts, cohort)))
    return out


def tune_pelt(cohort: Cohort, quick: bool) -> list[tuple[dict[str, object], dict[str, object]]]:
    out = []
    for penalty in (10.0, 20.0) if quick else (5.0, 10.0, 20.0, 40.0):
        changes = pelt_changes(cohort, PeltSettings(penalty=penalty))
        for recent, worse in itertools.product((7, 14), (0.25, 0.5, 0.75, 1.0)):
            settings = PeltSettings(penalty=penalty, recent=recent, worse_by=worse)
            alerts = alert_days(changes.flags(settings).astype(np.float64), BASELINE_POLICY)
            out.append((vars(settings), evaluate(alerts, cohort)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200, help="clients per tuning seed")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--quick", action="store_true", help="smaller grids (a smoke run)")
    parser.add_argument("--methods", default="detector,fixed,pelt")
    args = parser.parse_args()
    t0 = time.perf_counter()
    donors = load_donors(args.data)
    cohort = merge([simulate(donors, args.clients, seed) for seed in TUNING_SEEDS])
    episodes = sum(e is not None for e in cohort.episodes)
    took = time.perf_counter() - t0
    print(
        f"tuning cohort: seeds {TUNING_SEEDS}, {len(cohort.episodes)} clients, "
        f"{episodes} episodes ({took:.0f} s)"
    )
    chosen = {}
    for name in args.methods.split(","):
        t = time.perf_counter()
        results = {
            "detector": lambda: tune_detector(cohort, args.quick),
            "fixed": lambda: tune_fixed(cohort),
            "pelt": lambda: tune_pelt(cohort, args.quick),
        }[name]()
        best = pick(results)
        chosen[name] = best
        print(f"{name}: {json.dumps(best)} ({time.perf_counter() - t:.0f} s)", flush=True)
    print(
        json.dumps(
            {"tuning_seeds": list(TUNING_SEEDS), "max_false_alerts": MARGIN, "chosen": chosen},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
