"""Browser journey through intake and matching: a new person completes the intake, the admin
(with two-step login) opens the queue, sees ranked matches with reasons and accepts one.
Screenshots go to test-artifacts/screenshots/. When axe-core is installed (see
test_workspace_journey) the intake page and the matches page are scanned too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import hash_password
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.config import Settings
from mindbridge.db import transaction
from mindbridge.intake import service as intake_service
from tests.conftest import PASSWORD, PERSONA_EMAILS, _settings_for
from tests.e2e.conftest import screenshot
from tests.e2e.test_workspace_journey import axe_source, serious_violations

pytestmark = pytest.mark.browser
NEW = "browser.newcomer@test.example"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return _settings_for(tmp_path, database_url, require_mfa=True)


@pytest.fixture
def admin_secret(rt, personas) -> str:  # type: ignore[no-untyped-def]
    """The admin has an authenticator; one clinician has a matching profile; a newcomer exists."""
    with transaction(rt.sessions) as db:
        admin = db.get(User, personas.admin)
        assert admin is not None
        secret = accounts_service.begin_totp_enrolment(db, rt.vault, admin)
        admin.mfa_enabled = True
        intake_service.save_profile(
            db,
            AuditContext(accounts_service.actor_of(admin), "e2e"),
            clinician_id=personas.clinician,
            specialties=["anxiety", "sleep"],
            languages=["en"],
            modalities=["video"],
            gender="",
            times=["weekday_evening"],
            capacity="12",
            accepting=True,
        )
        person = accounts_service.create_user(
            db, AuditContext(None, "e2e"), email=NEW, role=Role.CLIENT, display_name="Nell Newcomer"
        )
        person.password_hash = hash_password(PASSWORD)
    return secret


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_newcomer_completes_intake_and_admin_accepts_a_match(  # type: ignore[no-untyped-def]
    live_server, page, rt, personas, admin_secret
) -> None:
    base = live_server
    page.set_viewport_size({"width": 1280, "height": 900})
    violations: dict[str, list[dict[str, Any]]] = {}
    _log_in(page, base, NEW)
    page.wait_for_url(f"{base}/today")
    page.goto(f"{base}/intake")
    for instrument, items in (("PHQ-9", 9), ("GAD-7", 7)):
        for item in range(1, items + 1):
            value = "0" if (instrument, item) == ("PHQ-9", 9) else "1"
            page.locator(f"#{instrument}-{item}-{value}").check()
    page.get_by_role("button", name="Save questionnaires").click()
    expect(page.get_by_text("Your questionnaire answers are saved.")).to_be_visible()
    page.get_by_label("Anxiety or worry").check()
    page.get_by_label("Sleep").check()
    page.get_by_label("In your own words (optional)").fill("I can't switch off at night.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_label("How would you like to meet?").select_option("video")
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("Your time zone").fill("Europe/London")
    page.get_by_role("button", name="Save preferences").click()
    if axe_source() is not None:
        violations["/intake"] = serious_violations(page)
    page.get_by_label("The service may use my intake").check()
    page.get_by_role("button", name="Send my intake").click()
    expect(page.get_by_text("Your intake was sent")).to_be_visible()
    screenshot(page, "intake-sent")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    _log_in(page, base, PERSONA_EMAILS["admin"])
    page.wait_for_url(f"{base}/mfa**")
    page.get_by_label("6-digit code from your authenticator app").fill(
        pyotp.TOTP(admin_secret).now()
    )
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/admin")
    page.get_by_role("link", name="Intake and matching").click()
    page.locator("tbody").get_by_role("link").first.click()
    match_reason = "Works with anxiety or worry and sleep (2 of 2 concerns)"
    expect(page.get_by_text(match_reason)).to_be_visible()
    expect(page.get_by_text("I can't switch off at night.")).to_be_visible()
    screenshot(page, "intake-matches")
    if axe_source() is not None:
        violations["/admin/intake/{id}"] = serious_violations(page)
    page.get_by_role("button", name="Match with Clinician").click()
    expect(page.get_by_text("Matched.")).to_be_visible()
    screenshot(page, "intake-matched")
    with transaction(rt.sessions) as db:
        person = accounts_service.get_by_email(db, NEW)
        assert person is not None
        assert care_service.is_assigned(db, clinician_id=personas.clinician, client_id=person.id)
    assert not any(violations.values()), json.dumps(violations, indent=2)
