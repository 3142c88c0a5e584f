"""Full recommender simulation: 1,000 people x 60 days on the reported seed 0.

Usage: .venv/bin/python benchmarks/recommender_sim.py [--people 1000] [--days 60] [--seed 0]
       [--no-ablation] [--json-out PATH]

Runs random, the best fixed exercise in hindsight, rules-only, the policy, and (unless
--no-ablation) the policy without the pooled population layer; prints the table, the
regret reduction against rules-only after 30 interactions, each group's regret relative
to the average, and recommend() latency (p50/p99) on the last simulated day's contexts.
Hyperparameters were tuned on seeds 101-103 with benchmarks/recommender_tune.py.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mindbridge.recommender.cli import TARGET_GROUP_GAP, TARGET_REDUCTION, print_report
from mindbridge.recommender.simulation import SimSettings, simulate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-ablation", action="store_true")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    start = time.perf_counter()
    result = simulate(
        SimSettings(people=args.people, days=args.days, seed=args.seed),
        progress=lambda msg: print(f"[{time.perf_counter() - start:6.1f}s] {msg}", flush=True),
        ablation=not args.no_ablation,
    )
    result["targets"] = {
        "regret_reduction_vs_rules": TARGET_REDUCTION,
        "max_group_gap": TARGET_GROUP_GAP,
        "met": result["regret_reduction_vs_rules"] >= TARGET_REDUCTION
        and result["policy_max_group_gap"] <= TARGET_GROUP_GAP,
    }
    print_report(result, 30)
    print("policy exercise share:", {k: round(v, 3) for k, v in result["policy_arm_share"].items()})
    print("latency:", json.dumps(result["latency"]))
    print(f"total {time.perf_counter() - start:.0f}s")
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
