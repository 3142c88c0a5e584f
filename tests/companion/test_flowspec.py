"""Flow files: the shipped ones load, and mistakes fail the load with a clear message."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mindbridge.companion import FLOW_IDS, FlowError, load_flow, load_flows, parse_flow
from mindbridge.companion.flowspec import DEFAULT_FLOW_DIR, FlowLibrary

MINIMAL: dict[str, Any] = {
    "id": "paced_breathing",
    "version": "1.0.0",
    "title": "Breathing",
    "summary": "Breathe slowly with a guide.",
    "duration_minutes": 3,
    "evidence": [{"claim": "Paced breathing lowers stress.", "source": "reference"}],
    "outputs": ["minutes"],
    "steps": [
        {"id": "intro", "say": "Hello."},
        {
            "id": "minutes",
            "ask": "How long?",
            "expect": {"type": "duration", "min_minutes": 1, "max_minutes": 10},
            "store": "minutes",
        },
        {"id": "bye", "say": "That was {minutes|num} minutes."},
    ],
}


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    change(data)
    return data


def test_the_shipped_flows_load_and_cover_every_exercise() -> None:
    flows = load_flows()
    assert set(flows) == set(FLOW_IDS)
    for flow in flows.values():
        assert flow.evidence and flow.version
        assert flow.review_status == "draft"  # none has been clinically reviewed yet
    assert flows["cbti_sleep_restriction"].requires_approval
    assert flows["graded_exposure"].requires_approval


def test_the_shipped_flows_use_our_own_short_words() -> None:
    for flow in load_flows().values():
        for step in flow.steps:
            for text in step.texts():
                for sentence in re.split(r"(?<=[.?!])\s+", text):
                    assert len(sentence.split()) <= 45, f"{flow.id}.{step.id}: {sentence!r}"


def test_a_minimal_flow_is_valid() -> None:
    assert parse_flow(MINIMAL).step("minutes") is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["steps"].append({"id": "intro", "say": "again"}),
            "step id 'intro' is used twice",
        ),
        (
            lambda d: d["steps"][0].update(next="nowhere"),
            "step 'intro': goes to unknown step 'nowhere'",
        ),
        (
            lambda d: d["steps"][1].update(branches=[{"when": "minutes >", "goto": "bye"}]),
            "step 'minutes': cannot read expression",
        ),
        (
            lambda d: d["steps"][1].update(branches=[{"when": "mood > 3", "goto": "bye"}]),
            "reads \\['mood'\\], which no step stores or computes",
        ),
        (
            lambda d: d["steps"][1].update(branches=[{"when": "eval('x')", "goto": "bye"}]),
            "unknown function 'eval'",
        ),
        (lambda d: d["steps"][2].update(say="{secret}"), "text uses \\{secret\\}"),
        (lambda d: d["steps"][2].update(say="{minutes|shout}"), "unknown filter 'shout'"),
        (lambda d: d["steps"][1].pop("expect"), "step 'minutes'.*needs `expect`"),
        (lambda d: d["steps"][1].pop("store"), "needs `store`"),
        (lambda d: d["steps"][1]["expect"].update(type="colour"), "step 'minutes'.*expect"),
        (
            lambda d: d["steps"][1].update(expect={"type": "number", "min": 10, "max": 0}),
            "min < max",
        ),
        (
            lambda d: d["steps"][1].update(
                expect={"type": "choice", "options": [{"id": "a", "label": "A"}]}
            ),
            "at least 2",
        ),
        (lambda d: d.update(outputs=["nothing"]), "outputs name values no step defines"),
        (lambda d: d["steps"][0].update(next="bye"), "steps no path reaches: \\['minutes'\\]"),
        (lambda d: d.update(version="1"), "version"),
        (lambda d: d.update(evidence=[]), "evidence"),
        (lambda d: d.update(surprise=True), "surprise"),
        (lambda d: d.update(review_status="reviewed"), "must say who reviewed it"),
        (lambda d: d["steps"][1].update(store="name"), "built in and cannot be stored"),
        (
            lambda d: d["steps"][0].update(remember={"diagnosis": "minutes"}),
            "cannot remember 'diagnosis'",
        ),
        (lambda d: d["steps"][1].update(detect="mood_reader"), "unknown detector"),
        (lambda d: d.update(outcome={"mood_before": "minutes"}), "must name a stored 0-10 number"),
        (
            lambda d: d["steps"][0].update(
                timer={
                    "kind": "paced_breathing",
                    "seconds": 60,
                    "breaths_per_minute": 6,
                    "inhale_seconds": 4,
                    "exhale_seconds": 4,
                }
            ),
            "breathing cycle is 8 s but 6 breaths a minute needs 10 s",
        ),
    ],
)
def test_mistakes_are_reported_with_the_step_and_the_reason(change: Any, message: str) -> None:
    with pytest.raises(FlowError, match=message):
        parse_flow(broken(change), "test.toml")


def test_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "worry_time.toml"
    path.write_text('id = "worry_time"\n')
    with pytest.raises(FlowError, match=r"^worry_time\.toml: "):
        load_flow(path)
    path.write_text("id = = 3")
    with pytest.raises(FlowError, match="not valid TOML"):
        load_flow(path)


def test_the_file_name_must_be_the_flow_id(tmp_path: Path) -> None:
    source = (DEFAULT_FLOW_DIR / "paced_breathing.toml").read_text()
    (tmp_path / "breathing.toml").write_text(source)
    with pytest.raises(FlowError, match=r"file name must be paced_breathing\.toml"):
        load_flow(tmp_path / "breathing.toml")


def test_a_library_needs_every_flow_and_known_homework_targets(tmp_path: Path) -> None:
    for name in ("paced_breathing", "worry_time"):
        (tmp_path / f"{name}.toml").write_text((DEFAULT_FLOW_DIR / f"{name}.toml").read_text())
    with pytest.raises(FlowError, match="missing flows"):
        load_flows(tmp_path)
    assert set(load_flows(tmp_path, required=())) == {"paced_breathing", "worry_time"}
    data = tomllib.loads((DEFAULT_FLOW_DIR / "cbti_stimulus_control.toml").read_text())
    with pytest.raises(FlowError, match="homework names unknown flow 'sleep_diary'"):
        FlowLibrary([parse_flow(data)], required=())
