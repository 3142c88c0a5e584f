"""Golden transcripts: one scripted conversation per flow, kept as data in golden/.

Each turn's reply must contain the listed snippets and the listed actions; state and memory
go through JSON between turns (as stored by the lead). At the end the `flow_completed`
action must carry the expected outputs and outcome.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mindbridge.companion import FLOW_IDS, Companion, ConversationState, Memory

from .fakes import make_context, make_deps

GOLDEN = Path(__file__).with_name("golden")
CASES = sorted(GOLDEN.glob("*.json"))


def _subset(expected: Any, got: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{where}: expected a mapping, got {got!r}"
        for key, value in expected.items():
            assert key in got, f"{where}: missing {key!r} in {sorted(got)}"
            _subset(value, got[key], f"{where}.{key}")
    else:
        assert got == expected, f"{where}: expected {expected!r}, got {got!r}"


def test_every_flow_has_a_golden_transcript() -> None:
    covered = {json.loads(p.read_text())["flow"] for p in CASES}
    assert covered == set(FLOW_IDS)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_transcript(path: Path) -> None:
    case = json.loads(path.read_text())
    companion = Companion(make_deps(distortions=case["distortions"]))
    context = make_context(case["context"])
    state_json = ConversationState().to_dict()
    memory_json = Memory.from_dict(case["memory"]).to_dict()
    completed: list[dict[str, Any]] = []
    for i, turn in enumerate(case["turns"]):
        ctx = replace(context, memory=Memory.from_dict(json.loads(json.dumps(memory_json))))
        result = companion.turn(
            ConversationState.from_dict(json.loads(json.dumps(state_json))), turn["user"], ctx
        )
        state_json = json.loads(json.dumps(result.new_state.to_dict()))
        memory_json = json.loads(json.dumps(result.new_memory.to_dict()))
        reply = "\n".join(result.reply_messages)
        where = f"{path.name} turn {i + 1} ({turn['user']!r})"
        assert result.risk_level == "none", where
        for snippet in turn["expect"]:
            assert snippet.lower() in reply.lower(), f"{where}: {snippet!r} not in reply:\n{reply}"
        kinds = [a.kind for a in result.actions]
        for kind in turn["actions"]:
            assert kind in kinds, f"{where}: action {kind!r} not in {kinds}"
        if "flow" in turn:
            assert result.flow_id == turn["flow"], where
        completed += [a.data for a in result.actions if a.kind == "flow_completed"]
    assert len(completed) == 1, f"{path.name}: expected one completed flow, got {len(completed)}"
    done = completed[0]
    assert done["flow_id"] == case["flow"]
    _subset(case["outputs"], done["outputs"], f"{path.name} outputs")
    if case["outcome"] is not None:
        _subset(case["outcome"], done["outcome"], f"{path.name} outcome")
    assert state_json["flow"] is None
    outcomes = memory_json["outcomes"]
    assert outcomes[-1]["flow_id"] == case["flow"] and outcomes[-1]["completed"] is True
