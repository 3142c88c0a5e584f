"""Matching a person's intake to clinicians: hard requirements first, then a score with reasons.

Pure: the service gathers each clinician's matching profile and current caseload, and these rules
rank them. A clinician who cannot take the person (not accepting, full, no shared language, not
offering the asked-for way of meeting, or not of the therapist gender the person asked for) is
listed after every eligible one, with the reason why, so the person coordinating the intake can
see the whole picture. Among eligible clinicians the score (0 to 100) adds up:

- concerns the clinician works with: up to 40 points, by the share of the person's concerns;
- times that suit both: up to 25 points, by the share of the person's times;
- time zone: 15 points within an hour of each other, 10 within 3 hours, 5 within 6;
- room on the caseload: up to 10 points, by the share of places free;
- severity: 10 points when the intake scores are in the severe range (PHQ-9 20 or more, GAD-7 15
  or more) or a safety answer was given, and the clinician works with risk and complex needs.

Ties go to the clinician with more free places, then by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

CONCERN_AREAS: dict[str, str] = {
    "low_mood": "low mood or depression",
    "anxiety": "anxiety or worry",
    "panic": "panic",
    "social_anxiety": "social anxiety",
    "trauma": "trauma",
    "ocd": "obsessions and compulsions",
    "sleep": "sleep",
    "grief": "grief and loss",
    "relationships": "relationships",
    "work_stress": "work or study stress",
    "self_esteem": "self-esteem",
    "risk": "risk and complex needs",
}
# What a person may ask for; `risk` is a clinician specialty, not something a person ticks.
PERSON_CONCERNS = tuple(k for k in CONCERN_AREAS if k != "risk")
MODALITIES: dict[str, str] = {"video": "video", "phone": "phone", "in_person": "in person"}
GENDERS: dict[str, str] = {"woman": "a woman", "man": "a man", "nonbinary": "non-binary"}
TIMES: dict[str, str] = {
    "weekday_morning": "weekday mornings",
    "weekday_afternoon": "weekday afternoons",
    "weekday_evening": "weekday evenings",
    "weekend": "weekends",
}
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "pl": "Polish",
    "ar": "Arabic",
    "tr": "Turkish",
    "ur": "Urdu",
    "hi": "Hindi",
    "zh": "Chinese",
    "da": "Danish",
    "sv": "Swedish",
    "nl": "Dutch",
}
ANY = "any"
SEVERE_PHQ9, SEVERE_GAD7 = 20, 15
SEVERE_WHY = "intake scores in the severe range, or a safety answer"


@dataclass(frozen=True)
class Needs:
    """What the person told us, as matching needs it."""

    concerns: frozenset[str]
    language: str
    gender: str  # "any" or a key of GENDERS
    modality: str  # "any" or a key of MODALITIES
    times: frozenset[str]
    timezone: str
    phq9: int | None = None
    gad7: int | None = None
    safety_flag: bool = False

    @property
    def severe(self) -> bool:
        return (
            self.safety_flag
            or (self.phq9 is not None and self.phq9 >= SEVERE_PHQ9)
            or (self.gad7 is not None and self.gad7 >= SEVERE_GAD7)
        )


@dataclass(frozen=True)
class Offer:
    """One clinician's matching profile and current load."""

    clinician_id: int
    name: str
    specialties: frozenset[str]
    languages: frozenset[str]
    modalities: frozenset[str]
    gender: str  # a key of GENDERS, or "" if not stated
    times: frozenset[str]
    timezone: str
    capacity: int
    caseload: int
    accepting: bool = True

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.caseload)


@dataclass(frozen=True)
class Match:
    clinician_id: int
    name: str
    eligible: bool
    score: int
    reasons: tuple[str, ...]  # why this clinician fits, in words
    blockers: tuple[str, ...]  # why they cannot take the person (empty when eligible)
    free: int


def _names(keys: Iterable[str], labels: dict[str, str]) -> str:
    words = [labels.get(k, k) for k in sorted(keys)]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def words(keys: Iterable[str], labels: dict[str, str]) -> str:
    """`anxiety or worry, sleep and trauma`: list labels in a sentence."""
    return _names(keys, labels)


