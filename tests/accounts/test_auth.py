"""Login, throttling, sessions, MFA, invitations, password reset and API tokens, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mindbridge.accounts.domain import PasswordPolicyError, Throttle, check_password_policy
from mindbridge.accounts.models import OneTimeToken, User, WebSession
from mindbridge.db import transaction, utcnow
from mindbridge.jobs import outbox
from mindbridge.web.app import create_app
from tests.conftest import PASSWORD, PERSONA_EMAILS, csrf_of, login


def _post_login(client: TestClient, email: str, password: str) -> int:
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    ).status_code


def test_each_role_lands_on_its_home_page(client) -> None:  # type: ignore[no-untyped-def]
    for persona, home, marker in [
        ("client", "/today", "Your care team"),
        ("clinician", "/caseload", "clients on your caseload"),
        ("admin", "/admin", "Administration"),
    ]:
        login(client, PERSONA_EMAILS[persona])
        page = client.get("/")
        assert page.url.path == home and marker in page.text
        client.post("/logout", data={"csrf_token": csrf_of(client, home)})
        assert client.get(home, follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_without_revealing_which_part(client) -> None:  # type: ignore[no-untyped-def]
    assert _post_login(client, PERSONA_EMAILS["client"], "wrong password!!") == 400
    assert _post_login(client, "nobody@test.example", "wrong password!!") == 400


def test_login_throttling(client, rt) -> None:  # type: ignore[no-untyped-def]
    email = PERSONA_EMAILS["client"]
    for _ in range(rt.settings.login_max_failures):
        assert _post_login(client, email, "not the password") == 400
    # Even the right password is refused while throttled.
    assert _post_login(client, email, PASSWORD) == 429
    assert _post_login(client, PERSONA_EMAILS["other_client"], PASSWORD) == 303


def test_throttle_window_rule() -> None:
    t = Throttle(3, timedelta(minutes=15))
    now = utcnow()
    assert t.retry_after([now - timedelta(minutes=1)] * 2, now) is None
    wait = t.retry_after([now - timedelta(minutes=m) for m in (1, 2, 14)], now)
    assert wait is not None and timedelta(0) < wait <= timedelta(minutes=1)
    assert t.retry_after([now - timedelta(minutes=m) for m in (20, 30, 40)], now) is None


def test_session_cookie_flags_and_idle_timeout(client, rt) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": PERSONA_EMAILS["client"], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/today").status_code == 200
    with transaction(rt.sessions) as db:
        for row in db.execute(select(WebSession)).scalars():
            row.last_seen_at = utcnow() - timedelta(minutes=rt.settings.session_idle_minutes + 1)
    assert client.get("/today", follow_redirects=False).status_code == 303


def test_secure_cookie_under_https(rt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rt.settings.base_url = "https://care.example.org"
    app = create_app(rt, kick=lambda: None)
    with TestClient(app, base_url="https://testserver") as c:
        token = csrf_of(c)
        response = c.post(
            "/login",
            data={"email": PERSONA_EMAILS["client"], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert "secure" in response.headers["set-cookie"].lower()


def test_clinician_must_enrol_and_use_totp_when_mfa_is_required(rt) -> None:  # type: ignore[no-untyped-def]
    rt.settings.require_mfa = True
    app = create_app(rt, kick=lambda: None)
    with TestClient(app) as c:
        token = csrf_of(c)
        r = c.post(
            "/login",
            data={"email": PERSONA_EMAILS["clinician"], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/mfa/setup"
        assert c.get("/caseload", follow_redirects=False).headers["location"] == "/mfa/setup"
        setup = c.get("/mfa/setup")
        assert "Demo mode" not in setup.text
        secret = re.search(r"<code>([A-Z2-7]+)</code>", setup.text).group(1)  # type: ignore[union-attr]
        bad = c.post("/mfa/setup", data={"code": "000000", "csrf_token": csrf_of(c, "/login")})
        assert bad.status_code == 400
        ok = c.post(
            "/mfa/setup",
            data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(c, "/login")},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        assert c.get("/caseload").status_code == 200
        c.post("/logout", data={"csrf_token": csrf_of(c, "/caseload")})
        # Next login asks for the code.
        r = c.post(
            "/login",
            data={
                "email": PERSONA_EMAILS["clinician"],
                "password": PASSWORD,
                "csrf_token": csrf_of(c),
            },
            follow_redirects=False,
        )
        assert r.headers["location"].startswith("/mfa?")
        assert c.get("/caseload", follow_redirects=False).headers["location"] == "/mfa"
        assert c.get("/api/v1/me").status_code == 401
        r = c.post(
            "/mfa",
            data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(c, "/login")},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert c.get("/api/v1/me").json()["mfa_enabled"] is True
    # Clients are not forced into MFA.
    with TestClient(app) as c:
        login(c, PERSONA_EMAILS["client"])
        assert c.get("/today").status_code == 200


def test_demo_banner_when_mfa_is_off(client) -> None:  # type: ignore[no-untyped-def]
    assert "Demo mode" in client.get("/login").text


def _invite_token(rt, email: str) -> str:  # type: ignore[no-untyped-def]
    from mindbridge.accounts import service as accounts_service
    from mindbridge.accounts.domain import TokenPurpose
    from mindbridge.audit.service import AuditContext

    with transaction(rt.sessions) as db:
        user = accounts_service.get_by_email(db, email)
        assert user is not None
        return accounts_service.issue_token(db, AuditContext(None), user, TokenPurpose.INVITE)


def test_admin_invites_a_client_who_sets_a_password_once(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["admin"])
    r = client.post(
        "/admin/users",
        data={
            "email": "New.Person@Test.example",
            "display_name": "New Person",
            "role": "client",
            "clinician_id": personas.clinician,
            "csrf_token": csrf_of(client, "/admin/users"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    with transaction(rt.sessions) as db:
        pending = outbox.pending_count(db)
    assert pending == 1  # the invitation email waits in the outbox
    token = _invite_token(rt, "new.person@test.example")
    client.post("/logout", data={"csrf_token": csrf_of(client, "/admin")})
    weak = client.post(
        f"/invite/{token}", data={"password": "short", "csrf_token": csrf_of(client)}
    )
    assert weak.status_code == 400 and "12 characters" in weak.text
    ok = client.post(
        f"/invite/{token}",
        data={"password": "a long enough passphrase", "csrf_token": csrf_of(client)},
    )
    assert ok.status_code == 200 and "password is set" in ok.text
    again = client.post(
        f"/invite/{token}",
        data={"password": "another long passphrase", "csrf_token": csrf_of(client)},
    )
    assert again.status_code == 404
    login(client, "new.person@test.example", "a long enough passphrase")
    assert client.get("/today").status_code == 200


def test_expired_token_is_refused(client, rt) -> None:  # type: ignore[no-untyped-def]
    token = _invite_token(rt, PERSONA_EMAILS["other_client"])
    with transaction(rt.sessions) as db:
        for row in db.execute(select(OneTimeToken)).scalars():
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get(f"/invite/{token}").status_code == 404


def test_password_reset_flow_and_no_account_enumeration(client, rt) -> None:  # type: ignore[no-untyped-def]
    known = client.post(
        "/password/forgot", data={"email": PERSONA_EMAILS["client"], "csrf_token": csrf_of(client)}
    )
    unknown = client.post(
        "/password/forgot", data={"email": "ghost@test.example", "csrf_token": csrf_of(client)}
    )
    assert known.text == unknown.text
    with transaction(rt.sessions) as db:
        payloads = [e.payload for e in db.execute(select(outbox.OutboxEvent)).scalars()]
    assert len(payloads) == 1
    token = re.search(r"/password/reset/([A-Za-z0-9_-]+)", payloads[0]).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"/password/reset/{token}",
        data={"password": "brand new passphrase", "csrf_token": csrf_of(client)},
    )
    assert "password is set" in r.text
    assert _post_login(client, PERSONA_EMAILS["client"], PASSWORD) == 400
    assert _post_login(client, PERSONA_EMAILS["client"], "brand new passphrase") == 303


def test_password_policy() -> None:
    with pytest.raises(PasswordPolicyError):
        check_password_policy("short")
    with pytest.raises(PasswordPolicyError):
        check_password_policy("alice-is-my-password", email="alice@example.org")
    check_password_policy("a sufficiently long passphrase")


def test_api_tokens_are_scoped_hashed_and_revocable(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    page = client.post(
        "/settings/tokens",
        data={
            "name": "script",
            "scopes": ["read"],
            "csrf_token": csrf_of(client, "/settings/tokens"),
        },
    )
    token = re.search(r"<code>(mb_[A-Za-z0-9_-]+)</code>", page.text).group(1)  # type: ignore[union-attr]
    with transaction(rt.sessions) as db:
        from mindbridge.accounts.models import ApiToken

        stored = db.execute(select(ApiToken)).scalar_one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
        token_id = stored.id
    api = TestClient(client.app)
    headers = {"authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).json()["email"] == PERSONA_EMAILS["clinician"]
    assert len(api.get("/api/v1/clients", headers=headers).json()) == 1
    # A read token cannot write, and needs no CSRF token because browsers never send it.
    write = api.post("/api/v1/clients/4/notes", headers=headers, json={"body": "x"})
    assert write.status_code == 401
    client.post(
        f"/settings/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_of(client, "/settings/tokens")},
    )
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert api.get("/api/v1/me", headers={"authorization": "Bearer mb_nonsense"}).status_code == 401


def test_write_token_adds_a_note_through_the_api(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    page = client.post(
        "/settings/tokens",
        data={
            "name": "ehr sync",
            "scopes": ["read", "write"],
            "csrf_token": csrf_of(client, "/settings/tokens"),
        },
    )
    token = re.search(r"<code>(mb_[A-Za-z0-9_-]+)</code>", page.text).group(1)  # type: ignore[union-attr]
    api = TestClient(client.app)
    headers = {"authorization": f"Bearer {token}"}
    created = api.post(
        f"/api/v1/clients/{personas.client}/notes",
        headers=headers,
        json={"body": "Session 4: reviewed homework."},
    )
    assert created.status_code == 201
    empty = api.post(f"/api/v1/clients/{personas.client}/notes", headers=headers, json={"body": ""})
    assert empty.status_code == 422
    notes = api.get(f"/api/v1/clients/{personas.client}/notes", headers=headers).json()
    assert [n["body"] for n in notes] == ["Session 4: reviewed homework."]
    assert (
        api.get(f"/api/v1/clients/{personas.other_client}/notes", headers=headers).status_code
        == 404
    )


def test_inactive_user_cannot_log_in(client, rt) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        user = db.execute(select(User).where(User.email == PERSONA_EMAILS["client"])).scalar_one()
        user.is_active = False
    assert _post_login(client, PERSONA_EMAILS["client"], PASSWORD) == 400
