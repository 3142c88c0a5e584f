"""Server-side turn latency of the companion engine (no generative mode).

Simulates many conversations from scripted lines (the golden transcripts plus open chatter,
hand-offs, stops and the occasional crisis), with state and memory going through JSON between
turns as the lead will store them, and times `Companion.turn` alone.

    .venv/bin/python benchmarks/companion_turns.py [--conversations 400] [--seed 0]
        [--real-screener]

With --real-screener the safety capability's screener is used (when its model is present),
which measures the whole turn as deployed; without it a constant screener isolates the engine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from mindbridge.companion import Companion, CompanionContext, ConversationState, Deps, Memory

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "companion" / "golden"
CHATTER = [
    [
        "hi",
        "how are you?",
        "I can't sleep again",
        "2",
        "3",
        "done",
        "no",
        "6",
        "4",
        "thanks",
        "bye",
    ],
    ["I'm so stressed", "no thanks", "what can you do?", "asdfgh", "3", "stop"],
    ["my head won't stop going over it", "yes", "5", "set it up", "7pm", "sofa", "skip", "6", "4"],
    ["I want to talk to a person", "continue", "thanks"],
    ["hey", "I feel so down", "I want to kill myself", "ok", "I'm safe now", "talk to a person"],
    ["what is anxiety?", "4", "yes", "no", "5", "5", "goodnight"],
]


@dataclass(frozen=True)
class Level:
    level: str


def constant_screen(text: str, *, context: object = ()) -> Level:
    return Level("elevated" if "kill myself" in text else "none")


def scripts() -> list[tuple[list[str], dict[str, object]]]:
    out: list[tuple[list[str], dict[str, object]]] = []
    for path in sorted(GOLDEN.glob("*.json")):
        case = json.loads(path.read_text())
        out.append(([t["user"] for t in case["turns"]], case))
    out += [(lines, {"context": {}, "memory": {"name": "Sam"}}) for lines in CHATTER]
    return out


def run(conversations: int, seed: int, real: bool) -> dict[str, object]:
    screen = constant_screen
    if real:
        from mindbridge.safety.screening import screen as real_screen

        screen = real_screen  # type: ignore[assignment]
    companion = Companion(
        Deps(
            screen=screen, crisis_response=lambda s: ["[crisis template]"], distortions=lambda t: {}
        )
    )
    rng = random.Random(seed)
    pool = scripts()
    timings: list[float] = []
    for _ in range(conversations):
        lines, case = rng.choice(pool)
        ctx_data = dict(case.get("context") or {})
        now = datetime.fromisoformat(str(ctx_data.get("now", "2026-03-02T14:00:00+00:00")))
        context = CompanionContext(
            now=now,
            approved_flows=frozenset(ctx_data.get("approved_flows", ())),  # type: ignore[arg-type]
        )
        state = json.dumps(ConversationState().to_dict())
        memory = json.dumps(Memory.from_dict(case.get("memory") or {}).to_dict())  # type: ignore[arg-type]
        for i, line in enumerate(lines):
            ctx = replace(
                context,
                now=now + timedelta(seconds=20 * i),
                memory=Memory.from_dict(json.loads(memory)),
            )
            st = ConversationState.from_dict(json.loads(state))
            started = time.perf_counter()
            result = companion.turn(st, line, ctx)
            timings.append((time.perf_counter() - started) * 1000)
            state = json.dumps(result.new_state.to_dict())
            memory = json.dumps(result.new_memory.to_dict())
    timings.sort()

    def pct(p: float) -> float:
        return round(timings[min(len(timings) - 1, int(p / 100 * len(timings)))], 3)

    return {
        "screener": "real" if real else "constant",
        "conversations": conversations,
        "turns": len(timings),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(timings[-1], 3),
        "mean_ms": round(statistics.fmean(timings), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real-screener", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.conversations, args.seed, args.real_screener), indent=2))


if __name__ == "__main__":
    main()
