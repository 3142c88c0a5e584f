"""The one screening entry point: every piece of free text passes `screen` before anything
else reads it (chat messages, journal entries, check-in notes, safety-plan edits).

`screen` combines the curated patterns (`patterns`), the recent turns of the conversation and
the statistical model (`model`). Patterns decide what the words mean (negation, idioms, third
person, past); the model adds recall for wordings the patterns do not know and a continuous
score; the recent turns turn "I have the pills" after "I want to end it" into `imminent`.
Long texts (journal entries, posts) are also read by a sentence encoder (`encoder_stage`),
loaded on the first long text; chat messages never load it.

Importing this module is cheap: rules compile and the model loads on the first call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mindbridge.safety import encoder_stage
from mindbridge.safety.levels import RiskLevel, highest
from mindbridge.safety.model import RiskModel, Thresholds
from mindbridge.safety.model import shipped as shipped_model
from mindbridge.safety.normalise import normalise
from mindbridge.safety.patterns import Analysis, analyse, combine

CONTEXT_TURNS = 5  # how many previous messages are read
MAX_CHARS = 20_000  # longer input is screened in full by the patterns, the model reads the start


@dataclass(frozen=True)
class Evidence:
    """One reason behind a screening, in a form a clinician can read."""

    source: str  # "pattern", "context", "model" or "phq9"
    rule: str
    phrase: str
    qualifier: str = "own"  # own, negated, third_person, past, figurative, informational
    level: RiskLevel = RiskLevel.NONE
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "source": self.source,
            "rule": self.rule,
            "phrase": self.phrase,
            "qualifier": self.qualifier,
            "level": self.level.value,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Screening:
    """The outcome for one text. `score` is in [0, 1] and never decreases with the level:
    each level owns a quarter of the range (none [0, .25), low [.25, .5), elevated
    [.5, .75), imminent [.75, 1]) and the model probability places the text inside it."""

    level: RiskLevel
    score: float
    evidence: tuple[Evidence, ...] = ()
    model_probability: float | None = None
    concern_for_other: bool = False
    model_version: str = ""

    @property
    def needs_crisis_response(self) -> bool:
        """Elevated or imminent: show the crisis template and consider an alert."""
        return self.level.needs_crisis_response

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "score": round(self.score, 4),
            "needs_crisis_response": self.needs_crisis_response,
            "concern_for_other": self.concern_for_other,
            "model_probability": (
                None if self.model_probability is None else round(self.model_probability, 4)
            ),
            "model_version": self.model_version,
            "evidence": [e.to_dict() for e in self.evidence],
        }


def band_score(level: RiskLevel, position: float) -> float:
    """Place `position` (0..1) inside the level's quarter of [0, 1]."""
    lo, hi = level.band
    position = min(max(position, 0.0), 1.0)
    return min(lo + (hi - lo) * position, hi if level is RiskLevel.IMMINENT else hi - 1e-6)


def decide(
    analysis: Analysis,
    context_level: RiskLevel,
    probability: float,
    thresholds: Thresholds,
) -> RiskLevel:
    """Patterns (with context) and the model, combined; the model alone never says imminent,
    and it may not overrule patterns that explained the risk words away."""
    model_level = thresholds.level(probability)
    if analysis.explained_away and model_level.rank > RiskLevel.LOW.rank:
        model_level = RiskLevel.LOW
    return highest([analysis.level, context_level, model_level])


def screen(
    text: str,
    *,
    context: Sequence[str] = (),
    model: RiskModel | None = None,
    encoder: bool = True,
) -> Screening:
    """Screen one text; `context` is the same person's previous messages, most recent last.

    Long texts (more than 40 word tokens) are also read by the encoder stage
    (`encoder_stage.runs_for`), unless `encoder` is False or the deployment switched it off;
    if the encoder cannot load, they get the lexical model alone, as chat messages do."""
    model = model or shipped_model()
    current = analyse(normalise(text))
    earlier = [analyse(normalise(c)) for c in list(context)[-CONTEXT_TURNS:] if c.strip()]
    effect = combine(current, earlier)
    probability, terms = model.explain(current.text[:MAX_CHARS])
    thresholds = model.thresholds(current.tokens)
    version = model.version
    detail = f"p={probability:.3f}"
    fallback: Evidence | None = None
    if encoder and encoder_stage.runs_for(current.tokens):
        result = encoder_stage.score(text, probability)
        if result is None:
            fallback = Evidence(
                "model",
                encoder_stage.STAGE_NAME,
                "",
                "own",
                RiskLevel.NONE,
                "encoder unavailable: lexical model only",
            )
        else:
            stacked, stage = result
            probability, thresholds = stacked.probability, stage.thresholds
            version = f"{model.version}+{stage.version}"
            detail = (
                f"p={probability:.3f} "
                f"(lexical {stacked.lexical:.3f}, encoder {stacked.encoder:.3f})"
            )
    level = decide(current, effect.level, probability, thresholds)

    evidence = [
        Evidence("pattern", h.rule, h.phrase, h.qualifier.value, h.level, h.cue.value)
        for h in current.hits
        if h.level is not RiskLevel.NONE or h.cue.value in _SHOWN_WHEN_NONE
    ]
    if effect.reason:
        evidence.append(Evidence("context", "recent_turns", "", "own", effect.level, effect.reason))
    evidence.append(
        Evidence("model", version, ", ".join(terms), "own", thresholds.level(probability), detail)
    )
    if fallback is not None:
        evidence.append(fallback)
    return Screening(
        level=level,
        score=band_score(level, probability),
        evidence=tuple(evidence),
        model_probability=probability,
        concern_for_other=current.concern_for_other,
        model_version=version,
    )


# Hits that set no level but explain one: negations, idioms, escalators.
_SHOWN_WHEN_NONE = frozenset(
    {
        "figurative",
        "informational",
        "ideation",
        "self_harm",
        "intent",
        "attempt",
        "means",
        "plan",
        "decision",
        "timeline",
        "veiled_intent",
        "jump",
    }
)

PHQ9_ITEM9_LOINC = "44260-8"


def screen_phq9_item9(answer: int) -> Screening:
    """PHQ-9 item 9 (thoughts of being better off dead or of self-harm), answered 0-3.

    Any answer above 0 opens the safety flow: at least `elevated`. A 0 is `none` but is not
    evidence of safety, so the evidence says so.
    """
    if isinstance(answer, bool) or answer not in (0, 1, 2, 3):
        raise ValueError(f"PHQ-9 item 9 answer must be 0, 1, 2 or 3, got {answer!r}")
    level = RiskLevel.ELEVATED if answer > 0 else RiskLevel.NONE
    detail = (
        "any answer above 0 opens the safety flow"
        if answer
        else "a 0 does not mean the person is safe; keep screening free text"
    )
    return Screening(
        level=level,
        score=band_score(level, answer / 3),
        evidence=(
            Evidence("phq9", f"loinc:{PHQ9_ITEM9_LOINC}", str(answer), "own", level, detail),
        ),
    )


def most_urgent(screenings: Sequence[Screening]) -> Screening:
    """The screening to act on when several arrive together (a form, a plan, a message)."""
    if not screenings:
        raise ValueError("no screenings")
    return max(screenings, key=lambda s: (s.level.rank, s.score))
