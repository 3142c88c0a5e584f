"""The recommender on the platform: stored state, clinician rules, context, events, learning.

* `guard_rails` reads a client's rules (pins, exclusions, priorities, approvals, clinical flags);
  the companion takes its approvals and blocked exercises from here, so there is one source.
* `build_context` assembles what exists now (latest questionnaires, recent companion outcomes,
  the local hour) plus optional `ContextInputs` from capabilities that register a provider in
  `CONTEXT_PROVIDERS` (check-ins, text analysis, wearable signals).
* `recommend` ranks under the guard rails and stores a `RecommendationEvent`.
* `record_outcome` turns a finished companion exercise into a reward, updates the person's
  state and writes a `RecommendationOutcome`, all in the caller's transaction.
* `rebuild_population` refits the shared layer from the outcome events of clients who consent
  to `POOLING_PURPOSE` for the companion stream, and nobody else's.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Purpose, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.assessments import service as assessments_service
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.companion import history as companion_history
from mindbridge.consent import service as consent_service
from mindbridge.kit.errors import Invalid
from mindbridge.recommender.catalogue import CLINICAL_FLAGS, Catalogue, load_catalogue
from mindbridge.recommender.context import CheckIn, Context, Wearable
from mindbridge.recommender.features import HISTORY_WINDOW
from mindbridge.recommender.guardrails import Blocked, Controls, eligibility
from mindbridge.recommender.models import (
    RecommendationEvent,
    RecommendationOutcome,
    RecommenderControls,
    RecommenderPopulation,
    RecommenderState,
)
from mindbridge.recommender.policy import (
    Mode,
    NoEligibleExerciseError,
    OutcomeEvent,
    PersonState,
    PopulationModel,
    Recommendation,
    StateVersionError,
    apply_event,
    context_event,
    new_state,
    outcome_event,
    reset,
    summarise_state,
)
from mindbridge.recommender.policy import (
    recommend as policy_recommend,
)
from mindbridge.recommender.reward import Outcome

POPULATION_KEY = "default"
# Pooling a person's outcomes into the shared model is a use beyond their own care, so it rides
# on the opt-in research purpose for the companion stream (see docs/recommender.md).
POOLING_STREAM = Stream.COMPANION
POOLING_PURPOSE = Purpose.RESEARCH
# A finished exercise counts as taking up an offer made up to this long before it started.
UPTAKE_WINDOW = timedelta(hours=12)
# The /today card reuses the latest offer this young, so the page and the chat agree.
REUSE_WINDOW = timedelta(hours=6)
SURFACES = ("greeting", "suggest", "after_exercise", "today")
QUESTIONNAIRE_IDS = {"PHQ-9": "phq9", "GAD-7": "gad7", "WHO-5": "who5", "PSS-10": "pss10"}


# ---- context --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextInputs:
    """Optional context from other capabilities; every field may stay empty."""

    checkins: tuple[CheckIn, ...] = ()
    emotions: Mapping[str, float] = field(default_factory=dict)
    stress_probability: float | None = None
    thinking_traps: Mapping[str, float] = field(default_factory=dict)
    themes: frozenset[str] = frozenset()
    wearable: Wearable | None = None


# A provider reads its own capability's data for one client (authorising as it needs) and
# returns what it knows; `build_context` merges them. Append to CONTEXT_PROVIDERS to add one.
ContextProvider = Callable[[Session, AuditContext, int, datetime], ContextInputs]
CONTEXT_PROVIDERS: list[ContextProvider] = []
# Modules that append a provider when imported; a capability not built yet is skipped.
CONTEXT_MODULES: tuple[str, ...] = ("mindbridge.checkins.context", "mindbridge.signals.context")


def _load_providers() -> None:
    for name in CONTEXT_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise


def _merge(inputs: Iterable[ContextInputs]) -> ContextInputs:
    checkins: list[CheckIn] = []
    emotions: dict[str, float] = {}
    traps: dict[str, float] = {}
    themes: set[str] = set()
    stress: float | None = None
    wearable: Wearable | None = None
    for part in inputs:
        checkins.extend(part.checkins)
        emotions.update(part.emotions)
        traps.update(part.thinking_traps)
        themes |= part.themes
        stress = part.stress_probability if part.stress_probability is not None else stress
        wearable = part.wearable if part.wearable is not None else wearable
    return ContextInputs(tuple(checkins), emotions, stress, traps, frozenset(themes), wearable)


def _local_hour(now: datetime, tz: str) -> int:
    try:
        return now.astimezone(ZoneInfo(tz)).hour
    except (ZoneInfoNotFoundError, ValueError):
        return now.hour


def questionnaire_scores(
    db: Session, ctx: AuditContext, *, client_id: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Latest totals and the subscales the rules read, when the viewer may see questionnaires."""
    if ctx.actor is None:
        return {}, {}
    own = ctx.actor.role is Role.CLIENT and ctx.actor.user_id == client_id
    if (
        not own
        and not access_service.check(db, ctx.actor, client_id, Stream.QUESTIONNAIRES).allowed
    ):
        return {}, {}  # the policy answers "own data" for the client without a lookup
    grant = access_service.authorize(db, ctx, client_id=client_id, resource=Stream.QUESTIONNAIRES)
    latest: dict[str, Any] = {}
    for row in assessments_service.list_submissions(db, grant):
        if row.total is not None and row.instrument_id in (*QUESTIONNAIRE_IDS, "K10"):
            latest[row.instrument_id] = row
    totals: dict[str, float] = {}
    subscales: dict[str, float] = {}
    for instrument, row in latest.items():
        totals[QUESTIONNAIRE_IDS.get(instrument, "k10")] = float(row.total)
        answers = row.answers or {}

        def items(*ids: str, answers: Mapping[str, Any] = answers) -> float | None:
            values = [answers.get(i) for i in ids]
            if any(not isinstance(v, int | float) for v in values):
                return None
            return float(sum(v for v in values if isinstance(v, int | float)))

        if instrument == "PHQ-9":
            for name, ids in (("phq9_sleep", ("3",)), ("phq2", ("1", "2"))):
                if (value := items(*ids)) is not None:
                    subscales[name] = value
        if instrument == "GAD-7" and (value := items("2", "3")) is not None:
            subscales["gad7_worry"] = value
    return totals, subscales


def build_context(
    db: Session,
    grant: ClientGrant,
    *,
    client: User,
    now: datetime,
    inputs: Sequence[ContextInputs] = (),
    rules: Rules | None = None,
) -> Context:
    """The person's context now, from the data that exists (`grant`: the companion stream)."""
    grant.require(Stream.COMPANION)
    totals, subscales = questionnaire_scores(db, grant.ctx, client_id=client.id)
    recent = companion_history.recent_exercises(db, grant, since=now - HISTORY_WINDOW)
    _load_providers()
    provided = [p(db, grant.ctx, client.id, now) for p in CONTEXT_PROVIDERS]
    extra = _merge([*provided, *inputs])
    flags = (rules or guard_rails(db, grant)).flags
    return Context(
        questionnaires=totals,
        subscales=subscales,
        checkins=extra.checkins,
        emotions=dict(extra.emotions),
        stress_probability=extra.stress_probability,
        thinking_traps=dict(extra.thinking_traps),
        themes=extra.themes,
        wearable=extra.wearable or Wearable(),
        local_hour=_local_hour(now, client.timezone),
        recent_exercises=tuple(recent),
        clinical_flags=flags,
    )


# ---- clinician rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    controls: Controls
    flags: frozenset[str]
    revision: int = 0
    updated_at: datetime | None = None
    updated_by: int | None = None
    # service-wide holds (exercise id -> reason), e.g. a flow version not yet signed off
    held: Mapping[str, str] = field(default_factory=dict)

    @property
    def effective_controls(self) -> Controls:
        """The clinician's controls with the service's holds excluded (and never pinned)."""
        if not self.held:
            return self.controls
        held = frozenset(self.held)
        return replace(
            self.controls,
            pinned=tuple(p for p in self.controls.pinned if p not in held),
            excluded=self.controls.excluded | held,
        )

    def eligibility(self, catalogue: Catalogue | None = None) -> tuple[list[str], list[Blocked]]:
        allowed, blocked = eligibility(
            catalogue or load_catalogue(), self.flags, self.effective_controls
        )
        return allowed, [
            Blocked(b.exercise_id, self.held.get(b.exercise_id, b.reason)) for b in blocked
        ]

    @property
    def approved(self) -> frozenset[str]:
        return frozenset(self.controls.approvals)

    def blocked(self) -> dict[str, str]:
        return {b.exercise_id: b.reason for b in self.eligibility()[1]}


