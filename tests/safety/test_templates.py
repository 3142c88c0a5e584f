"""Crisis responses: fixed text, resources for the locale, and never a method."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.resources import default_directory
from mindbridge.safety.screening import screen
from mindbridge.safety.templates import CrisisMessage, crisis_message, crisis_message_for

# Words that would describe how or where; safe messaging means none of them, ever.
METHOD_WORDS = [
    "pill",
    "pills",
    "tablet",
    "tablets",
    "overdose",
    "dose",
    "lethal",
    "rope",
    "hang",
    "hanging",
    "noose",
    "gun",
    "guns",
    "firearm",
    "shoot",
    "knife",
    "blade",
    "blades",
    "razor",
    "cut",
    "cutting",
    "bleed",
    "poison",
    "drown",
    "jump",
    "jumping",
    "bridge",
    "roof",
    "ledge",
    "cliff",
    "tracks",
    "train",
    "bleach",
    "suffocate",
    "method",
    "methods",
    "means",
    "painless",
]
LOCALES = ("en-US", "en-GB", "en-IE", "fr-FR", "en", None)
LEVELS = (RiskLevel.LOW, RiskLevel.ELEVATED, RiskLevel.IMMINENT)


def all_messages() -> Iterator[tuple[RiskLevel, str | None, CrisisMessage]]:
    for level in LEVELS:
        for locale in LOCALES:
            for other in (False, True):
                for plan in (False, True):
                    for alerted in (False, True):
                        message = crisis_message(
                            level,
                            locale=locale,
                            concern_for_other=other,
                            has_safety_plan=plan,
                            care_team_alerted=alerted,
                        )
                        assert message is not None
                        yield level, locale, message


def test_no_method_words_in_any_template() -> None:
    for _, _, message in all_messages():
        words = set(re.findall(r"[a-z]+", message.text().lower()))
        # resource descriptions are data; they are checked too, as shown
        assert not words & set(METHOD_WORDS), (message.template_id, words & set(METHOD_WORDS))


def test_resources_for_the_locale_are_always_included() -> None:
    expected = {"en-US": "988", "en-GB": "116 123", "en-IE": "116 123"}
    for level, locale, message in all_messages():
        assert message.resources
        text = message.text()
        if locale in expected:
            assert expected[locale] in text
        else:
            assert "findahelpline.com" in text
        if level is not RiskLevel.LOW:
            emergency = default_directory().emergency_number(locale)
            assert emergency in text


def test_crisis_templates_ask_directly_and_stay() -> None:
    elevated = crisis_message(RiskLevel.ELEVATED, locale="en-GB")
    imminent = crisis_message(RiskLevel.IMMINENT, locale="en-GB")
    assert elevated is not None and imminent is not None
    assert "are you thinking about ending your life?" in elevated.question.lower()
    assert "safe right now" in imminent.question
    assert "999" in imminent.text()
    assert "staying right here" in imminent.text()
    assert "safety plan" in elevated.text()


def test_variants() -> None:
    assert crisis_message(RiskLevel.NONE) is None
    other = crisis_message(RiskLevel.LOW, concern_for_other=True)
    assert other is not None and other.template_id.startswith("other")
    own = crisis_message(RiskLevel.ELEVATED, concern_for_other=True)
    assert own is not None and own.template_id.startswith("elevated")
    alerted = crisis_message(RiskLevel.ELEVATED, care_team_alerted=True)
    assert alerted is not None and "care team" in alerted.text()
    no_plan = crisis_message(RiskLevel.ELEVATED, has_safety_plan=False)
    assert no_plan is not None and "make a safety plan" in no_plan.text()


@pytest.mark.parametrize("level", LEVELS)
def test_templates_are_fixed_text(level: RiskLevel) -> None:
    a = crisis_message(level, locale="en-US")
    b = crisis_message(level, locale="en-US")
    assert a == b


def test_message_for_a_screening() -> None:
    message = crisis_message_for(screen("my friend says she wants to die"), locale="en-GB")
    assert message is not None and message.template_id.startswith("other")
    assert message.lines()[0] == message.paragraphs[0]
    assert crisis_message_for(screen("lovely day at the beach")) is None
