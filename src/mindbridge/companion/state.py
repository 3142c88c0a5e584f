"""The companion's stored shapes: conversation state, the person's memory, turn results.

All plain dataclasses with `to_dict`/`from_dict` to JSON-ready dicts (ISO dates and times),
so the lead can store them as JSON columns (encrypted: they hold what the person wrote) and a
conversation survives a restart between any two turns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from mindbridge.recommender.context import PastExercise

STATE_VERSION = 1
MEMORY_VERSION = 1
RECENT_MESSAGES = 6  # user messages kept for the screener's multi-turn context
MAX_OUTCOMES = 50
MAX_DIARY_NIGHTS = 28


@dataclass
class Action:
    """Something the lead's service layer must do after the turn (store, alert, schedule).

    `kind` values and their `data` are documented in docs/companion.md ("Actions").
    """

    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": self.data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Action:
        return cls(str(data["kind"]), dict(data.get("data", {})))


HomeworkStatus = Literal["open", "done", "skipped"]


@dataclass
class Homework:
    """A task between sessions: do `flow_id` by `due` (ISO date).

    `repeat_until` (ISO date) makes it daily: finishing it moves `due` to the next day until
    that date, so "sleep diary every morning this week" is one item, not seven.
    """

    id: str
    flow_id: str
    title: str
    due: str
    status: HomeworkStatus = "open"
    assigned_by: str = "clinician"  # "clinician" or "companion"
    repeat_until: str | None = None
    done_count: int = 0
    last_done: str | None = None
    note: str | None = None  # the clinician's note, shown when the companion offers it

    def is_due(self, today: date) -> bool:
        return self.status == "open" and date.fromisoformat(self.due) <= today

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "flow_id": self.flow_id,
            "title": self.title,
            "due": self.due,
            "status": self.status,
            "assigned_by": self.assigned_by,
            "repeat_until": self.repeat_until,
            "done_count": self.done_count,
            "last_done": self.last_done,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Homework:
        return cls(
            id=str(data["id"]),
            flow_id=str(data["flow_id"]),
            title=str(data["title"]),
            due=str(data["due"]),
            status=data.get("status", "open"),
            assigned_by=str(data.get("assigned_by", "clinician")),
            repeat_until=data.get("repeat_until"),
            done_count=int(data.get("done_count", 0)),
            last_done=data.get("last_done"),
            note=data.get("note"),
        )


@dataclass
class ExerciseOutcome:
    """What came of one exercise: the recommender's reward reads exactly these fields."""

    flow_id: str
    at: str  # ISO datetime
    completed: bool
    helpfulness: int | None = None  # 1-5
    mood_before: float | None = None  # 0-10
    mood_after: float | None = None  # 0-10

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow_id,
            "at": self.at,
            "completed": self.completed,
            "helpfulness": self.helpfulness,
            "mood_before": self.mood_before,
            "mood_after": self.mood_after,
        }

    def as_past_exercise(self) -> PastExercise:
        """The recommender's record of the same outcome (flow ids are its exercise ids)."""
        return PastExercise(
            exercise_id=self.flow_id,
            at=datetime.fromisoformat(self.at),
            completed=self.completed,
            helpfulness=self.helpfulness,
            mood_before=self.mood_before,
            mood_after=self.mood_after,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExerciseOutcome:
        return cls(
            flow_id=str(data["flow_id"]),
            at=str(data["at"]),
            completed=bool(data["completed"]),
            helpfulness=data.get("helpfulness"),
            mood_before=data.get("mood_before"),
            mood_after=data.get("mood_after"),
        )


@dataclass
class Memory:
    """What the companion remembers about a person across conversations.

    `sleep_diary` holds the latest diary nights (dicts from `sleep.diary_night`), oldest
    first; `sleep_window` the current sleep-restriction window (from `sleep.sleep_window` /
    `adjust_window`), set only inside the clinician-approved flow.
    """

    name: str | None = None
    goals: list[str] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)
    preferences: dict[str, str] = field(default_factory=dict)
    outcomes: list[ExerciseOutcome] = field(default_factory=list)
    sleep_diary: list[dict[str, Any]] = field(default_factory=list)
    sleep_window: dict[str, Any] | None = None
    version: int = MEMORY_VERSION

    def due_homework(self, today: date) -> list[Homework]:
        return sorted((h for h in self.homework if h.is_due(today)), key=lambda h: h.due)

    def homework_to_offer(self, today: date) -> list[Homework]:
        """Due homework, then a clinician's open items not due yet (they may be done early)."""
        return sorted(
            (
                h
                for h in self.homework
                if h.is_due(today) or (h.status == "open" and h.assigned_by == "clinician")
            ),
            key=lambda h: h.due,
        )

    def homework_by_id(self, homework_id: str) -> Homework | None:
        return next((h for h in self.homework if h.id == homework_id), None)

    def record_outcome(self, outcome: ExerciseOutcome) -> None:
        self.outcomes = [*self.outcomes, outcome][-MAX_OUTCOMES:]

    def add_diary_night(self, night: Mapping[str, Any]) -> None:
        """Add a night, replacing one already recorded for the same date."""
        kept = [
            n
            for n in self.sleep_diary
            if not night.get("date") or n.get("date") != night.get("date")
        ]
        self.sleep_diary = [*kept, dict(night)][-MAX_DIARY_NIGHTS:]

    def view(self) -> dict[str, Any]:
        """The read-only view flow expressions and templates get as `memory`."""
        return self.to_dict()

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "goals": list(self.goals),
            "homework": [h.to_dict() for h in self.homework],
            "preferences": dict(self.preferences),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "sleep_diary": [dict(n) for n in self.sleep_diary],
            "sleep_window": dict(self.sleep_window) if self.sleep_window else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Memory:
        version = int(data.get("version", MEMORY_VERSION))
        if version > MEMORY_VERSION:
            raise ValueError(f"memory version {version} is newer than this code ({MEMORY_VERSION})")
        return cls(
            name=data.get("name"),
            goals=[str(g) for g in data.get("goals", [])],
            homework=[Homework.from_dict(h) for h in data.get("homework", [])],
            preferences={str(k): str(v) for k, v in data.get("preferences", {}).items()},
            outcomes=[ExerciseOutcome.from_dict(o) for o in data.get("outcomes", [])],
            sleep_diary=[dict(n) for n in data.get("sleep_diary", [])],
            sleep_window=dict(data["sleep_window"]) if data.get("sleep_window") else None,
        )


