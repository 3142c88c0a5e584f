"""The exercise library: every shipped flow reads step by step in plain words, nothing in the
file is dropped on the way to the page, and only clinicians and admins can open it."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from mindbridge.companion.flowspec import default_flows, parse_flow
from mindbridge.companion.reading import accepts, read
from tests.conftest import PERSONA_EMAILS, Personas, login


def test_paced_breathing_reads_in_order_with_named_targets() -> None:
    reading = read(default_flows()["paced_breathing"])
    assert [s.id for s in reading.steps] == ["intro", "minutes", "breathe", "again"]
    minutes = reading.steps[1]
    assert minutes.accepts == (
        "a length of time from 1 to 10 minutes (a bare number means minutes)"
    )
    assert minutes.keeps == "minutes" and minutes.checked and not minutes.optional
    assert minutes.then == "step 3 (breathe)"
    breathe = reading.steps[2]
    assert breathe.computes == [("rounds", "(rounds or 0) + 1")]
    assert breathe.effects == [
        'Shows a paced-breathing guide "Slow breathing": in 4 s, out 6 s, 6 breaths a minute, '
        "seconds = minutes * 60."
    ]
    assert breathe.accepts == "any reply (it moves on)" and not breathe.checked
    again = reading.steps[3]
    assert again.branches == [("again and rounds < 3", "step 3 (breathe)")]
    assert again.then == "the closing questions (mood now, how helpful it was)"
    assert not reading.reviewed and reading.reviewed_by is None


def test_every_answer_type_reads_as_words() -> None:
    flow = parse_flow(
        {
            "id": "sample",
            "version": "1.0.0",
            "title": "Sample",
            "summary": "A flow with one question of every kind.",
            "duration_minutes": 3,
            "evidence": [{"claim": "None: a format test only.", "source": "this test"}],
            "steps": [
                {
                    "id": "n",
                    "ask": "n?",
                    "expect": {"type": "number", "min": 0, "max": 10},
                    "store": "n",
                },
                {
                    "id": "f",
                    "ask": "f?",
                    "expect": {"type": "number", "min": 0.5, "max": 2, "integer": False},
                    "store": "f",
                },
                {
                    "id": "c",
                    "ask": "c?",
                    "expect": {
                        "type": "choice",
                        "options": [
                            {"id": "a", "label": "Walk", "synonyms": ["stroll"]},
                            {"id": "b", "label": "Call a friend"},
                        ],
                    },
                    "store": "c",
                },
                {"id": "y", "ask": "y?", "expect": {"type": "yes_no"}, "store": "y"},
                {
                    "id": "k",
                    "ask": "k?",
                    "expect": {"type": "clock", "prefer": "evening"},
                    "store": "k",
                },
                {
                    "id": "t",
                    "ask": "t?",
                    "expect": {"type": "text", "min_chars": 5},
                    "store": "t",
                    "optional": True,
                    "next": "exit",
                },
            ],
        },
        "sample.toml",
    )
    words = [accepts(step.expect) for step in flow.steps if step.expect]
    assert words == [
        "a whole number from 0 to 10",
        "a number from 0.5 to 2",
        "one of: Walk (also: stroll); Call a friend",
        "yes or no",
        "a time of day (an hour alone is read as evening)",
        "their own words of at least 5 characters",
    ]
    last = read(flow).steps[-1]
    assert last.optional and last.then == "stop without the closing questions"


@pytest.mark.parametrize("flow_id", sorted(default_flows()))
def test_every_flow_page_shows_every_word_of_its_file(
    client: TestClient, personas: Personas, flow_id: str
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    flow = default_flows()[flow_id]
    page = client.get(f"/exercises/{flow_id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert flow.title in text and flow.summary in text and flow.closing in text
    for step in flow.steps:
        assert f"Step {flow.steps.index(step) + 1}: <code>{step.id}</code>" in text
        for line in (*step.say, *(b.when for b in step.branches)):
            assert line in text, (step.id, line)
        if step.ask:
            assert step.ask in text
    for evidence in flow.evidence:
        assert evidence.claim in text and evidence.source in text


def test_library_lists_every_flow_with_its_review_state_for_staff_only(
    client: TestClient, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["admin"])
    page = client.get("/exercises")
    assert page.status_code == 200
    flows = default_flows()
    for flow in flows.values():
        assert f'<a href="/exercises/{flow.id}">' in page.text
    reviewed = sum(f.review_status == "reviewed" for f in flows.values())
    assert f"{reviewed} of {len(flows)} reviewed by a clinician in the shipped files." in page.text
    assert client.get("/exercises/no_such_flow").status_code == 404

    login(client, PERSONA_EMAILS["clinician"])
    homework = client.get(f"/clients/{personas.client}/homework")
    assert '<a href="/exercises">Read any exercise step by step</a>' in homework.text

    login(client, PERSONA_EMAILS["client"])
    assert client.get("/exercises").status_code == 404
    assert client.get("/exercises/paced_breathing").status_code == 404


def test_thought_record_says_where_detection_happens_and_which_step_uses_it() -> None:
    steps = {s.id: s for s in read(default_flows()["thought_record"]).steps}
    assert steps["thought"].effects == []
    assert steps["thought"].after_answer == [
        "When the text models are loaded, the thinking traps they find in the answer are kept "
        "as thinking_traps (empty without the models)."
    ]
    assert steps["traps"].condition == "thinking_traps"
