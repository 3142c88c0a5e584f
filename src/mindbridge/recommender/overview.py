"""The recommendations block of the clinician's client overview (companion stream only)."""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.recommender import service as recommender_service
from mindbridge.recommender.catalogue import load_catalogue
from mindbridge.runtime import Runtime
from mindbridge.workspace.sections import overview_section


@overview_section("recommendations", title="Recommendations", order=60, resource=Stream.COMPANION)
def render_recommendations(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
    """Latest suggestion, uptake and mean rating, with a link to the full page."""
    rows, uptake = recommender_service.history(db, grant, limit=1)
    link = f"/clients/{grant.client_id}/recommendations"
    if not rows:
        return Markup('<p>Nothing suggested yet. <a href="{}">Rules and history</a></p>').format(
            link
        )
    latest = rows[0]
    title = load_catalogue().get(latest.offered[0][0]).title
    rate = f" ({uptake.rate:.0%})" if uptake.rate is not None else ""
    rating = (
        f"; mean helpfulness {uptake.mean_helpfulness:.1f}/5"
        if uptake.mean_helpfulness is not None
        else ""
    )
    return Markup(
        "<p>Last suggested: <strong>{}</strong> ({} UTC). {} suggestions, {} taken up{}{}. "
        '<a href="{}">Rules and history</a></p>'
    ).format(
        escape(title),
        latest.at.strftime("%Y-%m-%d %H:%M"),
        uptake.offers,
        uptake.taken_up,
        rate,
        rating,
        link,
    )
