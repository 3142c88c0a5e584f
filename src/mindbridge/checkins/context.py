"""What the recommender may know from check-ins and the person's writing: recent ratings and
sleep, and the feelings, stress, thinking traps and themes the text models found.

Each part is read through a grant for the viewer, so a clinician opening the recommendations
page sees recommendations built only from the streams the client shares with them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.audit.service import AuditContext
from mindbridge.checkins import service as checkins_service
from mindbridge.kit.errors import NotFound
from mindbridge.language import service as language_service
from mindbridge.recommender.context import CheckIn
from mindbridge.recommender.service import CONTEXT_PROVIDERS, ContextInputs
from mindbridge.runtime import runtime

WINDOW = timedelta(days=7)
# The recommender's thinking-trap names for the text models' traps.
TRAP_NAMES = {
    "All-or-nothing thinking": "all_or_nothing",
    "Overgeneralizing": "overgeneralising",
    "Disqualifying the positive": "mental_filter",
    "Mind reading": "mind_reading",
    "Fortune telling": "fortune_telling",
    "Catastrophizing": "catastrophising",
    "Should statements": "should_statements",
    "Labeling": "labelling",
}
# Words in a theme's keywords that name one of the recommender's themes.
THEME_WORDS = {
    "sleep": {"sleep", "slept", "awake", "night", "insomnia", "bed", "tired"},
    "worry": {"worry", "worried", "worrying", "dread", "dreading", "anxious"},
    "panic": {"panic", "panicking", "heart", "breathe"},
    "social": {"friends", "party", "people", "group", "social"},
    "work_stress": {"work", "manager", "boss", "deadline", "office", "meeting", "job"},
    "procrastination": {"putting", "procrastinating", "thesis", "avoid", "later"},
    "rumination": {"replaying", "keep", "over", "again"},
    "self_criticism": {"stupid", "failure", "useless", "hate"},
    "loneliness": {"lonely", "alone", "nobody", "isolated"},
}


def _grant(db: Session, ctx: AuditContext, client_id: int, stream: Stream) -> ClientGrant | None:
    try:
        return access_service.authorize(db, ctx, client_id=client_id, resource=stream)
    except NotFound:
        return None


def checkin_context(db: Session, ctx: AuditContext, client_id: int, now: datetime) -> ContextInputs:
    """Recent check-ins plus what the text models found, one grant per stream."""
    vault = runtime().vault
    grants = {
        s: _grant(db, ctx, client_id, s)
        for s in (Stream.CHECKINS, Stream.JOURNAL, Stream.COMPANION)
    }
    checkins: tuple[CheckIn, ...] = ()
    if (own := grants[Stream.CHECKINS]) is not None:
        rows = checkins_service.list_checkins(db, own, vault, since=now - WINDOW, with_notes=False)
        checkins = tuple(
            CheckIn(at=c.recorded_at, mood=c.mood, anxiety=c.anxiety, sleep_hours=c.sleep_hours)
            for c in rows
        )
    text = _text_inputs(db, [g for g in grants.values() if g is not None], now)
    return ContextInputs(
        checkins=checkins,
        emotions=text.emotions,
        stress_probability=text.stress_probability,
        thinking_traps=text.thinking_traps,
        themes=text.themes,
    )


def _text_inputs(db: Session, grants: list[ClientGrant], now: datetime) -> ContextInputs:
    vault = runtime().vault
    emotion_sums: dict[str, float] = defaultdict(float)
    traps: dict[str, float] = {}
    stress: list[float] = []
    themes: set[str] = set()
    texts = 0
    for grant in grants:
        for stored in language_service.analyses(db, grant, vault, since=now - WINDOW):
            a = stored.analysis
            texts += 1
            for name in ("sadness", "nervousness", "anger", "joy"):
                emotion_sums[name] += a.emotions.get(name, 0.0)
            stress.append(a.stress.probability)
            for d in a.distortions:
                key = TRAP_NAMES.get(d.trap)
                if key and d.cues:  # cue-backed only: the trap model over-flags everyday text
                    traps[key] = max(traps.get(key, 0.0), d.probability)
        for t in language_service.themes(db, grant, vault):
            for theme in t.report.themes:
                if theme.trend == "falling":
                    continue
                words = set(" ".join(theme.keywords[:6]).split())
                themes |= {name for name, cues in THEME_WORDS.items() if words & cues}
    return ContextInputs(
        emotions={k: v / texts for k, v in emotion_sums.items()} if texts else {},
        stress_probability=sum(stress) / len(stress) if stress else None,
        thinking_traps=traps,
        themes=frozenset(themes),
    )


CONTEXT_PROVIDERS.append(checkin_context)
