"""Time and peak memory of daily features + scores, and of importing all of Depresjon.

.venv/bin/python benchmarks/signals_scale.py [--clients 100000] [--days 180] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mindbridge.signals import scale
from mindbridge.signals.cli import import_depresjon

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "depresjon"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=2048)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    print(json.dumps({"depresjon_import_and_features": import_depresjon(args.data)}))
    print(json.dumps(scale.run(args.clients, args.days, chunk=args.chunk, workers=args.workers)))


if __name__ == "__main__":
    main()
