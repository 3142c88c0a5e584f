"""Demo history for check-ins and journals, generated with real patterns for insights to find.

Every demo client checks in on most days for 90 days. Hidden in the numbers, per client and
with noise: mood is lower on days after short sleep, lower the day after drinking, higher on
days with exercise, and anxiety rises at one weekday-and-time-of-day (for the demo client,
Charlie, Tuesday evenings). Charlie and a few others keep a journal whose entries circle a few
recurring themes. Notes and entries are our own sentences, screened like any other text, stored
encrypted and queued for analysis (the job runner analyses them after start-up).

Rows are built directly rather than through the service: the seed has no request and no grant,
and per-row audit entries would only bury the real ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mindbridge.accounts.models import User
from mindbridge.checkins.models import Checkin
from mindbridge.checkins.service import NOTE_FIELD
from mindbridge.crypto.service import Vault
from mindbridge.demo.seed import DAYS, DemoContext, seeder
from mindbridge.journal.models import JournalEntry
from mindbridge.journal.service import BODY_FIELD, TITLE_FIELD
from mindbridge.language import service as language_service
from mindbridge.safety.screening import screen

JOURNAL_CLIENTS = (0, 1, 5, 9, 13)  # indices of demo clients who keep a journal


@dataclass(frozen=True)
class Pattern:
    """One client's hidden effects, in points on the 0-10 scales."""

    start_mood: float
    end_mood: float
    short_sleep: float  # mood change the day after < 6 h of sleep
    after_alcohol: float  # mood change the day after an 'alcohol' day
    exercise: float  # mood change on an 'exercise' day
    peak_weekday: int
    peak_part: tuple[int, int]  # local hours [from, to)
    peak_anxiety: float
    adherence: float  # share of days with a check-in
    short_sleep_rate: float


def pattern_for(index: int, rng: random.Random) -> Pattern:
    if index == 0:  # Charlie: improving, with clear patterns (the tests look for these)
        return Pattern(3.5, 7.0, -2.2, -2.6, 1.9, 1, (18, 24), 3.2, 0.93, 0.25)
    trend = rng.choice([(4.0, 6.5), (5.0, 5.2), (6.0, 6.5), (5.5, 3.5), (4.5, 5.5)])
    return Pattern(
        start_mood=trend[0],
        end_mood=trend[1],
        short_sleep=-rng.uniform(0.8, 2.2),
        after_alcohol=-rng.uniform(0.0, 1.6),
        exercise=rng.uniform(0.2, 1.4),
        peak_weekday=rng.randrange(7),
        peak_part=rng.choice([(6, 12), (12, 18), (18, 24)]),
        peak_anxiety=rng.uniform(0.5, 2.8),
        adherence=rng.uniform(0.45, 0.95),
        short_sleep_rate=rng.uniform(0.1, 0.35),
    )


NOTES = {
    "short_sleep": [
        "Barely slept, everything feels heavier today.",
        "Woke at four and couldn't drop off again.",
        "Tired and foggy after a restless night.",
    ],
    "alcohol": [
        "A few drinks with colleagues last night, feeling flat this morning.",
        "Probably had one glass too many yesterday.",
    ],
    "exercise": [
        "Went for a run before work and it helped.",
        "Long walk by the river at lunch, head feels clearer.",
        "Swam twenty lengths, pleased I went.",
    ],
    "anxious": [
        "Dreading the team meeting tomorrow.",
        "Mind racing about everything on my list.",
        "Tense all evening, couldn't settle.",
    ],
    "good": [
        "Nice evening with friends, laughed a lot.",
        "Got through my list today, feeling proud.",
        "Quiet day, calm and content.",
    ],
}

JOURNAL_THEMES = {
    "work": [
        "My manager moved the deadline forward again and I stayed late to finish the report.",
        "The project review went badly and I keep replaying what I said in the meeting.",
        "Too many emails and not enough time; I feel behind at work before the day starts.",
        "A colleague took credit for my work in the meeting and I said nothing.",
        "Work was calmer today, I finished the presentation and my manager thanked me.",
    ],
    "sleep": [
        "Another night lying awake, checking the clock, thinking about tomorrow.",
        "I slept badly again and spent the day exhausted and short-tempered.",
        "Kept to the same wake-up time all week and sleep is slowly getting better.",
        "Scrolling my phone in bed until two, then wide awake and annoyed with myself.",
    ],
    "family": [
        "Phone call with my mother turned into an argument about the holidays.",
        "My brother and I finally talked about dad's illness; it was hard but good.",
        "Family dinner was tense, I felt judged about my job again.",
        "Visited my sister and the kids, it was noisy and lovely.",
    ],
    "friends": [
        "Met an old friend for coffee and felt more like myself.",
        "I cancelled plans with friends again because I was too tired, and felt lonely after.",
        "Joined the climbing group for the first time, people were friendly.",
        "Nobody replied in the group chat and I assumed they were annoyed with me.",
    ],
}


