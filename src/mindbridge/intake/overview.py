"""The intake on the client overview: what the person told the service before they were matched."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access.domain import Record
from mindbridge.access.service import ClientGrant
from mindbridge.intake import matching
from mindbridge.intake import service as intake_service
from mindbridge.runtime import Runtime
from mindbridge.web.rendering import env
from mindbridge.workspace.sections import overview_section


@overview_section("intake", title="Intake", order=80, resource=Record.CARE_RECORD)
def render_intake(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    found = intake_service.for_care_team(db, grant, rt.vault)
    intake, text = found if found else (None, "")
    html = env.get_template("intake/_overview_section.html").render(
        intake=intake,
        text=text,
        concerns=matching.words(intake.concern_areas, matching.CONCERN_AREAS) if intake else "",
        preferences=matching.preferences_text(
            language=intake.language,
            gender=intake.therapist_gender,
            modality=intake.modality,
            times=intake.times,
            timezone=intake.timezone,
        )
        if intake
        else "",
    )
    # The environment autoescapes .html templates, so the output is safe to embed as is.
    return Markup(html)  # noqa: S704
