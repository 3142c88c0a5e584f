"""Browser journey through the clinician workspace, with two-step login required:
log in with a TOTP code, triage the caseload, open a client, acknowledge an alert, book a
session, assign a questionnaire. Screenshots go to test-artifacts/screenshots/.

The accessibility scan injects axe-core (an npm package, found without the network: set
MINDBRIDGE_AXE_JS, or install it where AXE_CANDIDATES look) and fails on serious or critical
violations in the page content (`main`) of the clinician's triage list, client overview, alert
inbox and measures page, and of the client's intake page, at desktop width. The shared page
header is scanned by the base-template tests, not here.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.config import Settings
from mindbridge.db import transaction, utcnow
from mindbridge.scheduling import service as scheduling_service
from mindbridge.scheduling.domain import WeeklyWindow
from tests.conftest import PASSWORD, PERSONA_EMAILS, _settings_for
from tests.e2e.conftest import screenshot
from tests.workspace import history

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE_CANDIDATES = (
    REPO / "node_modules" / "axe-core" / "axe.min.js",
    Path("/usr/local/lib/mindbridge-axe/node_modules/axe-core/axe.min.js"),
    Path("/usr/local/lib/node_modules/axe-core/axe.min.js"),
    Path("/usr/lib/node_modules/axe-core/axe.min.js"),
)
AXE_INSTALL = "npm install --prefix /usr/local/lib/mindbridge-axe axe-core@4.14.1"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Staff must use two-step login here, as in production."""
    return _settings_for(tmp_path, database_url, require_mfa=True)


@pytest.fixture
def totp_secret(rt, personas) -> str:  # type: ignore[no-untyped-def]
    """The clinician has enrolled an authenticator; the client has an overdue alert and scores."""
    from datetime import time

    now = utcnow()
    with transaction(rt.sessions) as db:
        clinician = db.get(User, personas.clinician)
        assert clinician is not None
        secret = accounts_service.begin_totp_enrolment(db, rt.vault, clinician)
        clinician.mfa_enabled = True
        windows = [WeeklyWindow(day, time(8, 0), time(20, 0), 50) for day in range(7)]
        scheduling_service.set_availability(
            db, history.as_client(personas.client), clinician=clinician, windows=windows
        )
        for days, total in ((80, 8), (50, 11), (20, 15), (3, 17)):
            history.submit(
                db,
                rt.vault,
                client_id=personas.client,
                instrument="PHQ-9",
                total=total,
                at=now - timedelta(days=days),
            )
        history.alert(
            db,
            rt.vault,
            client_id=personas.client,
            level="elevated",
            age=timedelta(hours=26),
            now=now,
        )
    return secret


def axe_source() -> str | None:
    configured = os.environ.get("MINDBRIDGE_AXE_JS")
    for path in ([Path(configured)] if configured else []) + list(AXE_CANDIDATES):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def serious_violations(page: Any) -> list[dict[str, Any]]:
    source = axe_source()
    if source is None:
        pytest.skip(
            f"axe-core not installed; install it with `{AXE_INSTALL}` or set MINDBRIDGE_AXE_JS"
        )
    # evaluate() runs through the debugging protocol, so the page's CSP does not block it.
    page.evaluate(source)
    result = page.evaluate(
        "async () => { const r = await axe.run('main', {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _log_in_with_totp(page, base: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(PERSONA_EMAILS["clinician"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/mfa**")
    page.get_by_label("6-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/caseload")


def test_clinician_triages_and_acts_on_a_client(  # type: ignore[no-untyped-def]
    live_server, page, rt, personas, totp_secret
) -> None:
    base = live_server
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in_with_totp(page, base, totp_secret)

    # Triage: the client with the overdue alert is first, with the reasons written out.
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("urgent")
    expect(first_row).to_contain_text("past its 24 h response target")
    expect(first_row).to_contain_text("reliable deterioration")
    screenshot(page, "workspace-triage")

    # Open the client: sections with text summaries next to the charts.
    first_row.get_by_role("link", name="Client").click()
    page.wait_for_url(f"{base}/clients/{personas.client}")
    expect(page.get_by_role("heading", name="Questionnaires")).to_be_visible()
    expect(page.get_by_text("That is a reliable deterioration")).to_be_visible()
    screenshot(page, "workspace-client-overview")

    # Acknowledge the alert from its page.
    page.locator("#section-alerts").get_by_role("link", name="elevated test alert").click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("acknowledged").first).to_be_visible()
    screenshot(page, "workspace-alert-acknowledged")

    # Book a session from the overview.
    page.goto(f"{base}/clients/{personas.client}")
    page.get_by_role("button", name="Book session").click()
    page.wait_for_url(f"{base}/clients/{personas.client}")
    expect(page.locator("#appointments-summary")).to_contain_text("1 booked ahead")

    # Assign a questionnaire from the measures page linked on the overview.
    page.get_by_role("link", name="Measures: schedules, assign a questionnaire").click()
    page.get_by_label("Questionnaire", exact=True).select_option("GAD-7")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.locator("#schedule").get_by_role("cell", name="GAD-7", exact=True)).to_be_visible()
    screenshot(page, "workspace-measures-assigned")

    with transaction(rt.sessions) as db:
        from mindbridge.alerts.models import Alert
        from mindbridge.assessments.models import AssessmentAssignment
        from mindbridge.scheduling.models import Appointment

        assert db.execute(select(Alert.status)).scalar_one() == "acknowledged"
        assert db.execute(select(Appointment.client_id)).scalar_one() == personas.client
        assert db.execute(select(AssessmentAssignment.instrument_id)).scalar_one() == "GAD-7"


def test_main_clinician_and_client_pages_have_no_serious_accessibility_violations(  # type: ignore[no-untyped-def]
    live_server,
    page,
    rt,
    personas,
    totp_secret,
) -> None:
    if axe_source() is None:
        pytest.skip(
            f"axe-core not installed; install it with `{AXE_INSTALL}` or set MINDBRIDGE_AXE_JS"
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in_with_totp(page, live_server, totp_secret)
    found: dict[str, list[dict[str, Any]]] = {}
    for path in (
        "/caseload",
        f"/clients/{personas.client}",
        f"/clients/{personas.client}/measures",
        "/alerts",
        "/exercises",
        "/exercises/thought_record",
    ):
        page.goto(f"{live_server}{path}")
        found[path] = serious_violations(page)
        if path.startswith("/exercises/"):
            screenshot(page, "workspace-exercise-steps")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(PERSONA_EMAILS["other_client"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/today")
    page.goto(f"{live_server}/intake")
    found["/intake"] = serious_violations(page)
    assert not any(found.values()), json.dumps(found, indent=2)
