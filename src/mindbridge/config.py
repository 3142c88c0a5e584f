"""One settings object, read from `MINDBRIDGE_*` environment variables and validated at start."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(RuntimeError):
    """Raised with a message a person running the platform can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINDBRIDGE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    demo_password: SecretStr | None = None
    base_url: str | None = None
    # Secrets: a value, or a file holding it; else generated into the data directory.
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    kek: SecretStr | None = None
    kek_file: Path | None = None
    require_mfa: bool = True
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=24 * 30)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    break_glass_minutes: int = Field(default=60, ge=5, le=24 * 60)
    booking_min_notice_hours: int = Field(default=24, ge=0, le=24 * 14)
    appointment_reminder_hours: str = "24,1"
    alert_target_minutes: str = "imminent=15,elevated=1440,deterioration=4320"
    on_call_email: str | None = None
    imminent_overrides_consent: bool = True
    instrument_packs_dir: Path | None = None
    # Analyse client free text (emotions, stress, thinking traps, themes) in the job runner.
    language_analysis: bool = True
    # The web process loads the text models in the background so the companion can name the
    # feelings it hears and suggest thinking traps in a thought record (until then, without).
    companion_text_models: bool = True
    # Offer clients only exercises whose current version a clinician at this service signed off
    # on /exercises (or whose flow file records a review). Off: every shipped flow is offered.
    companion_signed_off_only: bool = False
    # Optional generative replies for open, reflective companion turns (off unless a URL is
    # set): an OpenAI-compatible server, e.g. a model server the clinic runs itself.
    generative_url: str | None = None
    generative_model: str = ""
    generative_api_key: SecretStr | None = None
    generative_api_key_file: Path | None = None
    generative_timeout_seconds: float = Field(default=4.0, gt=0, le=30)
    # Extra context tags offered on the check-in form, comma-separated (lowercase words).
    checkin_tags: str = ""
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "mindbridge@localhost"
    log_sql: bool = False

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _check_urls(self) -> Settings:
        url = self.resolved_database_url
        if not (url.startswith("sqlite") or url.startswith("postgresql")):
            raise ValueError(
                f"MINDBRIDGE_DATABASE_URL must be sqlite:/// or postgresql+psycopg://, got {url!r}"
            )
        if self.generative_url is not None:
            if not self.generative_url.startswith(("http://", "https://")):
                raise ValueError("MINDBRIDGE_GENERATIVE_URL must start with http:// or https://")
            if not self.generative_model.strip():
                raise ValueError(
                    "MINDBRIDGE_GENERATIVE_MODEL must name the model when "
                    "MINDBRIDGE_GENERATIVE_URL is set"
                )
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("MINDBRIDGE_REDIS_URL must start with redis://, rediss:// or unix://")
        return self

    @field_validator("appointment_reminder_hours")
    @classmethod
    def _hours_list(cls, value: str) -> str:
        try:
            hours = [float(h) for h in value.split(",") if h.strip()]
        except ValueError as exc:
            raise ValueError(
                "MINDBRIDGE_APPOINTMENT_REMINDER_HOURS: comma-separated hours"
            ) from exc
        if any(h <= 0 or h > 24 * 14 for h in hours):
            raise ValueError("MINDBRIDGE_APPOINTMENT_REMINDER_HOURS: each between 0 and 336")
        return value

    @field_validator("alert_target_minutes")
    @classmethod
    def _alert_targets(cls, value: str) -> str:
        parse_alert_targets(value)
        return value

    def alert_targets(self) -> dict[str, timedelta]:
        """Response time per alert level (imminent, elevated, deterioration)."""
        return parse_alert_targets(self.alert_target_minutes)

    def reminder_hours(self) -> list[float]:
        return [float(h) for h in self.appointment_reminder_hours.split(",") if h.strip()]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{self.data_dir / 'mindbridge.db'}"

    @property
    def generative_enabled(self) -> bool:
        return bool(self.generative_url)

    def generative_key(self) -> str | None:
        """The model server's API key, from the value or its file (never generated)."""
        if self.generative_api_key is not None:
            return self.generative_api_key.get_secret_value()
        if self.generative_api_key_file is not None:
            return self.generative_api_key_file.read_text().strip() or None
        return None

    @property
    def cookie_secure(self) -> bool:
        return bool(self.base_url and self.base_url.startswith("https://"))

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def secret_key_bytes(self) -> bytes:
        return _read_or_generate(
            self.secret_key, self.secret_key_file, self.data_dir / "secret_key"
        )

    def kek_bytes(self) -> bytes:
        """The key-encryption key ring file: one `id:hex` line per key, the last one active."""
        if self.kek is not None:
            return self.kek.get_secret_value().encode()
        path = self.kek_file or self.data_dir / "kek"
        if not path.exists():
            _write_secret(path, f"k1:{secrets.token_hex(32)}\n")
        return path.read_bytes()

    def kek_path(self) -> Path:
        if self.kek is not None:
            raise ConfigError("the key ring comes from MINDBRIDGE_KEK; rotate it there")
        return self.kek_file or self.data_dir / "kek"


ALERT_LEVELS = ("imminent", "elevated", "deterioration")
DEFAULT_ALERT_MINUTES = {"imminent": 15.0, "elevated": 1440.0, "deterioration": 4320.0}


def parse_alert_targets(value: str) -> dict[str, timedelta]:
    """`imminent=15,elevated=1440,deterioration=4320` (minutes); missing levels keep defaults.

    Every problem is reported at once; a more urgent level may not have a longer target.
    """
    minutes = dict(DEFAULT_ALERT_MINUTES)
    problems: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        name, sep, number = part.partition("=")
        name = name.strip()
        if not sep or name not in ALERT_LEVELS:
            problems.append(
                f"{part!r}: use level=minutes with level one of {', '.join(ALERT_LEVELS)}"
            )
            continue
        try:
            amount = float(number)
        except ValueError:
            problems.append(f"{part!r}: minutes must be a number")
            continue
        if not 0 < amount <= 60 * 24 * 30:
            problems.append(f"{part!r}: minutes must be between 0 and 43200")
            continue
        minutes[name] = amount
    if not problems and not (
        minutes["imminent"] <= minutes["elevated"] <= minutes["deterioration"]
    ):
        problems.append("a more urgent level cannot have a longer target")
    if problems:
        raise ValueError("MINDBRIDGE_ALERT_TARGET_MINUTES: " + "; ".join(problems))
    return {name: timedelta(minutes=m) for name, m in minutes.items()}


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _read_or_generate(value: SecretStr | None, file: Path | None, default: Path) -> bytes:
    if value is not None:
        return value.get_secret_value().encode()
    path = file or default
    if not path.exists():
        if file is not None:
            raise ConfigError(f"secret file {file} does not exist")
        _write_secret(path, secrets.token_hex(32))
    return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise ConfigError(f"invalid configuration:\n{exc}") from exc
