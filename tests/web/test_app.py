"""The web shell: health, OpenAPI, error pages, security headers, static assets."""

from __future__ import annotations

from pydantic import SecretStr

from tests.conftest import PERSONA_EMAILS, login


def test_healthz(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["database"] in ("sqlite", "postgresql")


def test_openapi_lists_the_api_with_error_responses(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    notes = spec["paths"]["/api/v1/clients/{client_id}/notes"]
    assert {"get", "post"} <= set(notes)
    assert "404" in notes["get"]["responses"]
    assert client.get("/docs").status_code == 200


def test_security_headers_and_request_id(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert len(r.headers["x-request-id"]) == 32


def test_html_and_json_404s(client) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/clients/99999", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    api = client.get("/api/v1/clients/99999/notes")
    assert api.status_code == 404 and api.json() == {"detail": "No such client."}


def test_unauthenticated_api_answers_401_json(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and "detail" in r.json()


def test_pages_have_landmarks_labels_and_skip_link(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login").text
    assert '<html lang="en">' in page and 'href="#main"' in page and "<main" in page
    assert '<label for="email">' in page and '<label for="password">' in page
    assert 'name="viewport"' in page


def test_static_assets_are_small(client) -> None:  # type: ignore[no-untyped-def]
    total = sum(len(client.get(p).content) for p in ("/static/app.css", "/static/htmx.min.js"))
    assert total < 500_000


def test_forms_work_without_javascript(client) -> None:  # type: ignore[no-untyped-def]
    """Every form is a plain POST with its CSRF token in a hidden field."""
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/consent").text
    assert '<form method="post" action="/consent">' in page
    assert 'type="hidden" name="csrf_token"' in page


def test_admin_settings_page_shows_configuration_without_secrets(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["admin"])
    page = client.get("/admin/settings")
    assert page.status_code == 200 and "Session idle timeout" in page.text
    assert rt.settings.secret_key.get_secret_value() not in page.text
    assert "imminent 15 min, elevated 1440 min, deterioration 4320 min" in page.text
    rt.settings.generative_url = "http://127.0.0.1:9/v1"
    rt.settings.generative_model = "clinic-model"
    rt.settings.generative_api_key = SecretStr("k-never-shown")
    page = client.get("/admin/settings")
    assert "clinic-model at http://127.0.0.1:9/v1" in page.text
    assert "k-never-shown" not in page.text
