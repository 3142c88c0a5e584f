"""Insights pages: the client's own, and the care team's (only the streams the client shares;
what is not shared is said to be not shared)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.insights import charts
from mindbridge.insights import service as insights_service
from mindbridge.insights.domain import WEEKDAYS
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


def text_grants(
    db: Session, audit: AuditContext, viewer: User, client_id: int
) -> tuple[list[ClientGrant], list[Stream]]:
    """Grants for the text streams the viewer may read, and the ones they may not."""
    actor = accounts_service.actor_of(viewer)
    grants, hidden = [], []
    for stream in (Stream.JOURNAL, Stream.CHECKINS, Stream.COMPANION):
        if access_service.check(db, actor, client_id, stream).allowed:
            grants.append(access_service.authorize(db, audit, client_id=client_id, resource=stream))
        else:
            hidden.append(stream)
    return grants, hidden


def context(report: insights_service.Report, *, who: str) -> dict[str, object]:
    return {
        "report": report,
        "who": who,
        "weekdays": WEEKDAYS,
        **charts.report_charts(report.insights.heatmap, report.trajectory),
    }


@router.get("/insights", response_class=HTMLResponse, **access(CLIENT))
def my_insights(
    request: Request, db: DbSession, rt: AppRuntime, user: ClientUser, audit: Audit
) -> Response:
    grant = access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.CHECKINS, action=Action.READ
    )
    grants, _ = text_grants(db, audit, user, user.id)
    report = insights_service.build(db, grant, rt.vault, client=user, text_grants=grants)
    return render(
        request,
        "insights/page.html",
        {
            "title": "What my check-ins show",
            "client": user,
            "hidden": [],
            **context(report, who="you"),
        },
    )


@router.get(
    "/clients/{client_id}/insights",
    response_class=HTMLResponse,
    **access(client_data(Stream.CHECKINS)),
)
def client_insights(
    request: Request,
    db: DbSession,
    rt: AppRuntime,
    audit: Audit,
    user: CurrentUser,
    grant: Annotated[ClientGrant, Depends(client_access(Stream.CHECKINS))],
) -> Response:
    client = access_service.get_client(db, grant.client_id)
    grants, hidden = text_grants(db, audit, user, client.id)
    report = insights_service.build(db, grant, rt.vault, client=client, text_grants=grants)
    return render(
        request,
        "insights/page.html",
        {
            "title": f"Insights: {client.display_name}",
            "client": client,
            "hidden": hidden,
            **context(report, who="they"),
        },
    )
