"""Helpers shared by the assessments tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mindbridge.assessments.definitions import Registry, default_registry

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()
