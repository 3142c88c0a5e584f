"""The companion's channels: the chat page (works without JavaScript; with htmx a post returns
only the new exchange), the REST API, the care team's read-only list of finished exercises (only
while the client shares the stream), and homework: clinicians assign an exercise with a due date
and see what came of it; and the exercise library, where clinicians and admins read every flow
step by step before they assign or review it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.companion import homework as homework_service
from mindbridge.companion import reading, signoffs
from mindbridge.companion import service as companion_service
from mindbridge.companion.flowspec import Flow
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, MindbridgeError
from mindbridge.recommender import service as recommender_service
from mindbridge.web.policy import CLIENT, CLINICIAN, STAFF, access, client_data
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import (
    AppRuntime,
    Audit,
    CurrentUser,
    DbSession,
    client_access,
    require_role,
)

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]
StaffUser = Annotated[User, Depends(require_role(Role.CLINICIAN, Role.ADMIN))]
ClinicianUser = Annotated[User, Depends(require_role(Role.CLINICIAN))]


def _grant(db: DbSession, audit: Audit, user: User, action: Action) -> ClientGrant:
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.COMPANION, action=action
    )


@dataclass(frozen=True)
class TimerView:
    """A `timer` action as the chat page shows it: `data-` attributes for the script and a
    sentence for people without JavaScript."""

    label: str
    attrs: list[tuple[str, str]]
    text: str


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _fmt(number: float) -> str:
    return f"{number:g}"


def _seconds_words(number: float) -> str:
    return "1 second" if number == 1 else f"{_fmt(number)} seconds"


def _duration_words(total: float) -> str:
    minutes, seconds = divmod(round(total), 60)
    parts = []
    if minutes:
        parts.append("1 minute" if minutes == 1 else f"{minutes} minutes")
    if seconds or not minutes:
        parts.append(_seconds_words(seconds))
    return " ".join(parts)


def timer_view(actions: list[dict[str, Any]]) -> TimerView | None:
    """The latest `timer` action of a reply, ready to render (None if the reply has none)."""
    data: dict[str, Any] | None = None
    for action in actions:
        if action.get("kind") == "timer" and isinstance(action.get("data"), dict):
            data = action["data"]
    if data is None:
        return None
    kind = str(data.get("kind") or "countdown")
    total = _num(data.get("seconds")) or 60.0
    values: dict[str, float] = {"seconds": total}
    if kind == "paced_breathing":
        bpm = _num(data.get("breaths_per_minute")) or 6.0
        hold = _num(data.get("hold_seconds"))
        cycle = 60 / bpm - 2 * (hold or 0)
        inhale = _num(data.get("inhale_seconds")) or round(cycle * 0.4, 1)
        exhale = _num(data.get("exhale_seconds")) or round(cycle - inhale, 1)
        values |= {"breaths-per-minute": bpm, "inhale-seconds": inhale, "exhale-seconds": exhale}
        steps = f"Breathe in for {_seconds_words(inhale)}"
        if hold:
            values["hold-seconds"] = hold
            steps += f", hold for {_fmt(hold)}"
        steps += f", then out for {_fmt(exhale)}"
        if hold:
            steps += f" and hold for {_fmt(hold)}"
        text = f"{steps}: about {_fmt(bpm)} breaths a minute. Keep going for "
        default_label = "Slow breathing"
    elif kind == "tense_release":
        tense = _num(data.get("tense_seconds")) or 5.0
        release = _num(data.get("release_seconds")) or 15.0
        values |= {"tense-seconds": tense, "release-seconds": release}
        text = (
            f"Tense the muscles for {_seconds_words(tense)}, then let go and notice them "
            f"relax for {_seconds_words(release)}. Keep going for "
        )
        default_label = "Tense and release"
    else:
        kind = "countdown"
        text = "Take your time: "
        default_label = "Timer"
    text += f"{_duration_words(total)}."
    label = str(data.get("label") or default_label)
    attrs = [("kind", kind), *((name, _fmt(value)) for name, value in values.items())]
    return TimerView(label=label, attrs=[*attrs, ("label", label)], text=text)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _chat_page(
    request: Request,
    db: DbSession,
    grant: ClientGrant,
    rt: AppRuntime,
    *,
    reply: companion_service.Reply | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    convo = companion_service.conversation(db, grant, rt.vault)
    return render(
        request,
        "companion/chat.html",
        {
            "transcript": convo.transcript,
            "reply": reply,
            # a reload shows what the last reply offered: its quick replies and timer
            "suggestions": reply.suggestions if reply else convo.suggestions,
            "timer": timer_view(reply.actions if reply else [convo.timer] if convo.timer else []),
            "crisis": bool(convo.state.crisis),
            "menu": companion_service.exercise_menu(db, grant),
            "error": error,
            "title": "Companion",
        },
        status=status,
    )


def _exchange(request: Request, reply: companion_service.Reply) -> Response:
    """The htmx answer: the new lines (appended to the log) and, swapped out of band, the quick
    replies, the timer, the crisis link and a cleared error."""
    return render(
        request,
        "companion/_exchange.html",
        {
            "lines": reply.lines,
            "first": reply.first,
            "suggestions": reply.suggestions,
            "timer": timer_view(reply.actions),
            "crisis": reply.crisis,
            "oob": True,
        },
    )


@router.get("/companion", response_class=HTMLResponse, **access(CLIENT))
def chat(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _grant(db, audit, user, Action.READ)
    return _chat_page(request, db, grant, rt)


@router.post("/companion", response_class=HTMLResponse, **access(CLIENT))
async def chat_send(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    """Form fields `message` (typed) or `quick` (a quick-reply button), or `start=<exercise>`.
    An htmx request (`HX-Request: true`) gets a partial, any other the whole page."""
    grant = _grant(db, audit, user, Action.WRITE)
    form = await request.form()
    text = str(form.get("quick") or form.get("message") or "")
    start = str(form.get("start") or "")
    htmx = _is_htmx(request)
    try:
        if start and not text.strip():  # a one-tap start from /today: no text to screen
            reply = companion_service.start_exercise(
                db, grant, rt.vault, client=user, flow_id=start, now=utcnow()
            )
        else:
            reply = companion_service.take_turn(
                db, grant, rt.vault, client=user, text=text, now=utcnow()
            )
    except Invalid as exc:
        if not htmx:
            response = _chat_page(request, db, grant, rt, error=exc.message, status=422)
        else:
            response = render(request, "companion/_error.html", {"error": exc.message}, status=422)
            response.headers["HX-Retarget"] = "#chat-error"
            response.headers["HX-Reswap"] = "innerHTML"
    else:
        if htmx:
            response = _exchange(request, reply)
        else:
            response = _chat_page(request, db, grant, rt, reply=reply)
    response.headers["Vary"] = "HX-Request"
    return response


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=companion_service.MAX_TEXT)


class MessageOut(BaseModel):
    reply: list[str]
    flow: str | None
    risk_level: str | None
    suggestions: list[str]


@router.post(
    "/api/v1/companion/messages",
    response_model=MessageOut,
    responses={
        401: {"description": "Not logged in"},
        404: {"description": "Only clients talk to the companion"},
    },
    **access(CLIENT),
)
def api_message(
    body: MessageIn, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> MessageOut:
    grant = _grant(db, audit, user, Action.WRITE)
    reply = companion_service.take_turn(
        db, grant, rt.vault, client=user, text=body.text, now=utcnow()
    )
    return MessageOut(**reply.to_dict())


@router.get(
    "/clients/{client_id}/companion",
    response_class=HTMLResponse,
    **access(client_data(Stream.COMPANION)),
)
def client_outcomes(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    client_id: int,
    grant: Annotated[ClientGrant, Depends(client_access(Stream.COMPANION))],
) -> Response:
    client = db.get(User, client_id)
    assert client is not None
    return render(
        request,
        "companion/outcomes.html",
        {
            "client": client,
            "outcomes": companion_service.outcomes(db, grant, rt.vault),
            "title": "Companion exercises",
        },
    )


# ---- homework -------------------------------------------------------------------------------


def _homework_page(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: User,
    grant: ClientGrant,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    client = access_service.get_client(db, grant.client_id)
    actor = accounts_service.actor_of(user)
    today = homework_service.local_today(utcnow(), client.timezone)
    decision = access_service.check(db, actor, client.id, Stream.COMPANION)
    c_grant = (
        access_service.authorize(db, audit, client_id=client.id, resource=Stream.COMPANION)
        if decision.allowed
        else None
    )
    items = homework_service.list_homework(
        db, grant, rt.vault, today=today, companion_grant=c_grant
    )
    rules = recommender_service.guard_rails(db, grant)
    blocked = rules.blocked()
    flows = companion_service.flow_library()
    return render(
        request,
        "companion/homework.html",
        {
            "client": client,
            "items": items,
            "choices": [(f.id, f.title) for f in flows.values() if f.id not in blocked],
            "can_assign": user.role == Role.CLINICIAN.value,
            "held": len(rules.held),
            "shared": decision.allowed,
            "today": today,
            "error": error,
            "title": f"Homework: {client.display_name}",
        },
        status=status,
    )


@router.get(
    "/clients/{client_id}/homework",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD)),
)
def homework(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD))],
) -> Response:
    return _homework_page(request, db, rt, audit, user, grant)


@router.post(
    "/clients/{client_id}/homework",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
def assign_homework(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))],
    exercise: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    repeat_until: Annotated[str, Form()] = "",
) -> Response:
    """Form fields `exercise`, `due`, optional `note` and `repeat_until` (daily until then)."""
    try:
        client = access_service.get_client(db, grant.client_id)
        try:
            due_date = date.fromisoformat(due.strip())
        except ValueError:
            raise Invalid("due: give the due date as 2025-01-31.") from None
        try:
            until = date.fromisoformat(repeat_until.strip()) if repeat_until.strip() else None
        except ValueError:
            raise Invalid("repeat_until: give the date as 2025-01-31, or leave it empty.") from None
        homework_service.assign(
            db,
            grant,
            rt.vault,
            flow_id=exercise,
            due=due_date,
            note=note,
            today=homework_service.local_today(utcnow(), client.timezone),
            repeat_until=until,
        )
    except MindbridgeError as exc:
        return _homework_page(
            request, db, rt, audit, user, grant, error=exc.message, status=exc.status_code
        )
    return redirect(f"/clients/{grant.client_id}/homework")


@router.post(
    "/clients/{client_id}/homework/{homework_id}/cancel",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD, Action.WRITE)),
)
def cancel_homework(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: CurrentUser,
    homework_id: int,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD, Action.WRITE))],
) -> Response:
    try:
        homework_service.cancel(db, grant, homework_id=homework_id)
    except MindbridgeError as exc:
        return _homework_page(
            request, db, rt, audit, user, grant, error=exc.message, status=exc.status_code
        )
    return redirect(f"/clients/{grant.client_id}/homework")


@router.get("/exercises", response_class=HTMLResponse, **access(STAFF))
def library(request: Request, db: DbSession, rt: AppRuntime, user: StaffUser) -> Response:
    flows = companion_service.flow_library()
    signed = signoffs.signed_versions(db)
    readings = sorted((reading.read(f) for f in flows.values()), key=lambda f: f.title)
    return render(
        request,
        "companion/library.html",
        {
            "flows": readings,
            "signed": {f.id: f.version in signed.get(f.id, set()) for f in readings},
            "reviewed": sum(f.reviewed for f in readings),
            "gate": rt.settings.companion_signed_off_only,
            "held": signoffs.held(
                flows, signed, signed_off_only=rt.settings.companion_signed_off_only
            ),
            "title": "Exercises",
        },
    )


def _flow_or_404(flow_id: str) -> Flow:
    flow = companion_service.flow_library().get(flow_id)
    if flow is None:
        raise HTTPException(404, "No exercise with that id.")
    return flow


def _flow_page(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: User,
    flow_id: str,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    flow = _flow_or_404(flow_id)
    found = signoffs.signoffs(db, flow.id)
    current = [s for s in found if s.version == flow.version]
    return render(
        request,
        "companion/flow.html",
        {
            "flow": reading.read(flow),
            "current": current,
            "earlier": [s for s in found if s.version != flow.version],
            "can_sign": user.role == Role.CLINICIAN.value
            and all(s.reviewer_id != user.id for s in current),
            "gate": rt.settings.companion_signed_off_only,
            "signed": request.query_params.get("signed") == "1",
            "error": error,
            "title": flow.title,
        },
        status=status,
    )


@router.get("/exercises/{flow_id}", response_class=HTMLResponse, **access(STAFF))
def flow_page(
    request: Request, db: DbSession, rt: AppRuntime, user: StaffUser, flow_id: str
) -> Response:
    return _flow_page(request, db, rt, user, flow_id)


@router.post("/exercises/{flow_id}/signoff", response_class=HTMLResponse, **access(CLINICIAN))
def sign_off(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClinicianUser,
    audit: Audit,
    flow_id: str,
    note: Annotated[str, Form()] = "",
) -> Response:
    """A clinician signs off the flow's current version (audited; once per version each)."""
    flow = _flow_or_404(flow_id)
    try:
        signoffs.sign_off(db, audit, flow=flow, reviewer=user, note=note, now=utcnow())
    except Invalid as exc:
        return _flow_page(request, db, rt, user, flow_id, error=exc.message, status=422)
    return redirect(f"/exercises/{flow_id}?signed=1")