def _local(day: datetime, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return local.astimezone(UTC)


def seed_client(demo: DemoContext, index: int, client: User) -> int:
    """Check-ins (and for some, a journal) for one client; returns how many rows were made."""
    # Seeded per client, not from the shared demo generator: the history must not change when
    # another capability's seeder draws more or fewer numbers before this one runs.
    rng = random.Random(f"checkins-{index}")
    p = pattern_for(index, rng)
    try:
        tz = ZoneInfo(client.timezone)
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    owner = Vault.owner_for_client(client.id)
    today = demo.now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    made = 0
    drank_yesterday = False
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        progress = (DAYS - back) / DAYS
        drank_today = rng.random() < (0.2 if index == 0 else 0.15)
        exercised = rng.random() < 0.35
        short = rng.random() < p.short_sleep_rate
        sleep = round((rng.uniform(4.0, 5.5) if short else rng.gauss(7.4, 0.7)) * 2) / 2
        sleep = max(3.0, min(10.0, sleep))
        if rng.random() > p.adherence:
            drank_yesterday = drank_today
            continue
        base = p.start_mood + (p.end_mood - p.start_mood) * progress
        mood = base + (p.short_sleep if sleep < 6 else 0.0) + (p.exercise if exercised else 0.0)
        mood += p.after_alcohol if drank_yesterday else 0.0
        tags = []
        if exercised:
            tags.append("exercise")
        if drank_today:
            tags.append("alcohol")
        if day.weekday() < 5:
            tags.append("work")
        if rng.random() < 0.25:
            tags.append(rng.choice(["family", "friends", "screen time late", "outdoors"]))
        hours = [rng.choice([8, 9, 13, 20, 21])]
        if rng.random() < 0.3:  # a second check-in some days
            hours.append(rng.choice([19, 21, 22]) if hours[0] < 12 else rng.choice([8, 9]))
        if index == 0 and day.weekday() == p.peak_weekday:
            hours = sorted({*hours, 20})  # Charlie checks in on Tuesday evenings
        for n, hour in enumerate(sorted(hours)):
            in_peak = day.weekday() == p.peak_weekday and p.peak_part[0] <= hour < p.peak_part[1]
            anxiety = 8.2 - 0.7 * mood + (p.peak_anxiety if in_peak else 0.0) + rng.gauss(0, 0.9)
            mood_now = mood + rng.gauss(0, 0.8)
            note = ""
            if rng.random() < 0.15:
                if sleep < 6 and n == 0:
                    note = rng.choice(NOTES["short_sleep"])
                elif drank_yesterday and n == 0:
                    note = rng.choice(NOTES["alcohol"])
                elif exercised:
                    note = rng.choice(NOTES["exercise"])
                elif anxiety >= 6:
                    note = rng.choice(NOTES["anxious"])
                else:
                    note = rng.choice(NOTES["good"])
            when = _local(day, hour, rng.randrange(60), tz)
            row = Checkin(
                client_id=client.id,
                recorded_at=when,
                timezone=client.timezone,
                local_date=day.date(),
                local_weekday=day.weekday(),
                local_hour=hour,
                mood=round(max(0, min(10, mood_now))),
                anxiety=round(max(0, min(10, anxiety))),
                energy=round(max(0, min(10, mood_now + rng.gauss(0, 1.2)))),
                sleep_hours=sleep if n == 0 else None,
                sleep_quality=(1 if sleep < 6 else rng.choice([2, 3, 3, 4])) if n == 0 else None,
                emotions=_emotions(mood_now, anxiety, rng),
                tags=tags,
                note_enc=demo.vault.encrypt(demo.db, owner, note, field=NOTE_FIELD)
                if note
                else None,
                risk_level=screen(note).level.value if note else "none",
                source="demo",
                created_at=when,
            )
            demo.db.add(row)
            made += 1
            if note:
                demo.db.flush()
                language_service.request_analysis(
                    demo.db,
                    demo.vault,
                    client_id=client.id,
                    source="checkin",
                    source_id=row.id,
                    text=note,
                    written_at=when,
                )
        drank_yesterday = drank_today
    if index in JOURNAL_CLIENTS:
        made += _journal(demo, client, rng, tz, today)
    return made


def _emotions(mood: float, anxiety: float, rng: random.Random) -> list[str]:
    pool = []
    if mood >= 6.5:
        pool += ["calm", "content", "hopeful", "grateful"]
    if mood <= 4:
        pool += ["sad", "tired", "lonely", "numb"]
    if anxiety >= 6:
        pool += ["worried", "tense", "overwhelmed"]
    if not pool:
        pool = ["tired", "calm", "bored"]
    return sorted(set(rng.sample(pool, k=min(len(pool), rng.choice([1, 2])))))


def _journal(
    demo: DemoContext, client: User, rng: random.Random, tz: ZoneInfo, today: datetime
) -> int:
    owner = Vault.owner_for_client(client.id)
    themes = list(JOURNAL_THEMES)
    # Work worries grow over the last month for Charlie: the theme report shows it rising.
    made = 0
    for back in range(DAYS - 2, 0, -3):
        recent = back < 35
        weights = [3 if (recent and t == "work") else 1 for t in themes]
        theme = rng.choices(themes, weights=weights)[0]
        first, second = rng.sample(JOURNAL_THEMES[theme], 2)
        body = f"{first} {second}"
        when = _local(today - timedelta(days=back), rng.choice([21, 22]), rng.randrange(60), tz)
        row = JournalEntry(
            client_id=client.id,
            title_enc=demo.vault.encrypt(demo.db, owner, "", field=TITLE_FIELD),
            body_enc=demo.vault.encrypt(demo.db, owner, body, field=BODY_FIELD),
            risk_level=screen(body).level.value,
            created_at=when,
            updated_at=when,
            version=1,
        )
        demo.db.add(row)
        demo.db.flush()
        language_service.request_analysis(
            demo.db,
            demo.vault,
            client_id=client.id,
            source="journal",
            source_id=row.id,
            text=body,
            written_at=when,
        )
        made += 1
    return made


@seeder("checkins")
def seed(demo: DemoContext) -> None:
    total = 0
    for index, client in enumerate(demo.clients):
        total += seed_client(demo, index, client)
    demo.extra["checkins"] = total
