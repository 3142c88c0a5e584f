"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# Modules that build process-wide objects at import (the job queue) must not touch ./var.
os.environ.setdefault("MINDBRIDGE_DATA_DIR", tempfile.mkdtemp(prefix="mindbridge-test-"))


def shared_data_dir() -> Path:
    """The team's labelled datasets live beside the repository, never inside it."""
    return Path(os.environ.get("MINDBRIDGE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared datasets missing at {path}")
        pytest.skip(f"shared datasets not found at {path}")
    return path


# --- database, runtime and personas ---------------------------------------------------------

import re  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from mindbridge.access.domain import Purpose, Role, Stream  # noqa: E402
from mindbridge.config import Settings  # noqa: E402
from mindbridge.runtime import Runtime, build_runtime, install  # noqa: E402

TEST_KEK = "k1:" + "11" * 32
TEST_SECRET = "test-secret-" + "ab" * 16
PASSWORD = "correct horse battery"
PG_URL = os.environ.get("MINDBRIDGE_TEST_DATABASE_URL", "")


@dataclass
class Personas:
    admin: int
    clinician: int  # assigned to client
    other_clinician: int  # assigned to other_client only
    client: int
    other_client: int


PERSONA_EMAILS = {
    "admin": "admin@test.example",
    "clinician": "clinician@test.example",
    "other_clinician": "other.clinician@test.example",
    "client": "client@test.example",
    "other_client": "other.client@test.example",
}


def _seed_personas(rt: Runtime) -> Personas:
    from mindbridge.accounts import service as accounts_service
    from mindbridge.accounts.domain import hash_password
    from mindbridge.audit.service import AuditContext
    from mindbridge.care import service as care_service
    from mindbridge.consent import service as consent_service
    from mindbridge.db import transaction

    ctx = AuditContext(actor=None, request_id="fixture")
    hashed = hash_password(PASSWORD)
    roles = {
        "admin": Role.ADMIN,
        "clinician": Role.CLINICIAN,
        "other_clinician": Role.CLINICIAN,
        "client": Role.CLIENT,
        "other_client": Role.CLIENT,
    }
    ids: dict[str, int] = {}
    with transaction(rt.sessions) as db:
        for name, email in PERSONA_EMAILS.items():
            user = accounts_service.create_user(
                db, ctx, email=email, role=roles[name], display_name=name.replace("_", " ").title()
            )
            user.password_hash = hashed
            ids[name] = user.id
        care_service.assign(db, clinician_id=ids["clinician"], client_id=ids["client"], by=None)
        care_service.assign(
            db, clinician_id=ids["other_clinician"], client_id=ids["other_client"], by=None
        )
        # The client shares everything with the care team except the journal.
        wanted = {(s, Purpose.CARE_TEAM): s is not Stream.JOURNAL for s in Stream}
        for who in ("client", "other_client"):
            consent_service.set_consent(db, ctx, client_id=ids[who], wanted=wanted)
    return Personas(**ids)


def _settings_for(data_dir: Path, url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": url,
        "kek": TEST_KEK,
        "secret_key": TEST_SECRET,
        "require_mfa": False,
        # tests that need the text models in the companion load them themselves
        "companion_text_models": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Template:
    kind: str  # "sqlite" or "postgresql"
    location: str  # file path or database name
    personas: Personas


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    from mindbridge.migrations import upgrade

    base = tmp_path_factory.mktemp("template")
    if PG_URL:
        name = f"mb_template_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_db_url(name)
    else:
        url = f"sqlite:///{base / 'template.db'}"
    upgrade(url)
    rt = build_runtime(_settings_for(base, url))
    personas = _seed_personas(rt)
    rt.engine.dispose()
    if PG_URL:
        yield Template("postgresql", name, personas)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield Template("sqlite", str(base / "template.db"), personas)


def _pg_db_url(name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", PG_URL)


@pytest.fixture
def database_url(db_template: Template, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the migrated, persona-seeded template database for each test."""
    if db_template.kind == "sqlite":
        path = tmp_path / "mindbridge.db"
        shutil.copyfile(db_template.location, path)
        yield f"sqlite:///{path}"
        return
    name = f"mb_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{db_template.location}"'))
    yield _pg_db_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return _settings_for(tmp_path, database_url)


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    runtime = build_runtime(settings)
    install(runtime)
    yield runtime
    install(None)
    runtime.engine.dispose()


@pytest.fixture
def personas(db_template: Template) -> Personas:
    return db_template.personas


@pytest.fixture
def app(rt: Runtime):  # type: ignore[no-untyped-def]
    from mindbridge.web.app import create_app

    return create_app(rt, kick=lambda: None)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def login_as(client: TestClient):  # type: ignore[no-untyped-def]
    def _login(persona: str) -> TestClient:
        login(client, PERSONA_EMAILS[persona])
        return client

    return _login


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, run only the tests that touch a database."""
    if not os.environ.get("MINDBRIDGE_TEST_DB_ONLY"):
        return
    keep = [i for i in items if "database_url" in getattr(i, "fixturenames", ())]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep
