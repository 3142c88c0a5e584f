"""Passive signals on the platform: the client's own page and upload, the care team's page,
and the REST API for devices (a batch with client-generated ids).

The clinician's page is part of the client's record (like the measures page): it opens for the
care team and says "not shared" when the client keeps signals to themselves; the signals
themselves are read only with a grant on `Stream.SIGNALS`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Record, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.db import utcnow
from mindbridge.kit.errors import MindbridgeError, NotFound
from mindbridge.signals import service as signals_service
from mindbridge.signals.alerts import AlertPolicy
from mindbridge.signals.api import BatchIn
from mindbridge.signals.charts import Chart, day_label, line_chart
from mindbridge.signals.clock import zone
from mindbridge.signals.service import ImportReport, SignalsView
from mindbridge.web.policy import CLIENT, access, client_data
from mindbridge.web.rendering import render
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

FORMAT_LABELS = {
    "generic": "Generic CSV or JSON (timestamp, stream, value, unit)",
    "actigraphy": "Minute actigraphy CSV (timestamp, date, activity)",
    "apple-health": "Apple Health export.xml",
}
SOURCE_LABELS = {
    "sleep": "Sleep",
    "steps": "Steps (phone or watch)",
    "actigraphy": "Activity tracker",
    "heart_rate": "Heart rate",
    "hrv_sdnn": "Heart-rate variability",
    "screen_time": "Screen time",
}
TABLE_DAYS = 14


def _chart_specs() -> list[tuple[str, str, Any, float | None]]:
    """(feature, title, formatter, axis floor) for each chart, in display order."""
    return [
        ("sleep_h", "Sleep (hours a night)", lambda v: f"{v:.1f} h", 0.0),
        ("steps", "Steps a day", lambda v: f"{v:,.0f} steps", 0.0),
        ("activity_counts", "Movement (activity counts a day)", lambda v: f"{v:,.0f}", 0.0),
        ("resting_hr", "Resting heart rate", lambda v: f"{v:.0f} bpm", None),
        ("hrv_sdnn", "Heart-rate variability (SDNN)", lambda v: f"{v:.0f} ms", None),
        ("screen_minutes", "Screen time", lambda v: f"{v:.0f} min", 0.0),
    ]


def charts_for(sv: SignalsView, *, with_score: bool) -> list[Chart]:
    days = [d.day for d in sv.days]
    if not days:
        return []
    charts: list[Chart] = []
    if with_score:
        charts.append(
            line_chart(
                "score",
                "Deterioration score (0 to 1)",
                days,
                [d.score for d in sv.days],
                fmt=lambda v: f"{v:.2f}",
                low=0.0,
                high=1.0,
                threshold=AlertPolicy().threshold,
                threshold_label="alert line",
            )
        )
    for name, title, fmt, floor in _chart_specs():
        if not any(name in d.features for d in sv.days):
            continue
        values = [d.features.get(name) for d in sv.days]
        charts.append(line_chart(name, title, days, values, fmt=fmt, low=floor))
    return charts


def completeness_table(sv: SignalsView) -> dict[str, Any]:
    today = utcnow().astimezone(zone(sv.timezone)).date()
    recent = sv.days[-TABLE_DAYS:]
    sources = [s for s in SOURCE_LABELS if any(s in d.completeness for d in recent)]
    rows = []
    for d in reversed(recent):
        cells = []
        for s in sources:
            value = d.completeness.get(s)
            cells.append("no data" if not value else f"{value:.0%}")
        label = day_label(d.day) + (" (today, still arriving)" if d.day == today else "")
        rows.append({"day": label, "cells": cells})
    return {"sources": [SOURCE_LABELS[s] for s in sources], "rows": rows}


def _context(sv: SignalsView, *, with_score: bool) -> dict[str, Any]:
    return {
        "sv": sv,
        "latest": sv.latest,
        "charts": charts_for(sv, with_score=with_score),
        "table": completeness_table(sv),
        "day_label": day_label,
    }


# ---- the client's pages -----------------------------------------------------------------------


def _own(db: DbSession, audit: Audit, user: User, action: Action = Action.READ) -> ClientGrant:
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.SIGNALS, action=action
    )


def _client_page(
    request: Request,
    db: DbSession,
    grant: ClientGrant,
    *,
    report: ImportReport | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    sv = signals_service.view(db, grant)
    return render(
        request,
        "signals/mine.html",
        _context(sv, with_score=False)
        | {
            "shares": signals_service.shares_signals(db, client_id=grant.client_id),
            "formats": FORMAT_LABELS,
            "report": report,
            "error": error,
            "title": "My signals",
        },
        status=status,
    )


@router.get("/me/signals", response_class=HTMLResponse, **access(CLIENT))
def my_signals(request: Request, db: DbSession, user: ClientUser, audit: Audit) -> Response:
    return _client_page(request, db, _own(db, audit, user))


@router.post("/me/signals", response_class=HTMLResponse, **access(CLIENT))
async def my_signals_upload(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = _own(db, audit, user, Action.WRITE)
    form = await request.form()
    upload = form.get("file")
    fmt = str(form.get("format") or "")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _client_page(request, db, grant, error="file: choose a file to upload.", status=422)
    data = await upload.read(signals_service.MAX_UPLOAD_BYTES + 1)
    if len(data) > signals_service.MAX_UPLOAD_BYTES:
        limit = signals_service.MAX_UPLOAD_BYTES // (1024 * 1024)
        return _client_page(
            request,
            db,
            grant,
            error=f"file: larger than {limit} MB; ask your service to import it for you.",
            status=413,
        )
    try:
        report = signals_service.import_file(
            db,
            grant,
            rt.vault,
            source=data,
            fmt=fmt,
            filename=upload.filename,
            accept_valid_rows=form.get("accept_valid_rows") == "on",
        )
    except MindbridgeError as exc:
        return _client_page(request, db, grant, error=exc.message, status=exc.status_code)
    return _client_page(request, db, grant, report=report, status=200 if report.written else 422)


@router.get("/me/signals/imports/{import_id}", **access(CLIENT))
def my_import_report(
    db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit, import_id: int
) -> JSONResponse:
    """The full rejection report of one of the client's imports, as JSON."""
    grant = _own(db, audit, user)
    rows = signals_service.rejection_report(db, grant, rt.vault, import_id=import_id)
    if not rows and not any(i.id == import_id for i in signals_service.view(db, grant).imports):
        raise NotFound("No such import.")
    return JSONResponse({"import_id": import_id, "rejected": rows})


