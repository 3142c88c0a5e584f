"""One analyser per test session: loading torch and MiniLM is the slow part."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def analyzer():  # type: ignore[no-untyped-def]
    from mindbridge.language.analyzer import get_analyzer

    return get_analyzer()
