"""Scripted conversations: the core of `mindbridge chat --script FILE` (the lead adds the
command, which needs the database), and of the golden-transcript tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from mindbridge.companion.companion import Companion
from mindbridge.companion.ports import Deps
from mindbridge.companion.state import CompanionContext, ConversationState, Memory


def run_script(
    lines: Iterable[str],
    state: ConversationState,
    memory: Memory,
    deps: Deps,
    *,
    context: CompanionContext | None = None,
    clock: Callable[[int], datetime] | None = None,
    on_turn: Callable[[int, Any], None] | None = None,
) -> list[dict[str, Any]]:
    """Play `lines` as one person's messages and return {"user", "reply", "flow", "risk_level"}
    per line. State and memory go through JSON between turns, exactly as the lead will store
    them. `context` gives the rest (time, clinician availability, approvals); `clock(i)` may
    move the time for line i; `on_turn(i, result)` sees each full TurnResult.
    """
    companion = Companion(deps)
    base = context or CompanionContext(now=datetime.now().astimezone())
    state_json = state.to_dict()
    memory_json = memory.to_dict()
    transcript: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        now = clock(i) if clock else base.now
        turn_context = replace(base, now=now, memory=Memory.from_dict(memory_json))
        result = companion.turn(ConversationState.from_dict(state_json), line, turn_context)
        state_json = result.new_state.to_dict()
        memory_json = result.new_memory.to_dict()
        transcript.append(
            {
                "user": line,
                "reply": "\n".join(result.reply_messages),
                "flow": result.flow_id,
                "risk_level": result.risk_level,
            }
        )
        if on_turn is not None:
            on_turn(i, result)
    return transcript
