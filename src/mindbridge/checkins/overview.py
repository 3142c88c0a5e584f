"""The check-ins and insights section of the clinician's client overview."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.insights import charts
from mindbridge.insights import service as insights_service
from mindbridge.runtime import Runtime
from mindbridge.web.rendering import env
from mindbridge.workspace.sections import overview_section


@overview_section(
    "checkins", title="Mood, anxiety and patterns", order=20, resource=Stream.CHECKINS
)
def render_section(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    client = access_service.get_client(db, grant.client_id)
    report = insights_service.build(db, grant, rt.vault, client=client)
    template = env.get_template("checkins/_overview.html")
    # The template environment autoescapes; the charts are Markup built from numbers.
    return Markup(  # noqa: S704
        template.render(
            report=report,
            client=client,
            **charts.report_charts(report.insights.heatmap, report.trajectory),
        )
    )
