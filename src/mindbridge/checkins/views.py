"""Check-in pages (phone-first form, history) and the check-in API. Thin: parse, call the
service, render. The note is screened inside the service before anything else reads it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.checkins import domain
from mindbridge.checkins import service as checkins_service
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid, MindbridgeError
from mindbridge.safety.templates import crisis_message_for
from mindbridge.safetyplan import service as plan_service
from mindbridge.web.policy import CLIENT, access
from mindbridge.web.rendering import redirect, render
from mindbridge.web.security import AppRuntime, Audit, DbSession, require_role

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]


def _grant(db: DbSession, audit: Audit, user: User, action: Action) -> ClientGrant:
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.CHECKINS, action=action
    )


def _tags(rt: AppRuntime) -> tuple[str, ...]:
    return domain.service_tags(rt.settings.checkin_tags)


def _form_page(
    request: Request,
    rt: AppRuntime,
    *,
    values: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "checkins/form.html",
        {
            "title": "Check in",
            "chips": domain.EMOTION_CHIPS,
            "tags": _tags(rt),
            "quality": domain.SLEEP_QUALITY,
            "values": values or {},
            "error": error,
        },
        status=status,
    )


@router.get("/checkin", response_class=HTMLResponse, **access(CLIENT))
def checkin_form(request: Request, rt: AppRuntime, user: ClientUser) -> Response:
    return _form_page(request, rt)


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("mood", "anxiety", "energy", "sleep_hours", "sleep_quality", "note", "custom_tag"):
        if form.get(key) not in (None, ""):
            values[key] = str(form.get(key))
    values["emotions"] = [str(v) for v in form.getlist("emotions")]
    values["tags"] = [str(v) for v in form.getlist("tags")]
    return values


@router.post("/checkin", response_class=HTMLResponse, **access(CLIENT))
async def checkin_save(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    form = await request.form()
    values = _form_values(form)
    try:
        data = domain.validate(values, allowed_tags=_tags(rt))
        saved = checkins_service.record(db, grant, rt.vault, client=user, data=data)
    except Invalid as exc:
        return _form_page(request, rt, values=values, error=exc.message, status=422)
    if saved.screening is not None and saved.screening.needs_crisis_response:
        return render(
            request,
            "checkins/saved.html",
            {
                "title": "Check-in saved",
                "checkin": saved.checkin,
                "crisis": crisis_message_for(
                    saved.screening,
                    locale=user.locale,
                    care_team_alerted=saved.alert_raised,
                    directory=plan_service.directory(db),
                ),
            },
        )
    return redirect(f"/checkins?saved={saved.checkin.id}")


@router.get("/checkins", response_class=HTMLResponse, **access(CLIENT))
def checkin_history(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    user: ClientUser,
    audit: Audit,
    saved: int = 0,
) -> Response:
    grant = _grant(db, audit, user, Action.READ)
    items = checkins_service.list_checkins(
        db, grant, rt.vault, since=utcnow() - timedelta(days=60), newest_first=True
    )
    return render(
        request,
        "checkins/history.html",
        {
            "title": "My check-ins",
            "items": items,
            "saved": saved,
            "quality": domain.SLEEP_QUALITY,
        },
    )


@router.post("/checkins/{checkin_id}/delete", response_class=HTMLResponse, **access(CLIENT))
def checkin_delete(
    request: Request, db: DbSession, user: ClientUser, audit: Audit, checkin_id: int
) -> Response:
    grant = _grant(db, audit, user, Action.WRITE)
    try:
        checkins_service.delete_checkin(db, grant, checkin_id=checkin_id)
    except MindbridgeError as exc:
        return render(
            request, "accounts/message.html", {"message": exc.message}, status=exc.status_code
        )
    return redirect("/checkins")


# --- API ---------------------------------------------------------------------------------------


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mood: int = Field(ge=0, le=10)
    anxiety: int = Field(ge=0, le=10)
    energy: int | None = Field(default=None, ge=0, le=10)
    sleep_hours: float | None = Field(default=None, ge=0, le=16)
    sleep_quality: int | None = Field(default=None, ge=0, le=len(domain.SLEEP_QUALITY) - 1)
    emotions: list[str] = Field(default_factory=list, max_length=domain.MAX_EMOTIONS)
    tags: list[str] = Field(default_factory=list, max_length=domain.MAX_TAGS)
    note: str = Field(default="", max_length=domain.MAX_NOTE)
    recorded_at: datetime | None = None
    client_ref: str | None = Field(default=None, min_length=1, max_length=64)


class CheckinOut(BaseModel):
    id: int
    recorded_at: datetime
    local_date: str
    risk_level: str
    duplicate: bool
    care_team_alerted: bool
    crisis_response: list[str] = Field(
        default_factory=list, description="The fixed safe response, when the note needs one"
    )


class CheckinItem(BaseModel):
    id: int
    recorded_at: str
    local_date: str
    mood: int
    anxiety: int
    energy: int | None
    sleep_hours: float | None
    sleep_quality: int | None
    emotions: list[str]
    tags: list[str]
    note: str
    risk_level: str


@router.post(
    "/api/v1/checkins",
    response_model=CheckinOut,
    status_code=201,
    responses={
        401: {"description": "Not logged in"},
        404: {"description": "Only clients check in"},
        422: {"description": "Invalid check-in (every problem is listed)"},
    },
    **access(CLIENT),
)
def api_create(
    body: CheckinIn, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> CheckinOut:
    grant = _grant(db, audit, user, Action.WRITE)
    values = body.model_dump(exclude={"client_ref"}, exclude_none=True)
    data = domain.validate(values, allowed_tags=_tags(rt))
    saved = checkins_service.record(
        db, grant, rt.vault, client=user, data=data, source="api", client_ref=body.client_ref
    )
    crisis: list[str] = []
    if saved.screening is not None and saved.screening.needs_crisis_response:
        msg = crisis_message_for(
            saved.screening,
            locale=user.locale,
            care_team_alerted=saved.alert_raised,
            directory=plan_service.directory(db),
        )
        crisis = msg.lines() if msg else []
    return CheckinOut(
        id=saved.checkin.id,
        recorded_at=saved.checkin.recorded_at,
        local_date=saved.checkin.local_date.isoformat(),
        risk_level=saved.checkin.risk_level,
        duplicate=saved.duplicate,
        care_team_alerted=saved.alert_raised,
        crisis_response=crisis,
    )


@router.get(
    "/api/v1/checkins",
    response_model=list[CheckinItem],
    responses={401: {"description": "Not logged in"}, 404: {"description": "Clients only"}},
    **access(CLIENT),
)
def api_list(
    db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit, days: int = 30
) -> list[CheckinItem]:
    if not 1 <= days <= 366:
        raise Invalid("days: must be from 1 to 366")
    grant = _grant(db, audit, user, Action.READ)
    items = checkins_service.list_checkins(
        db, grant, rt.vault, since=utcnow() - timedelta(days=days)
    )
    return [CheckinItem(**i.to_dict()) for i in items]  # type: ignore[arg-type]
