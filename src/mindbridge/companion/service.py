"""The companion on the platform: encrypted state and memory, screen-first turns, outcomes.

`take_turn` screens the message with `safetyplan.screening.screen_and_record` before anything
else reads it (audit + alert for elevated/imminent), runs `Companion.turn` with the same screening,
the safety capability's fixed crisis templates, the client's guard rails and the recommender,
then stores the new state, memory and the outcomes of finished exercises (each also updating the
recommender's state and any homework it completes), and notifies the care team on a hand-off,
all in the request's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Action, Purpose, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.audit import service as audit_service
from mindbridge.care import service as care_service
from mindbridge.companion import homework as homework_service
from mindbridge.companion import reminders
from mindbridge.companion.companion import Companion
from mindbridge.companion.flowspec import FlowLibrary
from mindbridge.companion.generative import GenerativeConfig, GenerativeReplier
from mindbridge.companion.models import CompanionDocument, CompanionOutcome
from mindbridge.companion.ports import Deps, DistortionDetector, EmotionAnalyser, ScreeningLike
from mindbridge.companion.state import (
    CompanionContext,
    ConversationState,
    Memory,
    Suggested,
    TurnResult,
)
from mindbridge.config import Settings
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid
from mindbridge.language import service as language_service
from mindbridge.language.analyzer import ready_analyzer
from mindbridge.notifications import service as notifications
from mindbridge.recommender import service as recommender_service
from mindbridge.recommender.reward import Outcome
from mindbridge.runtime import runtime
from mindbridge.safety.resources import CrisisDirectory
from mindbridge.safety.screening import Screening, screen
from mindbridge.safety.templates import crisis_message_for
from mindbridge.safetyplan import screening as screening_service
from mindbridge.safetyplan import service as plan_service

SOURCE = "companion"
CONVERSATION = "conversation"
MEMORY = "memory"
FIELDS = {CONVERSATION: "companion.conversation", MEMORY: "companion.memory"}
OUTPUTS_FIELD = "companion_outcomes.outputs"
TRANSCRIPT_LIMIT = 40
MAX_TEXT = 2000
OUTCOME_ACTIONS = ("flow_completed", "flow_stopped", "flow_exited")
MIN_ANALYSED_WORDS = 3  # shorter messages are answers to prompts, not something to analyse


@lru_cache(maxsize=1)
def _engine() -> Companion:
    """The read-only flow tables and router weights, built once per process (placeholder deps)."""
    return Companion(Deps(screen=screen))


@lru_cache(maxsize=4)
def _replier(base_url: str, model: str, api_key: str | None, timeout_s: float) -> GenerativeReplier:
    """One HTTP client per model-server configuration, shared by every turn."""
    return GenerativeReplier(
        GenerativeConfig(base_url=base_url, model=model, api_key=api_key, timeout_s=timeout_s)
    )


def generative_replier(settings: Settings) -> GenerativeReplier | None:
    """The configured model server's client, or None when generative mode is off."""
    if not settings.generative_url:
        return None
    return _replier(
        settings.generative_url,
        settings.generative_model,
        settings.generative_key(),
        settings.generative_timeout_seconds,
    )


def text_models(settings: Settings) -> tuple[EmotionAnalyser | None, DistortionDetector | None]:
    """The emotion reader and thinking-trap detector, once the text models are loaded in this
    process (a turn never waits for them: until then the companion answers without).

    They read only text that `take_turn` has already screened."""
    analyzer = ready_analyzer() if settings.companion_text_models else None
    if analyzer is None:
        return None, None
    loaded = analyzer

    def emotions(text: str) -> dict[str, float]:
        found = loaded.analyze(text, distortions=False)
        return {e: found.emotions[e] for e in found.detected_emotions if e != "neutral"}

    def distortions(text: str) -> list[str]:
        return [d.trap for d in loaded.analyze(text).distortions]

    return emotions, (distortions if loaded.traps is not None else None)


def flow_library() -> FlowLibrary:
    """The exercise flows this server runs (for pages that list them)."""
    return _engine().flows