@dataclass
class FlowPosition:
    """Where a person is inside one flow: the step waiting for an answer and the values so far."""

    flow_id: str
    flow_version: str
    step: str
    values: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""
    homework_id: str | None = None
    attempts: int = 0  # answers to the current step that could not be read
    prefilled: list[str] = field(default_factory=list)  # answers given before the flow began

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow_id,
            "flow_version": self.flow_version,
            "step": self.step,
            "values": self.values,
            "started_at": self.started_at,
            "homework_id": self.homework_id,
            "attempts": self.attempts,
            "prefilled": list(self.prefilled),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FlowPosition:
        return cls(
            flow_id=str(data["flow_id"]),
            flow_version=str(data["flow_version"]),
            step=str(data["step"]),
            values=dict(data.get("values", {})),
            started_at=str(data.get("started_at", "")),
            homework_id=data.get("homework_id"),
            attempts=int(data.get("attempts", 0)),
            prefilled=[str(p) for p in data.get("prefilled", [])],
        )


OfferKind = Literal["flows", "resume", "homework"]


@dataclass
class Offer:
    """What the companion just offered, so "yes", "2" or "the breathing one" can take it."""

    kind: OfferKind
    flow_ids: list[str] = field(default_factory=list)
    homework_id: str | None = None
    prefill: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "flow_ids": list(self.flow_ids),
            "homework_id": self.homework_id,
            "prefill": dict(self.prefill),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Offer:
        return cls(
            kind=data["kind"],
            flow_ids=[str(f) for f in data.get("flow_ids", [])],
            homework_id=data.get("homework_id"),
            prefill=dict(data.get("prefill", {})),
        )