def _client_grant(grant: ClientGrant) -> None:
    """Guard rails are read for the client's own companion or by the care team's record."""
    if grant.resource not in (Stream.COMPANION, Record.CARE_RECORD):
        raise PermissionError(f"grant for {grant.resource} used for the recommender's rules")


def _service_holds(db: Session) -> dict[str, str]:
    """Exercises this service does not offer anyone yet (flow versions awaiting sign-off)."""
    # imported here: the companion owns flow sign-off and itself builds on this module
    from mindbridge.companion import signoffs
    from mindbridge.companion.flowspec import default_flows
    from mindbridge.runtime import runtime

    gate = runtime().settings.companion_signed_off_only
    return signoffs.held_now(db, default_flows(), signed_off_only=gate)


def guard_rails(db: Session, grant: ClientGrant) -> Rules:
    _client_grant(grant)
    held = _service_holds(db)
    row = db.get(RecommenderControls, grant.client_id)
    if row is None:
        return Rules(Controls(), frozenset(), held=held)
    return Rules(
        Controls.from_dict(row.controls),
        frozenset(row.clinical_flags or ()),
        row.revision,
        row.updated_at,
        row.updated_by,
        held=held,
    )


def set_rules(
    db: Session,
    grant: ClientGrant,
    *,
    pinned: Sequence[str] = (),
    excluded: Iterable[str] = (),
    prioritised: Iterable[str] = (),
    approvals: Mapping[str, Iterable[str]] | None = None,
    clinical_flags: Iterable[str] = (),
    now: datetime,
) -> Rules:
    """A clinician on the care team replaces the client's rules (validated before writing)."""
    grant.require(Record.CARE_RECORD, Action.WRITE)
    actor = grant.ctx.actor
    if actor is None or actor.role is not Role.CLINICIAN:
        raise Invalid("Only the client's clinicians set exercise rules.")
    catalogue = load_catalogue()
    known = set(catalogue.ids)
    for name, values in (
        ("pinned", list(pinned)),
        ("excluded", list(excluded)),
        ("prioritised", list(prioritised)),
        ("approved", list(approvals or {})),
    ):
        unknown = sorted(set(values) - known)
        if unknown:
            raise Invalid(f"{name}: unknown exercise {', '.join(unknown)}.")
    flags = frozenset(clinical_flags)
    bad_flags = sorted(flags - set(CLINICAL_FLAGS))
    if bad_flags:
        raise Invalid(f"clinical_flags: unknown flag {', '.join(bad_flags)}.")
    approval_map = {k: frozenset(v) for k, v in (approvals or {}).items()}
    for exercise_id, named in approval_map.items():
        if named - set(CLINICAL_FLAGS):
            raise Invalid(f"approved: unknown flag for {exercise_id}.")
    try:
        controls = Controls(
            pinned=tuple(dict.fromkeys(pinned)),
            excluded=frozenset(excluded),
            prioritised=frozenset(prioritised),
            approvals=approval_map,
        )
    except ValueError as exc:
        raise Invalid(f"pinned/excluded: {exc}.") from None
    row = db.get(RecommenderControls, grant.client_id)
    if row is None:
        row = RecommenderControls(client_id=grant.client_id, revision=0)
        db.add(row)
    row.controls = controls.to_dict()
    row.clinical_flags = sorted(flags)
    row.revision = (row.revision or 0) + 1
    row.updated_by = actor.user_id
    row.updated_at = now
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="recommender.rules.update",
        resource_type="recommender_controls",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={**controls.to_dict(), "clinical_flags": sorted(flags), "revision": row.revision},
    )
    return Rules(controls, flags, row.revision, now, actor.user_id)


# ---- per-person state -----------------------------------------------------------------------


def _load_state(db: Session, client_id: int, now: datetime) -> tuple[PersonState, int]:
    row = db.get(RecommenderState, client_id)
    if row is None:
        return new_state(now), 0
    try:
        return PersonState.from_dict(row.state), row.revision
    except StateVersionError:  # written by another policy version: start again, keep revision
        return new_state(now), row.revision


