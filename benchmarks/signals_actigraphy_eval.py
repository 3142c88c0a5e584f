"""Depresjon, depressed vs control, leave-one-subject-out (subject level).

.venv/bin/python benchmarks/signals_actigraphy_eval.py [--data ../shared/data/depresjon]
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

from mindbridge.signals.actigraphy_eval import run

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "depresjon"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2], help="inner-CV seeds")
    args = parser.parse_args()
    for seed in args.seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = run(args.data, seed=seed)
        result.pop("predictions")
        print(json.dumps(result))


if __name__ == "__main__":
    main()
