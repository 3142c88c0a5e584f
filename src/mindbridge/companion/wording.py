"""Everything the companion says outside flow files, in one place for review.

Written by the team in plain words. Crisis wording is NOT here: it comes from the safety
capability's fixed templates through the injected responder; `FALLBACK_CRISIS` is only used
when that responder is missing or fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# Used only when the injected crisis responder is absent or fails: short, safe-messaging
# compliant, resources from clinical-reference section 3.
FALLBACK_CRISIS = (
    "I'm really glad you told me, and I'm worried about your safety. You deserve support "
    "right now. If you might act on these thoughts, please call your local emergency number "
    "(911 in the US, 999 in the UK, 112 in the EU) or go to the nearest emergency department. "
    "You can also call or text 988 in the US, or call Samaritans on 116 123 in the UK and "
    "Ireland, any time."
)
# Used when the hand-off resources callable is absent or fails (out of hours).
FALLBACK_RESOURCES = (
    "If you need to talk to someone now, you can call or text 988 in the US or call "
    "Samaritans on 116 123 in the UK and Ireland, any time. If you are in danger, call your "
    "local emergency number."
)
SCREENING_UNAVAILABLE = (
    "Sorry, something went wrong on my side and I couldn't read that properly. "
    "Could you send it again?"
)

MOOD_BEFORE = "Before we start: how is your mood right now, from 0 (very low) to 10 (very good)?"
MOOD_AFTER = "How is your mood now, from 0 (very low) to 10 (very good)?"
HELPFUL = "And how helpful was this for you, from 1 (not at all) to 5 (very helpful)?"
STOP_HINT = "You can also say 'stop' to leave this for now."
SKIP_HINT = "You can say 'skip' if you'd rather not answer."
FLOW_UPDATED = (
    "This exercise has been updated since we started it, so let's leave it here and start "
    "it fresh another time."
)
FLOW_BROKEN = "Sorry, I got muddled in this exercise. Let's stop it here; we can try again later."

# Plain names for thinking traps (Burns/Beck taxonomy, clinical-reference section 4).
TRAPS: dict[str, str] = {
    "all_or_nothing": "all-or-nothing thinking (total success or total failure)",
    "overgeneralising": "overgeneralising (one bad moment becomes 'always' or 'never')",
    "mental_filter": "a mental filter (only the bad parts get through)",
    "disqualifying_the_positive": "discounting the positive (good things 'don't count')",
    "mind_reading": "mind reading (feeling sure what others think)",
    "fortune_telling": "fortune telling (predicting it will go badly)",
    "catastrophising": "catastrophising (jumping to the worst case)",
    "emotional_reasoning": "emotional reasoning (I feel it, so it must be true)",
    "should_statements": "'should' rules (harsh musts and shoulds)",
    "labelling": "labelling (one harsh word for your whole self)",
    "personalising": "personalising (blaming yourself for things outside your control)",
    "blaming": "blaming (it's all someone else's fault)",
    "comparing": "comparing (measuring yourself against others)",
}
_TRAP_ALIASES = {
    "all_or_nothing_thinking": "all_or_nothing",
    "black_and_white_thinking": "all_or_nothing",
    "overgeneralization": "overgeneralising",
    "overgeneralizing": "overgeneralising",
    "overgeneralisation": "overgeneralising",
    "filtering": "mental_filter",
    "disqualifying_the_positives": "disqualifying_the_positive",
    "discounting_the_positive": "disqualifying_the_positive",
    "mindreading": "mind_reading",
    "jumping_to_conclusions": "fortune_telling",
    "catastrophizing": "catastrophising",
    "magnification": "catastrophising",
    "should_statement": "should_statements",
    "shoulds": "should_statements",
    "labeling": "labelling",
    "labeling_and_mislabeling": "labelling",
    "personalization": "personalising",
    "personalizing": "personalising",
    "personalisation": "personalising",
    "blame": "blaming",
    "comparing_and_despairing": "comparing",
    "comparison": "comparing",
}
TRAP_THRESHOLD = 0.5
MAX_TRAPS = 2


def trap_ids(found: Sequence[str] | Mapping[str, float] | None) -> list[str]:
    """Known trap ids from a detector's output (names in any spelling, or name -> probability)."""
    if not found:
        return []
    if isinstance(found, Mapping):
        ranked = [k for k, v in sorted(found.items(), key=lambda kv: -kv[1]) if v >= TRAP_THRESHOLD]
    else:
        ranked = list(found)
    ids: list[str] = []
    for raw in ranked:
        key = re.sub(r"[^a-z]+", "_", str(raw).lower()).strip("_")
        key = _TRAP_ALIASES.get(key, key)
        if key in TRAPS and key not in ids:
            ids.append(key)
    return ids[:MAX_TRAPS]


