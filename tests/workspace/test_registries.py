"""The two registries other capabilities plug into: triage providers and overview sections."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pytest
from markupsafe import Markup
from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.runtime import Runtime
from mindbridge.workspace import providers, sections
from mindbridge.workspace.providers import TriageInput
from mindbridge.workspace.triage import Reason, Tier
from tests.conftest import PERSONA_EMAILS, login
from tests.workspace import history


@pytest.fixture
def signals_provider() -> Iterator[list[list[int]]]:
    seen: list[list[int]] = []

    @providers.triage_provider("test-signals", resource=Stream.SIGNALS)
    def collect(data: TriageInput) -> Mapping[int, Sequence[Reason]]:
        ids = [g.client_id for g in data.grants]
        seen.append(ids)
        found = {
            i: [Reason("signals", Tier.URGENT, 9_999, "Deterioration score 0.82")] for i in ids
        }
        found[987_654] = [Reason("signals", Tier.HIGH, 1, "about someone not granted")]
        return found

    yield seen
    providers._PROVIDERS.pop("test-signals")


def test_a_contributed_provider_sees_only_granted_clients_and_is_capped(  # type: ignore[no-untyped-def]
    client,
    rt,
    personas,
    signals_provider,
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    text = client.get("/caseload").text
    assert signals_provider == [[personas.client]]
    assert "Deterioration score 0.82" in text and "about someone not granted" not in text
    assert "<strong>high</strong>" in text  # capped from urgent
    assert "Passive signals (sleep, activity, screen time) (1)</option>" in text
    filtered = client.get("/caseload?show=test-signals").text
    assert "Deterioration score 0.82" in filtered


def test_a_provider_is_not_given_clients_who_do_not_share_its_stream(  # type: ignore[no-untyped-def]
    client,
    rt,
    personas,
    signals_provider,
) -> None:
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            history.as_client(personas.client),
            client_id=personas.client,
            wanted={(Stream.SIGNALS, Purpose.CARE_TEAM): False},
        )
    login(client, PERSONA_EMAILS["clinician"])
    text = client.get("/caseload").text
    assert signals_provider == [[]]
    assert "Not shared with the care team: passive signals (sleep, activity, screen time)." in text


@pytest.fixture
def extra_sections() -> Iterator[None]:
    @sections.overview_section("test-journal", title="Journal", order=50, resource=Stream.JOURNAL)
    def journal(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
        return Markup("<p>journal body</p>")

    @sections.overview_section("test-broken", title="Broken", order=60, resource=Stream.CHECKINS)
    def broken(db: Session, grant: ClientGrant, rt: Runtime) -> Markup:
        raise RuntimeError("boom")

    yield
    sections._SECTIONS.pop("test-journal")
    sections._SECTIONS.pop("test-broken")


def test_a_section_not_shared_says_so_and_a_broken_one_does_not_break_the_page(  # type: ignore[no-untyped-def]
    client,
    personas,
    extra_sections,
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}")
    assert page.status_code == 200
    assert "journal body" not in page.text  # the fixture client keeps the journal private
    assert "Client does not share journal entries with the care team." in page.text
    assert "This section could not be shown just now." in page.text
    assert '-title">Session notes</h2>' in page.text


def test_workspace_registers_its_own_sections() -> None:
    keys = [s.key for s in sections.sections()]
    assert {"alerts", "questionnaires", "appointments", "notes"} <= set(keys)
    assert keys.index("alerts") < keys.index("questionnaires") < keys.index("notes")
