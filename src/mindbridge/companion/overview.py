"""The homework block of the clinician's client overview (care record)."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access.domain import Record
from mindbridge.access.service import ClientGrant
from mindbridge.accounts.models import User
from mindbridge.companion import homework as homework_service
from mindbridge.db import utcnow
from mindbridge.runtime import Runtime
from mindbridge.workspace.sections import overview_section


@overview_section("homework", title="Homework", order=65, resource=Record.CARE_RECORD)
def render_homework(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    """Open, overdue and done counts, with a link to the homework page."""
    client = db.get(User, grant.client_id)
    tz = client.timezone if client is not None else "UTC"
    items = homework_service.list_homework(
        db, grant, rt.vault, today=homework_service.local_today(utcnow(), tz)
    )
    open_items = [h for h in items if h.status == "open"]
    overdue = sum(1 for h in open_items if h.overdue)
    done = sum(1 for h in items if h.status == "done")
    link = f"/clients/{grant.client_id}/homework"
    if not items:
        return Markup('<p>No homework set. <a href="{}">Set homework</a></p>').format(link)
    return Markup('<p>{} open ({} overdue), {} done. <a href="{}">Homework</a></p>').format(
        len(open_items), overdue, done, link
    )
