"""Early-warning benchmark on the evaluation seed (settings were tuned on other seeds).

.venv/bin/python benchmarks/signals_early_warning.py [--clients 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

from mindbridge.signals.early_warning import EVAL_SEED, run

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "depresjon"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run(args.data, seed=args.seed, clients=args.clients)
    print(json.dumps(result, indent=1))
    for name, m in result["methods"].items():  # type: ignore[attr-defined]
        print(
            f"{name:18s} sensitivity_7d {m['sensitivity_7d']:.3f}  "
            f"from first change {m['sensitivity_7d_from_first_change']:.3f}  "
            f"median delay {m['median_delay_days']} d  "
            f"false alerts/client-month {m['false_alerts_per_client_month']:.3f}"
        )


if __name__ == "__main__":
    main()
