"""Browser journeys for the client's own words: a check-in on a phone-sized screen, a journal
entry written, found by search and edited, and the insights page; the clinician then sees the
client's mood on their insights page."""

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


def test_client_checks_in_and_keeps_a_journal(live_server, page, personas) -> None:  # type: ignore[no-untyped-def]
    _log_in(page, live_server, PERSONA_EMAILS["client"])
    page.wait_for_url(f"{live_server}/today")
    page.get_by_role("link", name="Check in").first.click()
    page.get_by_role("group", name="Mood right now").get_by_label("6", exact=True).check()
    page.get_by_role("group", name="Anxiety right now").get_by_label("3", exact=True).check()
    page.get_by_text("Feelings").first.click()
    page.get_by_label("hopeful").check()
    page.get_by_text("What's been going on").click()
    page.get_by_label("exercise").check()
    page.get_by_label("A note").fill("Cycled to work in the sunshine")
    screenshot(page, "client-checkin-form")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved. Thank you.")).to_be_visible()
    expect(page.get_by_text("Cycled to work in the sunshine")).to_be_visible()
    screenshot(page, "client-checkins")

    page.get_by_role("link", name="Journal").first.click()
    page.get_by_role("link", name="Write an entry").click()
    page.get_by_label("Title").fill("Sunday")
    page.get_by_label("What's on your mind").fill("Repotted the basil and called my aunt.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Entry saved.")).to_be_visible()
    page.get_by_label("Search my entries").fill("basil")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 entry containing")).to_be_visible()
    page.get_by_role("link", name="Sunday").click()
    page.get_by_label("What's on your mind").fill("Repotted the basil, then called my aunt.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("then called my aunt")).to_be_visible()
    screenshot(page, "client-journal")

    page.get_by_role("link", name="Insights").first.click()
    expect(page.get_by_role("heading", name="Patterns")).to_be_visible()
    expect(page.get_by_text("appear after 14 days")).to_be_visible()
    screenshot(page, "client-insights")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    _log_in(page, live_server, PERSONA_EMAILS["clinician"])
    page.wait_for_url(f"{live_server}/caseload")
    page.goto(f"{live_server}/clients/{personas.client}/insights")
    expect(page.get_by_text("From 1 check-ins on 1 days")).to_be_visible()
    expect(page.get_by_text("Not shared with the care team: journal")).to_be_visible()
    screenshot(page, "clinician-client-insights")
