"""The companion's channels: the chat page (works without JavaScript), the REST API, and the
care team's read-only list of finished exercises (only while the client shares the stream)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Role, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.companion import service as companion_service
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid
from mindbridge.web.policy import CLIENT, access, client_data
from mindbridge.web.rendering import render
from mindbridge.web.security import AppRuntime, Audit, DbSession, client_access, require_role

router = APIRouter()
ClientUser = Annotated[User, Depends(require_role(Role.CLIENT))]


def _grant(db: DbSession, audit: Audit, user: User, action: Action) -> ClientGrant:
    return access_service.authorize(
        db, audit, client_id=user.id, resource=Stream.COMPANION, action=action
    )


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
            "suggestions": reply.suggestions if reply else [],
            "crisis": bool(convo.state.crisis),
            "error": error,
            "title": "Companion",
        },
        status=status,
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
    grant = _grant(db, audit, user, Action.WRITE)
    form = await request.form()
    text = str(form.get("message") or "")
    try:
        reply = companion_service.take_turn(
            db, grant, rt.vault, client=user, text=text, now=utcnow()
        )
    except Invalid as exc:
        return _chat_page(request, db, grant, rt, error=exc.message, status=422)
    return _chat_page(request, db, grant, rt, reply=reply)


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
