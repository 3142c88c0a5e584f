"""Browser smoke test: the demo clinician and client log in and see their home pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, PERSONA_EMAILS
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_clinician_logs_in_and_sees_the_caseload(live_server, page, personas) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server, PERSONA_EMAILS["clinician"])
    page.wait_for_url(f"{live_server}/caseload")
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Client").first).to_be_visible()
    screenshot(page, "clinician-caseload")
    page.get_by_role("link", name="Client").first.click()
    page.get_by_label("New note (stored encrypted)").fill("Browser-written note")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Browser-written note")).to_be_visible()
    screenshot(page, "clinician-client")


def test_client_logs_in_sees_today_and_changes_consent(live_server, page) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server, PERSONA_EMAILS["client"])
    page.wait_for_url(f"{live_server}/today")
    expect(page.get_by_role("heading", name="Your care team")).to_be_visible()
    expect(page.get_by_text("988").first).to_be_visible()
    screenshot(page, "client-today")
    page.get_by_role("link", name="My data & consent").click()
    box = page.get_by_role("group", name="Journal entries").get_by_label("My care team can see it")
    assert not box.is_checked()
    box.check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("1 choice changed")).to_be_visible()
    screenshot(page, "client-consent")


def test_logout_ends_the_session(live_server, page) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server, PERSONA_EMAILS["admin"])
    page.wait_for_url(f"{live_server}/admin")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(f"{live_server}/admin")
    assert "/login" in page.url
