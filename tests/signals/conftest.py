"""Fixtures for the signals tests (the data path comes from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mindbridge.signals.simulation import Donor, load_donors


@pytest.fixture(scope="session")
def depresjon(shared_data: Path) -> Path:
    path = shared_data / "depresjon"
    if not path.is_dir():
        pytest.skip("Depresjon not available")
    return path


@pytest.fixture(scope="session")
def small_depresjon(depresjon: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four people per group, linked (not copied) from the shared data."""
    root = tmp_path_factory.mktemp("depresjon")
    for group in ("condition", "control"):
        (root / group).mkdir()
        for i in range(1, 5):
            (root / group / f"{group}_{i}.csv").symlink_to(depresjon / group / f"{group}_{i}.csv")
    return root


@pytest.fixture(scope="session")
def donors(small_depresjon: Path) -> list[Donor]:
    return load_donors(small_depresjon)