def _save_state(db: Session, client_id: int, state: PersonState, now: datetime) -> int:
    row = db.get(RecommenderState, client_id)
    if row is None:
        row = RecommenderState(client_id=client_id, revision=0)
        db.add(row)
    row.state = state.to_dict()
    row.revision = (row.revision or 0) + 1
    row.updated_at = now
    db.flush()
    return row.revision


def state_document(db: Session, grant: ClientGrant, *, now: datetime) -> dict[str, Any]:
    """The person's learned state as stored (JSON), with its revision, for inspection."""
    grant.require(Stream.COMPANION)
    state, revision = _load_state(db, grant.client_id, now)
    audit_service.record(
        db,
        grant.ctx,
        action="recommender.state.read",
        resource_type="recommender_state",
        client_id=grant.client_id,
        purpose=grant.purpose,
    )
    return {"revision": revision, "state": state.to_dict()}


def reset_state(
    db: Session, grant: ClientGrant, *, now: datetime, exercise_ids: Sequence[str] = ()
) -> int:
    """Forget what was learned about this person (the client or the care team may ask)."""
    grant.require(Record.CARE_RECORD, Action.WRITE)
    unknown = sorted(set(exercise_ids) - set(load_catalogue().ids))
    if unknown:
        raise Invalid(f"exercise: unknown exercise {', '.join(unknown)}.")
    state, _ = _load_state(db, grant.client_id, now)
    revision = _save_state(db, grant.client_id, reset(state, now, tuple(exercise_ids)), now)
    actor = grant.ctx.actor
    audit_service.record(
        db,
        grant.ctx,
        action="recommender.state.reset",
        resource_type="recommender_state",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={
            "by_role": actor.role.value if actor else None,
            "exercises": list(exercise_ids) or "all",
            "revision": revision,
        },
    )
    return revision


# ---- the shared layer -----------------------------------------------------------------------

_POPULATION_CACHE: dict[str, tuple[int, PopulationModel]] = {}


def population(db: Session) -> PopulationModel | None:
    """The stored shared layer (parsed once per revision per process), or None before any."""
    row = db.execute(
        select(RecommenderPopulation.revision).where(RecommenderPopulation.key == POPULATION_KEY)
    ).first()
    if row is None:
        return None
    cached = _POPULATION_CACHE.get(POPULATION_KEY)
    if cached is not None and cached[0] == row.revision:
        return cached[1]
    stored = db.get(RecommenderPopulation, POPULATION_KEY)
    assert stored is not None
    try:
        model = PopulationModel.from_dict(stored.model)
    except StateVersionError:
        return None
    _POPULATION_CACHE[POPULATION_KEY] = (stored.revision, model)
    return model


def pooling_consented(db: Session, *, client_id: int) -> bool:
    state = consent_service.current(db, client_id=client_id)
    return POOLING_STREAM in state.shared_with(POOLING_PURPOSE)


@dataclass(frozen=True)
class PopulationRebuild:
    events: int
    clients: int
    skipped_clients: int
    revision: int


def rebuild_population(db: Session, ctx: AuditContext, *, now: datetime) -> PopulationRebuild:
    """Refit the shared layer from scratch from consenting clients' events only.

    A rebuild (rather than folding in new events) is what makes withdrawal real: a client who
    stops consenting drops out of the next fit entirely.
    """
    catalogue = load_catalogue()
    client_ids = sorted(
        set(db.execute(select(RecommendationOutcome.client_id).distinct()).scalars())
    )
    consenting = [c for c in client_ids if pooling_consented(db, client_id=c)]
    events: list[OutcomeEvent] = []
    if consenting:
        rows = db.execute(
            select(RecommendationOutcome.event)
            .where(RecommendationOutcome.client_id.in_(consenting))
            .order_by(RecommendationOutcome.id)
        ).scalars()
        events = [OutcomeEvent.from_dict(e) for e in rows]
    model = PopulationModel.empty(catalogue.ids, now=now.isoformat()).observe(events)
    row = db.get(RecommenderPopulation, POPULATION_KEY)
    if row is None:
        row = RecommenderPopulation(key=POPULATION_KEY, revision=0)
        db.add(row)
    row.model = model.to_dict()
    row.revision = (row.revision or 0) + 1
    row.events = len(events)
    row.clients = len(consenting)
    row.updated_at = now
    db.flush()
    audit_service.record(
        db,
        ctx,
        action="recommender.population.rebuild",
        resource_type="recommender_population",
        client_id=None,
        detail={
            "events": len(events),
            "clients": len(consenting),
            "skipped_clients": len(client_ids) - len(consenting),
            "purpose": POOLING_PURPOSE.value,
        },
    )
    return PopulationRebuild(
        len(events), len(consenting), len(client_ids) - len(consenting), row.revision
    )


