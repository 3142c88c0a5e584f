"""Intake's own setting, read from the environment like the rest (`MINDBRIDGE_INTAKE_*`).

Kept here rather than in `config.Settings` while self-registration is new; it is read on each
request, so changing it needs no code, only a restart of the environment that sets it.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MINDBRIDGE_INTAKE_", extra="ignore")

    # Let people create their own client account at /register and start an intake. Off by
    # default: most services invite people after a referral.
    self_registration: bool = False


def intake_settings() -> IntakeSettings:
    return IntakeSettings()
