"""The between-sessions loop in a real browser: the clinician sets homework and a questionnaire,
the client does the homework in the companion and answers the questionnaire, and the clinician
sees both. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from mindbridge.db import utcnow
from tests.companion.test_homework import GROUNDING_ANSWERS
from tests.conftest import PASSWORD, PERSONA_EMAILS
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_label("Your message")
    box.fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(box).to_have_value("")  # htmx empties the box once the reply is on the page


def test_homework_and_questionnaire_round_trip(live_server, page, personas) -> None:  # type: ignore[no-untyped-def]
    base, client_id = live_server, personas.client
    _log_in(page, base, PERSONA_EMAILS["clinician"])
    page.goto(f"{base}/clients/{client_id}/homework")
    page.get_by_label("Exercise").select_option("grounding_54321")
    due = (utcnow() + timedelta(days=2)).date().isoformat()
    page.get_by_label("Due (their local date)").fill(due)
    page.get_by_label("Note for them (optional)").fill("Before the team meeting.")
    page.get_by_role("button", name="Set homework").click()
    page.goto(f"{base}/clients/{client_id}/measures")
    page.get_by_label("Questionnaire", exact=True).select_option("GAD-7")
    page.get_by_role("button", name="Save schedule").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    _log_in(page, base, PERSONA_EMAILS["client"])
    expect(page.get_by_role("heading", name="Your homework")).to_be_visible()
    page.goto(f"{base}/companion")
    _say(page, "hello")
    expect(page.get_by_text("Before the team meeting.").first).to_be_visible()
    _say(page, "yes")
    for line in GROUNDING_ANSWERS:
        _say(page, line)
    expect(page.get_by_text("That's your homework done").first).to_be_visible()
    screenshot(page, "journey-client-homework-done")

    page.goto(f"{base}/questionnaires/GAD-7")
    for i in range(page.locator("fieldset").count()):
        page.locator("fieldset").nth(i).locator("input[value='1']").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    screenshot(page, "journey-client-gad7-result")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")

    _log_in(page, base, PERSONA_EMAILS["clinician"])
    page.goto(f"{base}/clients/{client_id}/homework")
    expect(page.get_by_text("helpfulness 4/5").first).to_be_visible()
    screenshot(page, "journey-clinician-homework")
    page.goto(f"{base}/clients/{client_id}/measures")
    expect(page.get_by_role("cell", name="7 / 21", exact=True).first).to_be_visible()  # GAD-7 total
    screenshot(page, "journey-clinician-measures")
