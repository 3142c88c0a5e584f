"""How often the companion's router admits it did not understand nonsense, next to its accuracy
on the held-out example sets, as written and with typos (so a change that helps one and hurts
another shows at once).

    .venv/bin/python benchmarks/router_nonsense.py [--strings 1000] [--seed 0] [--json]

Nonsense is seeded random lowercase "words" (1-6 words of 2-9 letters): nothing a person would
mean, so the right answer is `unknown` (or `off_topic`), never an exercise topic. The held-out
sets are tests/companion/data/intents_{test,blind,fresh}.jsonl, never trained or tuned on; the
typo run gives up to two of each message's 4+ letter words one seeded typo each (a letter
dropped, two swapped, or one doubled), as on a phone at 2 a.m.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from collections import Counter
from pathlib import Path

from mindbridge.companion.router import Router, evaluate, read_examples

DATA = Path(__file__).resolve().parents[1] / "tests" / "companion" / "data"
HONEST = ("unknown", "off_topic")


def nonsense(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(
            "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
            for _ in range(rng.randint(1, 6))
        )
        for _ in range(count)
    ]


def with_typos(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 4]
    for i in rng.sample(long, min(2, len(long))):
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        kind = rng.choice("dsr")
        if kind == "d":
            words[i] = w[:j] + w[j + 1 :]
        elif kind == "s":
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        else:
            words[i] = w[:j] + w[j] + w[j:]
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    router = Router.default()
    routes = Counter(router.route(t).intent for t in nonsense(args.strings, args.seed))
    honest = sum(routes[i] for i in HONEST) / args.strings
    sets = {
        n: read_examples(DATA / f"{n}.jsonl")
        for n in ("intents_test", "intents_blind", "intents_fresh")
    }
    held_out = {name: evaluate(router, examples)["accuracy"] for name, examples in sets.items()}
    rng = random.Random(args.seed)
    typos = evaluate(
        router, [(with_typos(t, rng), i) for examples in sets.values() for t, i in examples]
    )
    result = {
        "nonsense_strings": args.strings,
        "seed": args.seed,
        "nonsense_unknown_or_off_topic": round(honest, 4),
        "nonsense_routes": dict(routes.most_common()),
        "held_out_accuracy": held_out,
        "held_out_with_typos": {"n": typos["n"], "accuracy": typos["accuracy"]},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"nonsense answered as not understood: {honest:.1%} of {args.strings} (seed {args.seed})")
    print(f"  routes: {dict(routes.most_common(6))}")
    for name, accuracy in held_out.items():
        print(f"held-out {name}: accuracy {accuracy:.4f}")
    print(f"held-out, all three with typos: accuracy {typos['accuracy']:.4f} of {typos['n']}")


if __name__ == "__main__":
    main()