# ---- recommending and learning --------------------------------------------------------------


@dataclass(frozen=True)
class Offered:
    """A stored recommendation: the event id and what it said."""

    event_id: int
    recommendation: Recommendation
    created_at: datetime


def recommend(
    db: Session,
    grant: ClientGrant,
    *,
    client: User,
    now: datetime,
    surface: str,
    rules: Rules | None = None,
    mode: Mode = "thompson",
    store: bool = True,
) -> Offered | None:
    """Rank the exercises the guard rails allow and store what was offered (None: all blocked)."""
    grant.require(Stream.COMPANION)
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}")
    rules = rules or guard_rails(db, grant)
    context = build_context(db, grant, client=client, now=now, rules=rules)
    state, _ = _load_state(db, client.id, now)
    try:
        rec = policy_recommend(
            state,
            context,
            rules.effective_controls,
            load_catalogue(),
            now,
            population=population(db),
            mode=mode,
        )
    except NoEligibleExerciseError:
        return None
    if not store:
        return Offered(0, rec, now)
    event = RecommendationEvent(
        client_id=client.id,
        surface=surface,
        top_id=rec.top.exercise_id,
        exercise_ids=list(rec.exercise_ids),
        recommendation=rec.to_dict(),
        created_at=now,
    )
    db.add(event)
    db.flush()
    return Offered(event.id, rec, now)


