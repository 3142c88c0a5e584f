"""Tune the recommender's hyperparameters on simulation seeds 101-103 (never the reported seed 0).

Usage: .venv/bin/python benchmarks/recommender_tune.py [--people 1000] [--days 60]
       [--seeds 101,102,103] [--grid '{"exploration": [0.5, 1.0]}']
Prints regret after 30 interactions for rules-only and for each configuration, per seed and
averaged, so the chosen defaults in policy.PolicyConfig can be traced to a run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import replace

from mindbridge.recommender.policy import DEFAULT_CONFIG
from mindbridge.recommender.simulation import RecommenderPolicy, SimSettings, World


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seeds", default="101,102,103")
    parser.add_argument("--grid", default='{"exploration": [0.5, 1.0]}')
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    grid: dict[str, list[float]] = json.loads(args.grid)
    keys = sorted(grid)
    configs = [
        replace(DEFAULT_CONFIG, **dict(zip(keys, values, strict=True)))
        for values in itertools.product(*(grid[k] for k in keys))
    ]
    worlds = {
        seed: World(SimSettings(people=args.people, days=args.days, seed=seed)) for seed in seeds
    }
    rules: dict[int, float] = {}
    for seed, world in worlds.items():
        policy = RecommenderPolicy("rules", "rules", seed, world.catalogue, args.people)
        rules[seed] = world.run(policy).regret_at(30)
    print("rules", {s: round(v, 3) for s, v in rules.items()}, flush=True)
    for config in configs:
        start = time.perf_counter()
        reductions = []
        gaps = []
        for seed, world in worlds.items():
            run = world.run(
                RecommenderPolicy("policy", "thompson", seed, world.catalogue, args.people, config)
            )
            reductions.append(1.0 - run.regret_at(30) / rules[seed])
            gaps.append(run.summary(30)["max_group_gap"])
        label = {k: getattr(config, k) for k in keys}
        print(
            json.dumps(label),
            "reduction",
            [round(r, 3) for r in reductions],
            "mean",
            round(sum(reductions) / len(reductions), 3),
            "max_gap",
            round(max(gaps), 3),
            f"{time.perf_counter() - start:.0f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
