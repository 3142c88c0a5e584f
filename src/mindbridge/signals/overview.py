"""The signals block of the clinician's client overview: latest score, completeness, reasons."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.runtime import Runtime
from mindbridge.signals import service as signals_service
from mindbridge.signals.charts import day_label
from mindbridge.signals.views import SOURCE_LABELS
from mindbridge.web.rendering import env
from mindbridge.workspace.sections import overview_section


@overview_section("signals", title="Passive signals", order=40, resource=Stream.SIGNALS)
def render_section(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    latest = signals_service.view(db, grant, days=1).latest
    completeness = (
        [(SOURCE_LABELS.get(k, k), v) for k, v in latest.completeness.items()] if latest else []
    )
    html = env.get_template("signals/_overview.html").render(
        latest=latest,
        day_label=day_label(latest.day) if latest else "",
        completeness=completeness,
        client_id=grant.client_id,
    )
    return Markup(html)  # noqa: S704 - rendered by the autoescaping template environment
