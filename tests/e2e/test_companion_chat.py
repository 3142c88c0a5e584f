"""The companion's chat in a real browser: replies arrive through htmx without reloading the
page, the message box is cleared and focused, a refused message shows in the page, the slow
breathing timer runs (its phase label changes, pause and resume work), nothing breaks the
Content-Security-Policy, and /companion with a timer has no serious accessibility violations.
The screenshot goes to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, PERSONA_EMAILS, Personas
from tests.e2e.conftest import screenshot
from tests.e2e.test_workspace_journey import axe_source, serious_violations

pytestmark = pytest.mark.browser


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/today")


def _say(page: Any, text: str, then: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#chat-log").get_by_text(then).last).to_be_visible()


def test_chat_replies_in_place_and_the_breathing_timer_runs(
    live_server: str, page: Any, personas: Personas
) -> None:
    base = live_server
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _log_in(page, base, PERSONA_EMAILS["client"])
    page.goto(f"{base}/companion")
    page.evaluate("window.stillThisPage = 'yes'")  # a full page load would drop it
    box = page.get_by_label("Your message")

    _say(page, "hello", then="How are you feeling today?")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(page.locator("#chat-empty")).to_have_count(0)
    assert page.evaluate("window.stillThisPage") == "yes"

    page.get_by_role("button", name="Send", exact=True).click()  # nothing typed
    expect(page.locator("#chat-error")).to_contain_text("Type a message first.")
    expect(page.locator("#chat-error [role=alert]")).to_have_count(1)

    _say(page, "I want to do a breathing exercise", then="how is your mood right now")
    expect(page.locator("#chat-error")).to_be_empty()
    page.get_by_role("button", name="5", exact=True).click()  # a quick reply, through htmx
    expect(page.get_by_text("How long would you like: 1, 3 or 5 minutes?")).to_be_visible()
    _say(page, "1 minute", then="Tell me when you've finished.")

    timer = page.locator("[data-timer]")
    expect(timer).to_be_visible()
    expect(timer).to_have_attribute("data-inhale-seconds", "4")
    phase = timer.locator(".timer-phase")
    expect(phase).to_have_attribute("aria-live", "polite")
    expect(timer.locator(".timer-clock")).to_have_text("1:00")
    timer.get_by_role("button", name="Start").click()
    expect(phase).to_have_text("Breathe in")
    expect(timer.locator(".timer-circle")).to_have_class(re.compile(r"\bis-in\b"))
    expect(phase).to_have_text("Breathe out", timeout=8_000)  # after 4 s
    expect(timer.locator(".timer-circle")).to_have_class(re.compile(r"\bis-out\b"))
    expect(timer.locator(".timer-clock")).not_to_have_text("1:00")
    timer.get_by_role("button", name="Pause").click()
    expect(phase).to_have_text("Paused.")
    timer.get_by_role("button", name="Resume").click()
    expect(phase).not_to_have_text("Paused.")
    screenshot(page, "companion-chat-breathing-timer")
    animation = "getComputedStyle(document.querySelector('.timer-circle')).animationName"
    assert page.evaluate(animation) in ("timer-grow", "timer-shrink")
    page.emulate_media(reduced_motion="reduce")  # no growing and shrinking; the label stays
    assert page.evaluate(animation) == "none"
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate("window.stillThisPage") == "yes"

    if axe_source() is not None:
        page.set_viewport_size({"width": 1280, "height": 900})
        assert serious_violations(page) == []

    page.reload()  # mid-exercise: the timer and its quick replies come back, ready to start
    timer = page.locator("[data-timer]")
    expect(timer.locator(".timer-clock")).to_have_text("1:00")
    timer.get_by_role("button", name="Start").click()
    expect(timer.locator(".timer-phase")).to_have_text("Breathe in")

    page.get_by_role("button", name="Done", exact=True).click()
    expect(page.get_by_text("Would you like another round?")).to_be_visible()
    expect(page.locator("[data-timer]")).to_have_count(0)  # the next reply has no timer
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
