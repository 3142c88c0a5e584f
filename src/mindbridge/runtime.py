"""Process-wide wiring: settings, engine, session factory and vault, built once and replaceable."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.config import Settings, get_settings
from mindbridge.crypto.domain import KeyRing
from mindbridge.crypto.service import Vault
from mindbridge.db import make_engine, make_sessionmaker


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    vault: Vault
    secret_key: bytes


def build_runtime(settings: Settings) -> Runtime:
    # Every table must be mapped before the first flush, whichever process (web, worker, CLI).
    import mindbridge.models  # noqa: F401

    settings.ensure_data_dir()
    engine = make_engine(settings.resolved_database_url, echo=settings.log_sql)
    secret = settings.secret_key_bytes()
    index_secret = hmac.new(secret, b"blind-index", hashlib.sha256).digest()
    vault = Vault(ring=KeyRing.parse(settings.kek_bytes()), index_secret=index_secret)
    return Runtime(settings, engine, make_sessionmaker(engine), vault, secret)


_current: Runtime | None = None


def runtime() -> Runtime:
    global _current
    if _current is None:
        _current = build_runtime(get_settings())
    return _current


def install(rt: Runtime | None) -> None:
    """Swap the process runtime (tests use this to point at their own database)."""
    global _current
    _current = rt
