"""run_script: the engine of `mindbridge chat --script FILE` without a database."""

from __future__ import annotations

import json
from datetime import timedelta

from mindbridge.companion import ConversationState, Memory, run_script

from .fakes import CRISIS_TEMPLATE, make_context, make_deps

LINES = [
    "hi",
    "I keep putting off my thesis",
    "yes",
    "skip",
    "I want to kill myself",
    "I'm safe now",
]


def test_one_row_per_line_with_the_documented_keys() -> None:
    rows = run_script(
        LINES, ConversationState(), Memory(name="Sam"), make_deps(), context=make_context()
    )
    assert [r["user"] for r in rows] == LINES
    assert all(set(r) == {"user", "reply", "flow", "risk_level"} for r in rows)
    json.dumps(rows)  # plain JSON
    assert rows[0]["reply"].startswith("Hi Sam!")
    assert rows[2]["flow"] == "procrastination_tiny_step"
    assert rows[4]["risk_level"] == "elevated" and rows[4]["reply"].startswith(CRISIS_TEMPLATE)
    assert rows[5]["risk_level"] == "none" and "What's the task" in rows[5]["reply"]


def test_the_clock_can_move_between_lines_and_turns_are_observable() -> None:
    context = make_context()
    seen: list[str] = []
    rows = run_script(
        ["thought record", "4", "hello"],
        ConversationState(),
        Memory(name="Sam"),
        make_deps(),
        context=context,
        clock=lambda i: context.now + [timedelta(0), timedelta(minutes=2), timedelta(hours=6)][i],
        on_turn=lambda i, result: seen.append(result.intent),
    )
    assert seen == ["exercise:thought_record", "answer", "greeting"]
    # 6 hours later the exercise was paused and the greeting offers to pick it up
    assert "middle of thought record" in rows[2]["reply"]
