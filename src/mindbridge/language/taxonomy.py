"""Label sets and the fixed rules around them (groupings, spelling merges, the test-split rule).

Pure data and functions: no model, no I/O, so the rules can be tested and reused by storage code.
"""

from __future__ import annotations

import hashlib
import re

# GoEmotions, in label-id order (id = index, as in the dataset's labels.txt).
EMOTIONS: tuple[str, ...] = (
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
)

# The dataset's Ekman variant, in its label-id order.
EKMAN: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")

# Which Ekman group each fine label belongs to. Checked against the data: every single-label
# row of goemotions/train.tsv maps to exactly this group in goemotions/ekman/train.tsv.
EKMAN_OF: dict[str, str] = {
    "admiration": "joy",
    "amusement": "joy",
    "anger": "anger",
    "annoyance": "anger",
    "approval": "joy",
    "caring": "joy",
    "confusion": "surprise",
    "curiosity": "surprise",
    "desire": "joy",
    "disappointment": "sadness",
    "disapproval": "anger",
    "disgust": "disgust",
    "embarrassment": "sadness",
    "excitement": "joy",
    "fear": "fear",
    "gratitude": "joy",
    "grief": "sadness",
    "joy": "joy",
    "love": "joy",
    "nervousness": "fear",
    "optimism": "joy",
    "pride": "joy",
    "realization": "surprise",
    "relief": "joy",
    "remorse": "sadness",
    "sadness": "sadness",
    "surprise": "surprise",
    "neutral": "neutral",
}

# Valence of each fine label, used for the sentiment summary (the GoEmotions authors' own
# positive / negative / ambiguous split). Neutral and ambiguous labels count for neither side.
POSITIVE: frozenset[str] = frozenset(
    {
        "admiration",
        "amusement",
        "approval",
        "caring",
        "desire",
        "excitement",
        "gratitude",
        "joy",
        "love",
        "optimism",
        "pride",
        "relief",
    }
)
NEGATIVE: frozenset[str] = frozenset(
    {
        "anger",
        "annoyance",
        "disappointment",
        "disapproval",
        "disgust",
        "embarrassment",
        "fear",
        "grief",
        "nervousness",
        "remorse",
        "sadness",
    }
)

# Thinking traps (Sharma et al. 2023), canonical spelling. "Not distorted" is not a trap.
TRAPS: tuple[str, ...] = (
    "All-or-nothing thinking",
    "Blaming",
    "Catastrophizing",
    "Comparing and despairing",
    "Disqualifying the positive",
    "Emotional reasoning",
    "Fortune telling",
    "Labeling",
    "Mind reading",
    "Negative feeling or emotion",
    "Overgeneralizing",
    "Personalizing",
    "Should statements",
)
NOT_DISTORTED = "Not distorted"

_TRAP_SPELLINGS: dict[str, str] = {
    **{t.lower(): t for t in TRAPS},
    "overgeneralization": "Overgeneralizing",
    "overgeneralisation": "Overgeneralizing",
    "overgeneralising": "Overgeneralizing",
    "personalization": "Personalizing",
    "personalisation": "Personalizing",
    "personalising": "Personalizing",
    "comparing": "Comparing and despairing",
    "labelling": "Labeling",
    "catastrophising": "Catastrophizing",
    "all or nothing thinking": "All-or-nothing thinking",
    "black-and-white thinking": "All-or-nothing thinking",
    "should statement": "Should statements",
    "not distorted": NOT_DISTORTED,
}


def canonical_trap(name: str) -> str | None:
    """The canonical trap name for a label spelling, `NOT_DISTORTED`, or None if unknown."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    return _TRAP_SPELLINGS.get(key)


def is_test_prompt(prompt: str) -> bool:
    """The data README's split: TEST when sha256(prompt, UTF-8) starts with d, e or f."""
    return hashlib.sha256(prompt.encode("utf-8")).hexdigest()[0] in "def"


def thought_of(prompt: str) -> str:
    """The thought itself: the dataset's prompts end with the completion marker " ->"."""
    text = prompt.rstrip()
    if text.endswith("->"):
        text = text[:-2]
    return text.strip()