def preferences_text(
    *, language: str, gender: str, modality: str, times: Iterable[str], timezone: str
) -> str:
    """The person's preferences as one line a clinician or coordinator can read."""
    parts = [f"works in {LANGUAGES.get(language, language)}" if language else "any language"]
    parts.append(
        "any therapist" if gender == ANY else f"a therapist who is {GENDERS.get(gender, gender)}"
    )
    parts.append(
        "any way of meeting"
        if modality == ANY
        else f"{MODALITIES.get(modality, modality)} sessions"
    )
    when = _names(times, TIMES)
    parts.append(f"{when or 'any time'} ({timezone or 'time zone not given'})")
    line = "; ".join(parts)
    return line[:1].upper() + line[1:]


def utc_offset_hours(zone: str, at: datetime) -> float:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def blockers(needs: Needs, offer: Offer) -> tuple[str, ...]:
    found: list[str] = []
    if not offer.accepting:
        found.append("not taking new clients")
    if offer.free <= 0:
        found.append(f"caseload full ({offer.caseload} of {offer.capacity})")
    if needs.language and needs.language not in offer.languages:
        found.append(f"does not work in {LANGUAGES.get(needs.language, needs.language)}")
    if needs.modality != ANY and needs.modality not in offer.modalities:
        found.append(f"does not offer {MODALITIES.get(needs.modality, needs.modality)} sessions")
    if needs.gender != ANY and offer.gender != needs.gender:
        found.append(
            f"the person asked for a therapist who is {GENDERS.get(needs.gender, needs.gender)}"
        )
    return tuple(found)


def score(needs: Needs, offer: Offer, *, at: datetime) -> tuple[int, tuple[str, ...]]:
    """Points out of 100 and the reasons behind them (only the ones that earned points)."""
    points = 0.0
    reasons: list[str] = []
    if needs.language:
        reasons.append(f"Works in {LANGUAGES.get(needs.language, needs.language)}")
    if needs.modality != ANY:
        reasons.append(f"Offers {MODALITIES.get(needs.modality, needs.modality)} sessions")
    if needs.gender != ANY:
        reasons.append(f"Is {GENDERS.get(needs.gender, needs.gender)}, as asked")
    if needs.concerns:
        shared = needs.concerns & offer.specialties
        points += 40 * len(shared) / len(needs.concerns)
        if shared:
            reasons.append(
                f"Works with {_names(shared, CONCERN_AREAS)} "
                f"({len(shared)} of {_count(len(needs.concerns), 'concern')})"
            )
    else:
        points += 20
    if needs.times:
        overlap = needs.times & offer.times
        points += 25 * len(overlap) / len(needs.times)
        if overlap:
            asked = _count(len(needs.times), "time")
            reasons.append(f"Available {_names(overlap, TIMES)} ({len(overlap)} of {asked})")
    else:
        points += 12.5
    gap = abs(utc_offset_hours(needs.timezone, at) - utc_offset_hours(offer.timezone, at))
    if gap <= 1:
        points += 15
        reasons.append("Same time zone" if gap == 0 else "Time zone within an hour")
    elif gap <= 3:
        points += 10
        reasons.append(f"Time zone {gap:g} hours apart")
    elif gap <= 6:
        points += 5
        reasons.append(f"Time zone {gap:g} hours apart")
    if offer.capacity > 0 and offer.free > 0:
        points += 10 * offer.free / offer.capacity
        reasons.append(f"Has room: {offer.free} of {offer.capacity} places free")
    if needs.severe and "risk" in offer.specialties:
        points += 10
        reasons.append(f"Works with risk and complex needs ({SEVERE_WHY})")
    return min(100, round(points)), tuple(reasons)


def match(needs: Needs, offer: Offer, *, at: datetime) -> Match:
    blocked = blockers(needs, offer)
    points, reasons = score(needs, offer, at=at)
    return Match(
        offer.clinician_id,
        offer.name,
        not blocked,
        points if not blocked else 0,
        reasons if not blocked else (),
        blocked,
        offer.free,
    )


def rank(needs: Needs, offers: Sequence[Offer], *, at: datetime) -> list[Match]:
    """Eligible clinicians best first, then the ones who cannot take the person."""
    matches = [match(needs, o, at=at) for o in offers]
    return sorted(
        matches,
        key=lambda m: (not m.eligible, -m.score, -m.free, m.name.casefold(), m.clinician_id),
    )