@dataclass
class ConversationState:
    """One conversation's state between turns.

    `crisis` is set by an elevated/imminent screening and cleared only when the person says
    they are safe or want to go on and that message screens none/low; `paused` holds the flow
    the crisis (or a hand-off) interrupted.
    """

    flow: FlowPosition | None = None
    paused: FlowPosition | None = None
    crisis: bool = False
    offer: Offer | None = None
    recent_user: list[str] = field(default_factory=list)
    last_turn_at: str | None = None
    turns: int = 0
    last_risk: str | None = None
    version: int = STATE_VERSION

    def remember_message(self, text: str) -> None:
        if text:
            self.recent_user = [*self.recent_user, text][-RECENT_MESSAGES:]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "flow": self.flow.to_dict() if self.flow else None,
            "paused": self.paused.to_dict() if self.paused else None,
            "crisis": self.crisis,
            "offer": self.offer.to_dict() if self.offer else None,
            "recent_user": list(self.recent_user),
            "last_turn_at": self.last_turn_at,
            "turns": self.turns,
            "last_risk": self.last_risk,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationState:
        version = int(data.get("version", STATE_VERSION))
        if version > STATE_VERSION:
            raise ValueError(f"state version {version} is newer than this code ({STATE_VERSION})")
        return cls(
            flow=FlowPosition.from_dict(data["flow"]) if data.get("flow") else None,
            paused=FlowPosition.from_dict(data["paused"]) if data.get("paused") else None,
            crisis=bool(data.get("crisis", False)),
            offer=Offer.from_dict(data["offer"]) if data.get("offer") else None,
            recent_user=[str(m) for m in data.get("recent_user", [])],
            last_turn_at=data.get("last_turn_at"),
            turns=int(data.get("turns", 0)),
            last_risk=data.get("last_risk"),
        )


@dataclass(frozen=True)
class Suggested:
    """One exercise the recommender suggests, with its plain-words reason."""

    flow_id: str
    reason: str


# Called with the surface ("greeting", "suggest", "after_exercise"); best first. The companion
# calls it only on turns that make an offer, so a turn that does not costs nothing.
Recommender = Callable[[str], Sequence[Suggested]]
Ranker = Callable[[], Sequence[str]]


@dataclass(frozen=True)
class CompanionContext:
    """What the lead knows at the moment of a turn (nothing here is stored by the companion).

    `now` is the person's local time, timezone-aware. `approved_flows` are exercises a
    clinician approved for this person (sleep restriction and graded exposure need it);
    `blocked_flows` maps exercise ids the recommender's guard rails block to a reason;
    `suggested_flows` is the recommender's order for offers (or `rank`, called at most once a
    turn and only by a turn that offers something); `recommend`, when wired, returns
    the recommender's top suggestion and alternatives with their reasons. `generative_allowed`
    is the deployment switch AND the person's consent to send their words to the configured
    model.
    """

    now: datetime
    memory: Memory = field(default_factory=Memory)
    clinician_available: bool = False
    clinician_name: str | None = None
    approved_flows: frozenset[str] = frozenset()
    blocked_flows: Mapping[str, str] = field(default_factory=dict)
    suggested_flows: tuple[str, ...] = ()
    generative_allowed: bool = False
    recommend: Recommender | None = None
    rank: Ranker | None = None

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("context.now must be timezone-aware (the person's local time)")


@dataclass
class TurnResult:
    """The outcome of one turn. `risk_level` is None only when screening itself failed."""

    reply_messages: list[str]
    actions: list[Action]
    new_state: ConversationState
    flow_id: str | None
    risk_level: str | None
    new_memory: Memory
    intent: str = ""
    suggestions: list[str] = field(default_factory=list)

    def action(self, kind: str) -> Action | None:
        return next((a for a in self.actions if a.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reply_messages": list(self.reply_messages),
            "actions": [a.to_dict() for a in self.actions],
            "new_state": self.new_state.to_dict(),
            "flow_id": self.flow_id,
            "risk_level": self.risk_level,
            "new_memory": self.new_memory.to_dict(),
            "intent": self.intent,
            "suggestions": list(self.suggestions),
        }