@dataclass(frozen=True)
class MenuItem:
    flow_id: str
    title: str
    minutes: int
    summary: str
    unavailable: str | None  # why it cannot be started now (the clinician's rules), or None


def exercise_menu(db: Session, grant: ClientGrant) -> list[MenuItem]:
    """Every exercise, with why it is not available to this client where it is not, so a person
    can pick any of them (and see why some wait for their clinician)."""
    grant.require(Stream.COMPANION)
    rules = recommender_service.guard_rails(db, grant)
    blocked = rules.blocked()
    items = []
    for flow in _engine().flows.values():
        reason = blocked.get(flow.id)
        if reason is None and flow.requires_approval and flow.id not in rules.approved:
            reason = "needs your clinician's approval"
        items.append(MenuItem(flow.id, flow.title, flow.duration_minutes, flow.summary, reason))
    return items


@dataclass
class Conversation:
    """The stored conversation. `suggestions` and `timer` are what the last reply offered, so
    a reload mid-exercise shows the same quick replies and timer (a timer action's dict)."""

    state: ConversationState
    transcript: list[dict[str, str]] = field(default_factory=list)  # {"who", "text", "at"}
    suggestions: list[str] = field(default_factory=list)
    timer: dict[str, Any] | None = None


@dataclass(frozen=True)
class Reply:
    reply: list[str]
    flow: str | None
    risk_level: str | None
    suggestions: list[str]
    actions: list[dict[str, Any]]
    alert_id: int | None
    # the exchange as stored, so the web chat can append it without reading the conversation
    lines: list[dict[str, str]] = field(default_factory=list)  # {"who", "text", "at"}
    first: bool = False  # the conversation's first exchange
    crisis: bool = False  # the conversation is in crisis mode after this turn

    def to_dict(self) -> dict[str, Any]:
        return {
            "reply": self.reply,
            "flow": self.flow,
            "risk_level": self.risk_level,
            "suggestions": self.suggestions,
        }


def _load(db: Session, vault: Vault, client_id: int, kind: str) -> dict[str, Any] | None:
    row = db.get(CompanionDocument, (client_id, kind))
    if row is None:
        return None
    owner = Vault.owner_for_client(client_id)
    text = vault.decrypt(db, owner, row.document_enc, field=FIELDS[kind])
    try:
        data = json.loads(text)
    except ValueError:  # erased key: start afresh
        return None
    return data if isinstance(data, dict) else None


def _save(db: Session, vault: Vault, client_id: int, kind: str, data: dict[str, Any]) -> None:
    blob = vault.encrypt(
        db, Vault.owner_for_client(client_id), json.dumps(data), field=FIELDS[kind]
    )
    row = db.get(CompanionDocument, (client_id, kind))
    if row is None:
        db.add(CompanionDocument(client_id=client_id, kind=kind, document_enc=blob))
    else:
        row.document_enc = blob
        row.updated_at = utcnow()
    db.flush()


def save_memory(db: Session, vault: Vault, *, client_id: int, memory: Memory) -> None:
    """Store a client's companion memory (encrypted); for seeding, not for turns."""
    _save(db, vault, client_id, MEMORY, memory.to_dict())


def conversation(db: Session, grant: ClientGrant, vault: Vault) -> Conversation:
    grant.require(Stream.COMPANION)
    data = _load(db, vault, grant.client_id, CONVERSATION)
    if not data:
        return Conversation(ConversationState())
    timer = data.get("timer")
    return Conversation(
        ConversationState.from_dict(data.get("state") or {}),
        list(data.get("transcript") or []),
        suggestions=[str(s) for s in data.get("suggestions") or []],
        timer=timer if isinstance(timer, dict) else None,
    )


def memory(db: Session, grant: ClientGrant, vault: Vault, *, client: User) -> Memory:
    grant.require(Stream.COMPANION)
    data = _load(db, vault, grant.client_id, MEMORY)
    return Memory.from_dict(data) if data else Memory(name=client.display_name.split(" ")[0])


def new_conversation(db: Session, grant: ClientGrant) -> None:
    """Start a fresh conversation; memory (name, homework, outcomes) is kept."""
    grant.require(Stream.COMPANION, Action.WRITE)
    row = db.get(CompanionDocument, (grant.client_id, CONVERSATION))
    if row is not None:
        db.delete(row)
        db.flush()