def traps_text(value: Any) -> str:
    names = [TRAPS.get(v, str(v)) for v in value] if isinstance(value, list) else [str(value)]
    return " or ".join(names)


def ladder_text(value: Any) -> str:
    """An exposure ladder as lines, easiest first: "- 35: ordering a coffee"."""
    rows = [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []
    rows.sort(key=lambda r: float(r.get("suds") or 0))
    return "\n".join(f"- {r.get('suds')}: {r.get('rung') or r.get('situation')}" for r in rows)


# Emotion labels an analyser may return (GoEmotions and Ekman names) -> how we reflect them.
# Only difficult emotions are reflected: naming joy back at someone reads as odd.
EMOTION_WORDS: dict[str, str] = {
    "sadness": "really low",
    "grief": "a lot of grief",
    "disappointment": "let down",
    "remorse": "a lot of regret",
    "fear": "scared",
    "nervousness": "anxious",
    "anger": "angry",
    "annoyance": "frustrated",
    "disgust": "fed up",
    "embarrassment": "embarrassed",
    "confusion": "confused",
    "disapproval": "unhappy about it",
}
EMOTION_THRESHOLD = 0.4


def reflection(emotions: Mapping[str, float] | None) -> str | None:
    """One sentence naming the strongest difficult emotion, or None when there is none."""
    if not emotions:
        return None
    ranked = sorted(
        (
            (label.lower(), score)
            for label, score in emotions.items()
            if label.lower() in EMOTION_WORDS
        ),
        key=lambda pair: -pair[1],
    )
    if not ranked or ranked[0][1] < EMOTION_THRESHOLD:
        return None
    word = EMOTION_WORDS[ranked[0][0]]
    if word.startswith("a lot"):
        return f"It sounds like you're carrying {word} right now."
    return f"It sounds like you're feeling {word} right now."


# How a topic is acknowledged before an offer (no emotion analyser needed).
TOPIC_OPENERS: dict[str, str] = {
    "sleep": "Sleepless nights are exhausting, and it makes sense you're fed up.",
    "panic": "That sounds really frightening. You're not alone with it right now.",
    "anxiety": "Anxiety can take up so much room. Let's see if we can make a bit of space.",
    "worry": "When your mind keeps going round and round, it's hard to switch off.",
    "procrastination": "Putting things off is very human, and it often means the task feels big.",
    "low_mood": "I'm sorry things feel so heavy at the moment.",
    "negative_thoughts": (
        "Harsh thoughts can feel very convincing. It can help to look at them together."
    ),
    "self_criticism": "It sounds like you're being really hard on yourself.",
    "problem": "That sounds like a lot to untangle.",
    "avoidance": (
        "Avoiding what scares us makes sense in the moment, and it can shrink life over time."
    ),
    "stress": "That sounds like a lot to carry.",
    "learn": "Happy to explain.",
}

HELP = (
    "I'm a support companion from your care service, a computer program, not a person. I can "
    "guide you through short exercises: calming your breathing, grounding yourself, working "
    "through a worrying thought, planning something small, sleep, worry and self-kindness. I "
    "remember your homework and how exercises went. Say 'talk to a person' to reach your "
    "care team, or 'stop' to leave an exercise at any time."
)
BOT_ANSWER = (
    "I'm a computer program, not a person. I can't replace your clinician, but I can help with "
    "exercises between sessions. If you'd like a person, just say 'talk to a person'."
)
NOT_UNDERSTOOD = "I'm not sure I understood that, sorry. Here are some things I can help with:"
OFF_TOPIC = (
    "That's outside what I can help with, I'm afraid. I'm here for things like sleep, worry, "
    "stress and low mood. Here are some things we could do:"
)
THANKS = "You're welcome. I'm here whenever you need me."
GOODBYE = "Take care{name_comma}. I'm here whenever you want to come back."
SMALLTALK = (
    "I'm a program, so I don't have good or bad days, but thank you for asking. How are you "
    "feeling?"
)
DECLINED = "That's fine. Is there something else on your mind, or would you like to just talk?"
NOTHING_TO_STOP = "Okay. We're not in the middle of anything. I'm here if you need me."
NOTHING_TO_OFFER = (
    "I don't have an exercise to suggest right now. If you'd like to talk it through with "
    "someone, just say 'talk to a person'."
)
NAME_SAVED = "Nice to meet you, {name}. I'll remember that."