def latest_offer(db: Session, grant: ClientGrant, *, now: datetime) -> Offered | None:
    """The newest stored offer if it is recent enough to show again."""
    grant.require(Stream.COMPANION)
    row = db.execute(
        select(RecommendationEvent)
        .where(
            RecommendationEvent.client_id == grant.client_id,
            RecommendationEvent.created_at >= now - REUSE_WINDOW,
        )
        .order_by(RecommendationEvent.created_at.desc(), RecommendationEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return Offered(row.id, Recommendation.from_dict(row.recommendation), row.created_at)


def current_offer(
    db: Session, grant: ClientGrant, *, client: User, now: datetime, surface: str
) -> Offered | None:
    """A recent offer that the rules still allow, else a fresh one."""
    rules = guard_rails(db, grant)
    recent = latest_offer(db, grant, now=now)
    if recent is not None:
        allowed, _ = rules.eligibility()
        ids = recent.recommendation.exercise_ids
        pins_first = [p for p in rules.controls.pinned if p in allowed]
        if all(i in allowed for i in ids) and (not pins_first or ids[0] == pins_first[0]):
            return recent
    return recommend(db, grant, client=client, now=now, surface=surface, rules=rules)


def _offer_for(
    db: Session, client_id: int, exercise_id: str, started_at: datetime
) -> RecommendationEvent | None:
    rows = db.execute(
        select(RecommendationEvent)
        .where(
            RecommendationEvent.client_id == client_id,
            RecommendationEvent.created_at >= started_at - UPTAKE_WINDOW,
            RecommendationEvent.created_at <= started_at,  # offers come before the start
        )
        .order_by(RecommendationEvent.created_at.desc(), RecommendationEvent.id.desc())
    ).scalars()
    return next((r for r in rows if exercise_id in r.exercise_ids), None)


def record_outcome(
    db: Session,
    grant: ClientGrant,
    *,
    client: User,
    exercise_id: str,
    outcome: Outcome,
    started_at: datetime | None,
    companion_outcome_id: int | None,
    now: datetime,
) -> RecommendationOutcome | None:
    """Learn from one finished or stopped exercise, in the caller's transaction.

    The learning example uses the inputs stored with the offer it came from when there was one
    (so the model credits the situation it was offered in), else the context rebuilt now.
    """
    grant.require(Stream.COMPANION, Action.WRITE)
    catalogue = load_catalogue()
    if exercise_id not in catalogue.ids:
        return None
    began = started_at or now
    offer = _offer_for(db, client.id, exercise_id, began)
    state, _ = _load_state(db, client.id, now)
    if offer is not None:
        rec = Recommendation.from_dict(offer.recommendation)
        event = outcome_event(rec, exercise_id, outcome, now)
    else:
        context = build_context(db, grant, client=client, now=began)
        event = context_event(state, exercise_id, context, outcome, began, now, catalogue)
    _save_state(db, client.id, apply_event(state, event), now)
    mood_change = (
        outcome.mood_after - outcome.mood_before
        if outcome.mood_after is not None and outcome.mood_before is not None
        else None
    )
    row = RecommendationOutcome(
        client_id=client.id,
        recommendation_id=offer.id if offer is not None else None,
        companion_outcome_id=companion_outcome_id,
        exercise_id=exercise_id,
        taken_up=offer is not None,
        was_top=offer is not None and offer.top_id == exercise_id,
        completed=outcome.completed,
        helpfulness=outcome.helpfulness,
        mood_change=mood_change,
        reward=event.reward,
        event=event.to_dict(),
        created_at=now,
    )
    db.add(row)
    db.flush()
    return row


# ---- what the care team sees ----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    surface: str
    offered: list[tuple[str, str]]  # (exercise id, first reason)
    taken: str | None
    completed: bool | None
    helpfulness: int | None
    mood_change: float | None


@dataclass(frozen=True)
class Uptake:
    offers: int
    taken_up: int
    completed: int
    mean_helpfulness: float | None
    per_exercise: list[dict[str, Any]]

    @property
    def rate(self) -> float | None:
        return self.taken_up / self.offers if self.offers else None


def history(db: Session, grant: ClientGrant, *, limit: int = 30) -> tuple[list[HistoryRow], Uptake]:
    """Recent offers with what came of them, and uptake/ratings overall (companion stream)."""
    grant.require(Stream.COMPANION)
    events = list(
        db.execute(
            select(RecommendationEvent)
            .where(RecommendationEvent.client_id == grant.client_id)
            .order_by(RecommendationEvent.created_at.desc(), RecommendationEvent.id.desc())
        ).scalars()
    )
    outcomes = list(
        db.execute(
            select(RecommendationOutcome)
            .where(RecommendationOutcome.client_id == grant.client_id)
            .order_by(RecommendationOutcome.id)
        ).scalars()
    )
    by_event: dict[int, RecommendationOutcome] = {}
    for o in outcomes:
        if o.recommendation_id is not None:
            by_event.setdefault(o.recommendation_id, o)
    rows = []
    for e in events[:limit]:
        rec = e.recommendation
        offered = [
            (s["exercise_id"], (s.get("reasons") or [""])[0])
            for s in [rec["top"], *rec["alternatives"]]
        ]
        found = by_event.get(e.id)
        rows.append(
            HistoryRow(
                e.created_at,
                e.surface,
                offered,
                found.exercise_id if found else None,
                found.completed if found else None,
                found.helpfulness if found else None,
                found.mood_change if found else None,
            )
        )
    ratings = [o.helpfulness for o in outcomes if o.helpfulness is not None]
    per: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        entry = per.setdefault(
            o.exercise_id, {"exercise_id": o.exercise_id, "done": 0, "completed": 0, "ratings": []}
        )
        entry["done"] += 1
        entry["completed"] += int(o.completed)
        if o.helpfulness is not None:
            entry["ratings"].append(o.helpfulness)
    per_rows = []
    for entry in sorted(per.values(), key=lambda v: -int(v["done"])):
        r = entry.pop("ratings")
        entry["mean_helpfulness"] = sum(r) / len(r) if r else None
        per_rows.append(entry)
    uptake = Uptake(
        offers=len(events),
        taken_up=len(by_event),
        completed=sum(1 for o in outcomes if o.completed),
        mean_helpfulness=sum(ratings) / len(ratings) if ratings else None,
        per_exercise=per_rows,
    )
    audit_service.record(
        db,
        grant.ctx,
        action="recommender.history.read",
        resource_type="recommendation_event",
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"count": len(rows)},
    )
    return rows, uptake


def learned(db: Session, grant: ClientGrant, *, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The person's learned table (tries, mean reward, offset) and the state's reset count."""
    grant.require(Stream.COMPANION)
    state, _ = _load_state(db, grant.client_id, now)
    return summarise_state(state, population(db)), state.reset_count