# ---- the care team's page ---------------------------------------------------------------------


@router.get(
    "/clients/{client_id}/signals",
    response_class=HTMLResponse,
    **access(client_data(Record.CARE_RECORD)),
)
def client_signals(
    request: Request,
    db: DbSession,
    audit: Audit,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Record.CARE_RECORD))],
) -> Response:
    client = access_service.get_client(db, grant.client_id)
    decision = access_service.check(db, accounts_service.actor_of(user), client.id, Stream.SIGNALS)
    context: dict[str, Any] = {
        "client": client,
        "shared": decision.allowed,
        "not_shared": decision.not_shared,
        "title": f"Signals: {client.display_name}",
    }
    if decision.allowed:
        signals_grant = access_service.authorize(
            db, audit, client_id=client.id, resource=Stream.SIGNALS
        )
        context |= _context(signals_service.view(db, signals_grant, days=90), with_score=True)
    return render(request, "signals/client.html", context)


# ---- the REST API -----------------------------------------------------------------------------


class RejectedOut(BaseModel):
    line: int
    reason: str
    raw: str


class ImportOut(BaseModel):
    import_id: int
    status: str
    added: int
    updated: int
    duplicates: int
    rejected_count: int
    rejected: list[RejectedOut]
    fatal: str
    score: float | None
    explanation: str
    alerted: bool


API_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Stored; nothing new (every item was already stored)"},
    201: {"model": ImportOut, "description": "Stored"},
    401: {"description": "Not logged in"},
    404: {"description": "No such client, or not yours to write"},
    409: {"description": "The client does not share passive signals"},
    422: {"model": ImportOut, "description": "Rejected: nothing stored; every bad item listed"},
}


def _api_import(db: DbSession, rt: AppRuntime, grant: ClientGrant, body: BatchIn) -> JSONResponse:
    report = signals_service.import_api_batch(db, grant, rt.vault, batch=body)
    out = ImportOut(**{k: v for k, v in report.to_dict().items() if k in ImportOut.model_fields})
    status = 422 if not report.written else (201 if report.added or report.updated else 200)
    return JSONResponse(out.model_dump(mode="json"), status_code=status)


@router.post(
    "/api/v1/clients/{client_id}/signals",
    response_model=ImportOut,
    responses=API_RESPONSES,
    **access(client_data(Stream.SIGNALS, Action.WRITE)),
)
def api_import(
    db: DbSession,
    rt: AppRuntime,
    grant: Annotated[ClientGrant, Depends(client_access(Stream.SIGNALS, Action.WRITE))],
    body: BatchIn,
) -> JSONResponse:
    return _api_import(db, rt, grant, body)


@router.post(
    "/api/v1/signals",
    response_model=ImportOut,
    responses=API_RESPONSES,
    **access(CLIENT),
)
def api_import_own(
    db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit, body: BatchIn
) -> JSONResponse:
    return _api_import(db, rt, _own(db, audit, user, Action.WRITE), body)


class DayOut(BaseModel):
    day: date
    score: float | None
    features: dict[str, float | None]
    completeness: dict[str, float | None]
    explanation: str
    computed_at: datetime


@router.get(
    "/api/v1/clients/{client_id}/signals",
    response_model=list[DayOut],
    responses={401: {"description": "Not logged in"}, 404: API_RESPONSES[404]},
    **access(client_data(Stream.SIGNALS)),
)
def api_days(
    db: DbSession,
    grant: Annotated[ClientGrant, Depends(client_access(Stream.SIGNALS))],
    days: int = 60,
) -> list[DayOut]:
    sv = signals_service.view(db, grant, days=max(1, min(days, signals_service.WINDOW_DAYS)))
    return [
        DayOut(
            day=d.day,
            score=d.score,
            features=d.features,
            completeness=d.completeness,
            explanation=d.explanation,
            computed_at=d.computed_at,
        )
        for d in sv.days
    ]