def _local(now: datetime, tz: str) -> datetime:
    try:
        return now.astimezone(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return now


def _checked(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("Type a message first.")
    if len(text) > MAX_TEXT:
        raise Invalid(f"Please keep a message under {MAX_TEXT} characters.")
    return text


def _memory_for_turn(db: Session, grant: ClientGrant, vault: Vault, *, client: User) -> Memory:
    """The stored memory with the clinician's open homework copied in."""
    return homework_service.sync_memory(
        db, vault, client_id=client.id, memory=memory(db, grant, vault, client=client)
    )


@dataclass
class _Setup:
    companion: Companion
    context: CompanionContext
    team: list[User]


def _setup(
    db: Session,
    grant: ClientGrant,
    *,
    client: User,
    mem: Memory,
    now: datetime,
    recorded: screening_service.Recorded | None,
    message: str = "",
) -> _Setup:
    """The companion wired for this client and moment: screening, crisis text, guard rails,
    the recommender and the care team."""
    directory: CrisisDirectory = plan_service.directory(db)
    has_plan = plan_service.has_plan(db, client_id=client.id)

    def screener(text: str, *, context: Sequence[str]) -> Screening:
        if recorded is not None and text == message:  # the message itself: screen once
            return recorded.screening
        return screen(text, context=context)

    def crisis_response(screening: ScreeningLike) -> Sequence[str]:
        if not isinstance(screening, Screening):
            if recorded is None:
                return []
            screening = recorded.screening
        fixed = crisis_message_for(
            screening,
            locale=client.locale,
            has_safety_plan=has_plan,
            care_team_alerted=recorded is not None and recorded.alert is not None,
            directory=directory,
        )
        return [fixed.text()] if fixed else []

    def support_resources(context: CompanionContext) -> Sequence[str]:
        return [r.contact_line() for r in directory.for_locale(client.locale)]

    rules = recommender_service.guard_rails(db, grant)

    def recommend(surface: str) -> list[Suggested]:
        offered = recommender_service.recommend(
            db, grant, client=client, now=now, surface=surface, rules=rules
        )
        if offered is None:
            return []
        rec = offered.recommendation
        return [
            Suggested(s.exercise_id, s.reasons[0] if s.reasons else "")
            for s in (rec.top, *rec.alternatives)
        ]

    def rank() -> list[str]:
        # the posterior mean, not a Thompson draw: this order is not logged as an offer, so
        # exploring here would teach nothing and only make the order jump between turns
        offered = recommender_service.recommend(
            db,
            grant,
            client=client,
            now=now,
            surface="suggest",
            rules=rules,
            mode="greedy",
            store=False,
        )
        return list(offered.recommendation.exercise_ids) if offered is not None else []

    settings = runtime().settings
    replier = generative_replier(settings)
    generative_allowed = replier is not None and consent_service.current(
        db, client_id=client.id
    ).granted(Stream.COMPANION, Purpose.MODEL_REPLIES)
    emotions, distortions = text_models(settings)
    team = care_service.care_team(db, client_id=client.id)
    engine = _engine()
    companion = Companion(
        Deps(
            screen=screener,
            crisis_response=crisis_response,
            emotions=emotions,
            distortions=distortions,
            support_resources=support_resources,
            generative=replier,
            flows=engine.flows,
            router=engine.router,
        )
    )
    context = CompanionContext(
        now=_local(now, client.timezone),
        memory=mem,
        clinician_available=bool(team),
        clinician_name=team[0].display_name if team else None,
        approved_flows=rules.approved,
        blocked_flows=rules.blocked(),
        recommend=recommend,
        rank=rank,
        generative_allowed=generative_allowed,
    )
    return _Setup(companion, context, team)


def take_turn(
    db: Session, grant: ClientGrant, vault: Vault, *, client: User, text: str, now: datetime
) -> Reply:
    """One message: screened first, then answered, then stored (one transaction)."""
    grant.require(Stream.COMPANION, Action.WRITE)
    text = _checked(text)
    convo = conversation(db, grant, vault)
    mem = _memory_for_turn(db, grant, vault, client=client)
    # 1. screen first: audit + alert; nothing else reads the text before this
    recorded = screening_service.screen_and_record(
        db,
        grant.ctx,
        vault,
        client_id=client.id,
        text=text,
        context=tuple(convo.state.recent_user[-6:]),
        source=SOURCE,
        stream=Stream.COMPANION,
    )
    # 2. queue the words for text analysis (emotions, stress) in this same transaction; short
    # replies to an exercise's prompts ("7", "yes") say nothing a model could read
    if len(text.split()) >= MIN_ANALYSED_WORDS:
        language_service.request_analysis(
            db,
            vault,
            client_id=client.id,
            source="companion",
            source_id=f"msg-{int(now.timestamp() * 1_000_000)}",
            text=text,
            written_at=now,
        )
    # 3. answer
    setup = _setup(db, grant, client=client, mem=mem, now=now, recorded=recorded, message=text)
    result = setup.companion.turn(convo.state, text, setup.context)
    # 4. store
    return _store(
        db,
        grant,
        vault,
        client=client,
        convo=convo,
        said=text,
        result=result,
        team=setup.team,
        now=now,
        alert_id=recorded.alert.id if recorded.alert is not None else None,
    )


def start_exercise(
    db: Session, grant: ClientGrant, vault: Vault, *, client: User, flow_id: str, now: datetime
) -> Reply:
    """A one-tap start from another page (no text to screen; guard rails and crisis mode hold)."""
    grant.require(Stream.COMPANION, Action.WRITE)
    engine = _engine()
    if flow_id not in engine.flows:
        raise Invalid("exercise: no such exercise.")
    convo = conversation(db, grant, vault)
    mem = _memory_for_turn(db, grant, vault, client=client)
    setup = _setup(db, grant, client=client, mem=mem, now=now, recorded=None)
    result = setup.companion.begin(convo.state, flow_id, setup.context)
    said = f"(start {engine.flows[flow_id].title})"
    return _store(
        db,
        grant,
        vault,
        client=client,
        convo=convo,
        said=said,
        result=result,
        team=setup.team,
        now=now,
        alert_id=None,
    )


def _started_at(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _store(
    db: Session,
    grant: ClientGrant,
    vault: Vault,
    *,
    client: User,
    convo: Conversation,
    said: str,
    result: TurnResult,
    team: list[User],
    now: datetime,
    alert_id: int | None,
) -> Reply:
    """Store the turn: state, transcript and memory (encrypted), outcomes and the learning
    they feed, homework completion and hand-off notifications; then audit it."""
    at = now.isoformat()
    lines = [{"who": "you", "text": said, "at": at}]
    lines += [{"who": "companion", "text": m, "at": at} for m in result.reply_messages]
    transcript = [*convo.transcript, *lines]
    _save(
        db,
        vault,
        client.id,
        CONVERSATION,
        {
            "state": result.new_state.to_dict(),
            "transcript": transcript[-TRANSCRIPT_LIMIT:],
            "suggestions": list(result.suggestions),
            "timer": next(
                (a.to_dict() for a in reversed(result.actions) if a.kind == "timer"), None
            ),
        },
    )
    _save(db, vault, client.id, MEMORY, result.new_memory.to_dict())
    owner = Vault.owner_for_client(client.id)
    last_outcome_id: int | None = None
    for action in result.actions:
        if action.kind in OUTCOME_ACTIONS:
            outcome = action.data.get("outcome") or {}
            row = CompanionOutcome(
                client_id=client.id,
                flow_id=str(action.data.get("flow_id", "")),
                flow_version=str(action.data.get("version", "")),
                completed=action.kind == "flow_completed",
                helpfulness=outcome.get("helpfulness"),
                mood_before=outcome.get("mood_before"),
                mood_after=outcome.get("mood_after"),
                outputs_enc=vault.encrypt(
                    db,
                    owner,
                    json.dumps(action.data.get("outputs") or {}, default=str),
                    field=OUTPUTS_FIELD,
                ),
                completed_at=now,
            )
            db.add(row)
            db.flush()
            last_outcome_id = row.id
            # the reward and the person's learned state, in this same transaction
            recommender_service.record_outcome(
                db,
                grant,
                client=client,
                exercise_id=row.flow_id,
                outcome=Outcome(
                    completed=row.completed,
                    helpfulness=row.helpfulness,
                    mood_before=row.mood_before,
                    mood_after=row.mood_after,
                ),
                started_at=_started_at(action.data.get("started_at")),
                companion_outcome_id=row.id,
                now=now,
            )
        elif action.kind == "homework_completed":
            homework_service.mark_done(
                db,
                grant,
                homework_key=str(action.data.get("homework_id", "")),
                companion_outcome_id=last_outcome_id,
                now=now,
                next_due=str(action.data["next_due"])
                if action.data.get("status") == "open" and action.data.get("next_due")
                else None,
            )
        elif action.kind == "homework_assigned" and action.data.get("assigned_by") == "companion":
            _plan_reminder(db, client=client, data=action.data, now=now)
        elif action.kind == "schedule_checkback":
            _checkback(db, client=client, data=action.data, now=now)
        elif action.kind == "handoff":
            urgent = bool(action.data.get("urgent"))
            for clinician in team:
                notifications.notify(
                    db,
                    user_id=clinician.id,
                    kind="companion_handoff",
                    title=("Urgent: " if urgent else "")
                    + f"{client.display_name} asked the companion to talk to a person",
                    link=f"/clients/{client.id}",
                )
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="companion.turn",
        resource_type="companion",
        client_id=client.id,
        purpose=grant.purpose,
        detail={
            "flow": result.flow_id,
            "risk_level": result.risk_level,
            "intent": result.intent,
            "actions": [a.kind for a in result.actions],
        },
    )
    return Reply(
        reply=list(result.reply_messages),
        flow=result.flow_id,
        risk_level=result.risk_level,
        suggestions=list(result.suggestions),
        actions=[a.to_dict() for a in result.actions],
        alert_id=alert_id,
        lines=lines,
        first=not convo.transcript,
        crisis=result.new_state.crisis,
    )


def _plan_reminder(db: Session, *, client: User, data: dict[str, Any], now: datetime) -> None:
    """Something the person planned with the companion: a reminder on its due morning."""
    try:
        due = date.fromisoformat(str(data.get("due", "")))
    except ValueError:
        return
    reminders.plan_reminder(
        db,
        client_id=client.id,
        flow_id=str(data.get("flow_id", "")),
        title=str(data.get("title", "")) or "an exercise",
        due=due,
        tz=client.timezone,
        now=now,
    )


def _checkback(db: Session, *, client: User, data: dict[str, Any], now: datetime) -> None:
    try:
        at = datetime.fromisoformat(str(data.get("at", "")))
    except ValueError:
        return
    flow_id = str(data.get("flow_id", ""))
    flow = _engine().flows.get(flow_id)
    reminders.checkback(
        db,
        client_id=client.id,
        flow_id=flow_id,
        title=flow.title if flow else "your plan",
        at=at,
        now=now,
    )


def outcomes(db: Session, grant: ClientGrant, vault: Vault) -> list[dict[str, Any]]:
    """Finished exercises, newest first, with their outputs (care team: only with consent)."""
    grant.require(Stream.COMPANION)
    owner = Vault.owner_for_client(grant.client_id)
    rows = db.execute(
        select(CompanionOutcome)
        .where(CompanionOutcome.client_id == grant.client_id)
        .order_by(CompanionOutcome.id.desc())
    ).scalars()
    out = []
    for row in rows:
        try:
            outputs = json.loads(vault.decrypt(db, owner, row.outputs_enc, field=OUTPUTS_FIELD))
        except ValueError:
            outputs = {}
        out.append(
            {
                "flow_id": row.flow_id,
                "completed": row.completed,
                "helpfulness": row.helpfulness,
                "mood_before": row.mood_before,
                "mood_after": row.mood_after,
                "outputs": outputs,
                "completed_at": row.completed_at,
            }
        )
    return out
