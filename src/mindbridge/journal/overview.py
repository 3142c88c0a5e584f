"""The journal section of the clinician's client overview: only while the client shares it."""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.journal import service as journal_service
from mindbridge.runtime import Runtime
from mindbridge.workspace.sections import overview_section


@overview_section("journal", title="Journal", order=30, resource=Stream.JOURNAL)
def render_section(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    latest = journal_service.entries(db, grant, rt.vault, limit=3)
    total = journal_service.count(db, client_id=grant.client_id)
    if not latest:
        return Markup('<p class="muted">No journal entries.</p>')
    items = "".join(
        f"<li>{escape(e.created_at.strftime('%d %b %Y'))}: {escape(e.title or e.body[:80])}</li>"
        for e in latest
    )
    # Entry text is escaped above; the rest is fixed markup.
    return Markup(  # noqa: S704
        f"<p>{total} {'entry' if total == 1 else 'entries'} shared. Latest:</p><ul>{items}</ul>"
        f'<p><a href="/clients/{grant.client_id}/journal">Read the journal</a></p>'
    )
