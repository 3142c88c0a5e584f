"""The curated rules: negation, idioms, third person, slang, past tense and recent turns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.normalise import normalise
from mindbridge.safety.patterns import Qualifier, analyse, combine

DATA = Path(__file__).parent / "data"
TEAM = Path(__file__).parents[2] / "src" / "mindbridge" / "safety" / "data" / "team_cases.jsonl"


def level(text: str) -> RiskLevel:
    return analyse(normalise(text)).level


def qualifiers(text: str) -> set[Qualifier]:
    return {h.qualifier for h in analyse(normalise(text)).hits}


@pytest.mark.parametrize(
    "text",
    [
        "I want to die",
        "i keep thinking about killing myself",
        "I'm suicidal",
        "I wish I wasn't alive",
        "everyone would be better off without me",
        "there's no reason to live",
        "I want to end it all",
        "I don't want to wake up tomorrow",
        "I'd rather not exist",
    ],
)
def test_own_ideation_is_elevated(text: str) -> None:
    assert level(text) is RiskLevel.ELEVATED


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to die",
        "I'd never kill myself",
        "I'm not suicidal",
        "I have no thoughts of suicide",
        "I'm not going to hurt myself",
        "killing myself isn't something I'd do",
    ],
)
def test_negation_removes_the_risk(text: str) -> None:
    assert level(text).rank < RiskLevel.ELEVATED.rank
    assert Qualifier.NEGATED in qualifiers(text)


def test_negation_does_not_cross_a_new_subject_or_clause() -> None:
    assert level("I don't care anymore I just want to die") is RiskLevel.ELEVATED
    assert level("I'm not okay, I want to die") is RiskLevel.ELEVATED
    assert level("I don't want to die but I don't want to live either") is RiskLevel.ELEVATED


def test_never_as_intensifier_is_not_negation() -> None:
    assert level("I've never wanted to die more than now") is RiskLevel.ELEVATED
    assert level("I haven't had any suicidal thoughts this week") is RiskLevel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "this commute is killing me",
        "I'd kill for a coffee",
        "I'm dying to see that film",
        "I could murder a pizza",
        "I nearly died laughing",
        "my phone is dying",
        "this cake is to die for",
        "I'm dead tired",
        "I killed myself laughing at that",
        "I cut myself shaving",
        "the suicide squad sequel",
    ],
)
def test_figurative_language_is_not_risk(text: str) -> None:
    assert level(text) is RiskLevel.NONE
    assert Qualifier.FIGURATIVE in qualifiers(text)


def test_idiom_does_not_hide_a_real_statement_next_to_it() -> None:
    assert level("this commute is killing me and honestly I want to die") is RiskLevel.ELEVATED


@pytest.mark.parametrize(
    "text",
    [
        "my friend says she wants to die",
        "My brother is suicidal",
        "my daughter has been cutting",
        "He said he wishes he was dead",
        "My dad tried to take his own life",
        "how do I help my girlfriend who self harms?",
    ],
)
def test_third_person_is_a_concern_not_the_writers_ideation(text: str) -> None:
    analysis = analyse(normalise(text))
    assert analysis.level is RiskLevel.LOW
    assert analysis.concern_for_other


def test_me_too_after_a_third_person_report_is_own() -> None:
    assert level("my friend wants to die and so do I") is RiskLevel.ELEVATED


def test_phrase_naming_the_writer_stays_own_after_another_subject() -> None:
    assert level("everyone would be relieved at my funeral") is RiskLevel.ELEVATED


@pytest.mark.parametrize(
    "text",
    ["kms", "i want to unalive myself", "thinking about ctb", "sewerslide again", "feeling sui"],
)
def test_slang(text: str) -> None:
    assert level(text).rank >= RiskLevel.ELEVATED.rank


def test_kys_at_someone_else_is_not_own_ideation() -> None:
    assert level("kys loser") is RiskLevel.LOW
    assert level("honestly might just kys myself") is RiskLevel.ELEVATED


@pytest.mark.parametrize(
    "text", ["i want to dye", "im suicidel", "k1ll mys3lf", "i want to s*icide", "i wanna dieeee"]
)
def test_misspellings_and_obfuscation(text: str) -> None:
    assert level(text).rank >= RiskLevel.ELEVATED.rank


def test_dye_your_hair_is_not_dying() -> None:
    assert level("I want to dye my hair blue") is RiskLevel.NONE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I used to self-harm years ago", RiskLevel.LOW),
        ("When I was 16 I tried to kill myself", RiskLevel.LOW),
        ("I cut myself last night", RiskLevel.ELEVATED),
        ("I used to cut but I started again this week", RiskLevel.ELEVATED),
        ("I tried to kill myself last night", RiskLevel.IMMINENT),
    ],
)
def test_past_versus_present(text: str, expected: RiskLevel) -> None:
    assert level(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill myself tonight",
        "I just took a whole bottle of pills",
        "this is goodbye",
        "I've got a rope and I know where I'll do it",
        "I'm standing on the ledge",
        "I wrote letters to my family",
    ],
)
def test_plan_intent_means_attempt_are_imminent(text: str) -> None:
    assert level(text) is RiskLevel.IMMINENT


def test_method_research_is_elevated() -> None:
    assert level("I lost my job. Which bridges in the city are the highest?") is RiskLevel.ELEVATED


def test_ordinary_medication_and_plans_are_not_risk() -> None:
    assert level("I picked up my pills from the pharmacy") is RiskLevel.NONE
    assert level("I made a plan for the weekend") is RiskLevel.NONE
    assert level("I'm cutting down on sugar") is RiskLevel.NONE


def _combined(context: list[str], text: str) -> RiskLevel:
    current = analyse(normalise(text))
    return combine(current, [analyse(normalise(c)) for c in context]).level


def test_means_after_ideation_is_imminent() -> None:
    assert _combined(["I want to end it"], "I have the pills") is RiskLevel.IMMINENT
    assert _combined(["I had a long day"], "I have the pills") is RiskLevel.NONE


def test_short_time_reply_after_ideation_is_imminent() -> None:
    assert _combined(["i don't want to be here anymore"], "tonight") is RiskLevel.IMMINENT
    assert _combined(["this commute is killing me"], "tonight") is RiskLevel.NONE


def test_retraction_keeps_the_crisis_response() -> None:
    assert _combined(["i want to kms"], "lol jk") is RiskLevel.ELEVATED
    assert _combined(["I'd never kill myself"], "lol jk") is RiskLevel.NONE


def test_prefilter_finds_the_same_hits_as_running_every_rule() -> None:
    texts = [
        json.loads(line)["text"] for f in (DATA / "chat_eval.jsonl", TEAM) for line in f.open()
    ]
    texts += [
        "assisted-suicide debates",
        "goodbye everyone. i'm sorry",
        "non-self-harm related",
        "I want to die!!! seriously; tonight",
    ]
    for text in texts:
        norm = normalise(text)
        fast = [(h.rule, h.start, h.qualifier) for h in analyse(norm).hits]
        full = [(h.rule, h.start, h.qualifier) for h in analyse(norm, prefilter=False).hits]
        assert fast == full, text
