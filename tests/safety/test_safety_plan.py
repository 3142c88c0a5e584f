from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.safety_plan import (
    MAX_ITEMS,
    MAX_TEXT,
    SECTIONS,
    Contact,
    SafetyPlan,
    SafetyPlanError,
    render_text,
    screen_changes,
)


def example() -> SafetyPlan:
    return SafetyPlan.create(
        warning_signs=["  Not sleeping ", "", "not sleeping", "Pulling away from friends"],
        coping_strategies=["Walk round the block", "Music"],
        social_distractions=[{"name": "Café on Main St"}],
        help_contacts=[{"name": "Sam", "phone": "+44 7700 900123", "note": "evenings"}, "Mum"],
        professionals=[Contact("Dr Ortiz", "020 7946 0000")],
        environment_safety=["Ask my partner to keep the medicines"],
        reasons_for_living=["My dog"],
    )


def test_six_sections_in_order() -> None:
    assert [s.key for s in SECTIONS] == [
        "warning_signs",
        "coping_strategies",
        "social_distractions",
        "help_contacts",
        "professionals",
        "environment_safety",
    ]


def test_create_strips_drops_empty_and_dedupes() -> None:
    plan = example()
    assert plan.warning_signs == ("Not sleeping", "Pulling away from friends")
    assert plan.help_contacts[1] == Contact("Mum")
    assert not plan.is_empty
    assert SafetyPlan.create().is_empty


def test_validation_reports_every_problem() -> None:
    with pytest.raises(SafetyPlanError) as err:
        SafetyPlan.create(
            warning_signs=["x" * (MAX_TEXT + 1)],
            coping_strategies=[f"idea {i}" for i in range(MAX_ITEMS + 1)],
            help_contacts=[{"name": "Sam", "phone": "call me maybe"}, {"phone": "0123 456"}],
            mood="great",
        )
    problems = " | ".join(err.value.problems)
    assert "at most 200 characters" in problems
    assert f"at most {MAX_ITEMS} entries" in problems
    assert "doesn't look like a phone number" in problems
    assert "needs a name" in problems
    assert "unknown section 'mood'" in problems


def test_round_trip_through_json() -> None:
    plan = example()
    data = json.loads(json.dumps(plan.to_dict()))
    assert SafetyPlan.from_dict(data) == plan


@given(st.lists(st.text(max_size=40), max_size=8))
def test_entries_are_always_clean(items: list[str]) -> None:
    plan = SafetyPlan.create(coping_strategies=items)
    for entry in plan.coping_strategies:
        assert entry == " ".join(entry.split()) and entry


def test_render_is_printable_with_resources() -> None:
    text = render_text(example(), owner="Alex", locale="en-GB")
    assert text.startswith("Safety plan for Alex")
    for section in SECTIONS:
        assert section.title in text
    assert "Sam, +44 7700 900123 (evenings)" in text
    assert "116 123" in text and "999" in text
    empty = render_text(SafetyPlan(), locale="en-US")
    assert SECTIONS[0].prompt in empty and "988" in empty


def test_plan_edits_are_screened_only_where_they_changed() -> None:
    before = example()
    after = SafetyPlan.create(
        **{**before.to_dict(), "coping_strategies": ["Music", "I wrote my goodbye letters"]}
    )
    result = screen_changes(before, after)
    assert [text for _, text, _ in result.items] == ["I wrote my goodbye letters"]
    assert result.level is RiskLevel.IMMINENT
    assert result.needs_crisis_response
    assert screen_changes(after, after).level is RiskLevel.NONE
    assert len(screen_changes(None, before).items) == len(before.entries())
