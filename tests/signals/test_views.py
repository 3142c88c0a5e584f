"""Signals through real HTTP: the device API with bearer tokens, the client's page and upload,
the care team's page (and "not shared"), and the overview section."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mindbridge.access.domain import Actor, Role, Stream
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction, utcnow
from mindbridge.signals.models import SignalImport, SignalObservation
from mindbridge.workspace.sections import sections
from tests.conftest import PERSONA_EMAILS, csrf_of, login
from tests.signals.support import consent, count, days_of, generic_csv, grant


def _token(rt, user_id: int, scopes: str = "read,write") -> dict[str, str]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        user = db.get(User, user_id)
        assert user is not None
        ctx = AuditContext(Actor(user_id, Role(user.role)), "test")
        _row, token = accounts_service.create_api_token(db, ctx, user, name="t", scopes=scopes)
    return {"authorization": f"Bearer {token}"}


def _batch(n: int = 3, *, value: float = 400) -> dict[str, object]:
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=n + 1)
    return {
        "device_id": "phone-1",
        "observations": [
            {
                "id": f"s{i}",
                "stream": "steps",
                "start": (start + timedelta(hours=i)).isoformat(),
                "end": (start + timedelta(hours=i + 1)).isoformat(),
                "value": value,
                "unit": "count",
            }
            for i in range(n)
        ],
    }


def test_api_batch_with_a_bearer_token_is_idempotent(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/clients/{personas.client}/signals"
    mine = _token(rt, personas.client)
    first = client.post(url, json=_batch(), headers=mine)
    assert first.status_code == 201, first.text
    assert (first.json()["added"], first.json()["status"]) == (3, "imported")
    again = client.post(url, json=_batch(), headers=mine)
    assert again.status_code == 200 and again.json()["duplicates"] == 3
    assert count(rt, SignalObservation) == 3
    own = client.post("/api/v1/signals", json=_batch(4), headers=mine)  # the own-token route
    assert own.status_code == 201 and own.json()["added"] == 1
    days = client.get(url, headers=_token(rt, personas.clinician, "read"))
    assert days.status_code == 200 and days.json()[-1]["completeness"]["steps"] > 0


def test_forbidden_callers_get_404_and_write_nothing(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/clients/{personas.client}/signals"
    for who in (personas.other_client, personas.clinician, personas.admin):
        response = client.post(url, json=_batch(), headers=_token(rt, who))
        assert response.status_code == 404, (who, response.status_code)
    stranger = client.post(url, json={"nonsense": True}, headers=_token(rt, personas.other_client))
    assert stranger.status_code == 404  # the same answer whatever is sent
    assert client.post(url, json=_batch()).status_code in (401, 403)  # no token: CSRF, login
    clinician_own = client.post(
        "/api/v1/signals", json=_batch(), headers=_token(rt, personas.clinician)
    )
    assert clinician_own.status_code == 404
    read_only = client.post(url, json=_batch(), headers=_token(rt, personas.client, "read"))
    assert read_only.status_code == 401
    assert count(rt, SignalObservation) == 0 and count(rt, SignalImport) == 0


def test_api_batch_with_a_bad_item_is_refused_whole(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    body = _batch(3)
    body["observations"][1]["value"] = -4  # type: ignore[index]
    body["observations"][2]["unit"] = "furlongs"  # type: ignore[index]
    response = client.post(
        f"/api/v1/clients/{personas.client}/signals", json=body, headers=_token(rt, personas.client)
    )
    assert response.status_code == 422
    out = response.json()
    assert out["status"] == "rejected" and [r["line"] for r in out["rejected"]] == [2, 3]
    assert count(rt, SignalObservation) == 0
    consent(rt, personas.client, care_team=False)
    refused = client.post(
        f"/api/v1/clients/{personas.client}/signals",
        json=_batch(),
        headers=_token(rt, personas.client),
    )
    assert refused.status_code == 409 and "not turned on" in refused.json()["detail"]


def test_client_uploads_a_file_and_sees_their_signals(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/me/signals")
    assert page.status_code == 200 and "My signals" in page.text and "No signals yet" in page.text
    token = csrf_of(client, "/me/signals")
    today = utcnow().date()
    data = generic_csv(days_of("steady", last_day=today, days=45, tz="UTC", until=utcnow()))
    done = client.post(
        "/me/signals",
        data={"csrf_token": token, "format": "generic"},
        files={"file": ("phone.csv", data, "text/csv")},
    )
    assert done.status_code == 200, done.text
    assert "Import done: phone.csv" in done.text and "What we noticed" in done.text
    assert "Sleep (hours a night)" in done.text and "<svg" in done.text
    assert "not as zero" in done.text  # missing days are explained on every chart
    broken = client.post(
        "/me/signals",
        data={"csrf_token": token, "format": "generic"},
        files={
            "file": ("bad.csv", b"timestamp,stream,value,unit\nnope,steps,1,count\n", "text/csv")
        },
    )
    assert broken.status_code == 422 and "Import refused" in broken.text
    assert "unreadable timestamp" in broken.text
    empty = client.post("/me/signals", data={"csrf_token": token})
    assert empty.status_code == 422 and "choose a file" in empty.text


def test_clinician_page_shows_signals_or_not_shared(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    today = utcnow().date()
    with transaction(rt.sessions) as db:
        from mindbridge.access.domain import Action
        from mindbridge.signals import service as signals_service

        g = grant(db, personas.client, Action.WRITE)
        signals_service.import_file(
            db,
            g,
            rt.vault,
            source=generic_csv(
                days_of("deteriorating", last_day=today, days=60, tz="UTC", until=utcnow())
            ),
            fmt="generic",
        )
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}/signals")
    assert page.status_code == 200
    assert "Deterioration score (0 to 1)" in page.text and "alert line" in page.text
    assert "steps down" in page.text.lower() and "How much data arrived" in page.text
    assert client.get(f"/clients/{personas.other_client}/signals").status_code == 404
    consent(rt, personas.client, care_team=False)
    hidden = client.get(f"/clients/{personas.client}/signals")
    assert hidden.status_code == 200 and "not shared" in hidden.text
    assert "Deterioration score" not in hidden.text


def test_overview_section_is_registered_and_renders(rt, personas) -> None:  # type: ignore[no-untyped-def]
    section = next(s for s in sections() if s.key == "signals")
    assert section.resource is Stream.SIGNALS and section.order == 40
    with transaction(rt.sessions) as db:
        html = section.render(db, grant(db, personas.client, user_id=personas.clinician), rt)
    assert "No signals received yet" in html
    assert f"/clients/{personas.client}/signals" in html
    with transaction(rt.sessions) as db:
        assert db.execute(select(SignalImport)).first() is None
