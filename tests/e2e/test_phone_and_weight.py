"""Pages stay usable on a 360 px wide phone (no sideways scrolling of the page itself; wide
tables scroll inside their own region) and light over slow connections (each page with all its
assets under 500 KB, measured with an empty cache, which is stricter than after a first load)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, PERSONA_EMAILS
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

LIMIT = 500 * 1024
CLIENT_PAGES = (
    "/today",
    "/checkin",
    "/checkins",
    "/journal",
    "/insights",
    "/me/signals",
    "/companion",
    "/questionnaires",
    "/appointments",
    "/safety-plan",
    "/consent",
)
CLINICIAN_PAGES = (
    "/caseload",
    "/clients/{client}",
    "/clients/{client}/insights",
    "/alerts",
    "/exercises/cbti_sleep_restriction",
)


def _log_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _check(page, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    sizes: list[int] = []
    page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    return sum(sizes), int(overflow)


@pytest.mark.parametrize("who", ["client", "clinician"])
def test_pages_fit_a_phone_and_stay_light(browser, live_server, personas, who) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        _log_in(page, live_server, PERSONA_EMAILS[who])
        pages = CLIENT_PAGES if who == "client" else CLINICIAN_PAGES
        problems = []
        for path in pages:
            url = live_server + path.format(client=personas.client)
            fresh = context.new_page()
            total, overflow = _check(fresh, url)
            if total > LIMIT:
                problems.append(f"{path}: {total // 1024} KB")
            if overflow > 1:
                problems.append(f"{path}: the page scrolls sideways by {overflow} px")
            if path in ("/insights", "/clients/{client}"):
                screenshot(
                    fresh,
                    f"phone-{who}-{path.strip('/').replace('/', '-').replace('{client}', 'c')}",
                )
            fresh.close()
        assert not problems, problems
    finally:
        context.close()
