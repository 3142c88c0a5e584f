"""A user's own notifications."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from mindbridge.notifications import service as notifications_service
from mindbridge.web.policy import AUTHENTICATED, access
from mindbridge.web.rendering import redirect
from mindbridge.web.security import CurrentUser, DbSession

router = APIRouter()


@router.post("/notifications/{notification_id}/read", **access(AUTHENTICATED))
def mark_read(db: DbSession, user: CurrentUser, notification_id: int) -> Response:
    notifications_service.mark_read(db, user_id=user.id, notification_id=notification_id)
    return redirect("/")
