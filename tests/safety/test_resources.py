from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.safety.resources import (
    CrisisDirectory,
    InvalidDirectory,
    default_directory,
    load_directory,
    region_of,
    resources_for_locale,
)


def ids(locale: str | None) -> list[str]:
    return [r.id for r in resources_for_locale(locale)]


def test_defaults_by_locale() -> None:
    assert ids("en-US") == ["us-988", "us-emergency"]
    assert ids("en-GB") == ["gb-samaritans", "gb-emergency"]
    assert ids("en_ie") == ["ie-samaritans", "ie-emergency"]
    assert ids("en-UK") == ids("en-GB")
    assert ids("de-DE") == ["intl-directory", "intl-emergency"]
    assert ids(None) == ids("en") == ["intl-directory", "intl-emergency"]


def test_988_offers_call_text_and_chat() -> None:
    line = resources_for_locale("en-US")[0].contact_line()
    assert "call or text 988" in line and "https://988lifeline.org/chat/" in line


@pytest.mark.parametrize(
    ("locale", "region"),
    [
        ("en-US", "US"),
        ("en_gb", "GB"),
        ("IE", "IE"),
        ("en", None),
        ("zh-Hant-TW", "TW"),
        ("", None),
    ],
)
def test_region_of(locale: str, region: str | None) -> None:
    assert region_of(locale) == region


@given(st.text(max_size=20))
def test_any_locale_gets_an_emergency_number(locale: str) -> None:
    picked = resources_for_locale(locale)
    assert any(r.kind == "emergency" and r.phone for r in picked)


def test_round_trip_and_file(tmp_path: Path) -> None:
    data = default_directory().to_dict()
    assert CrisisDirectory.from_dict(data) == default_directory()
    path = tmp_path / "dir.json"
    path.write_text(json.dumps(data))
    assert load_directory(path) == default_directory()


def test_validation_lists_problems() -> None:
    data = default_directory().to_dict()
    data["resources"][0]["chat_url"] = "http://insecure.example"
    data["resources"][1]["phone"] = ""
    data["resources"][2]["regions"] = ["England"]
    with pytest.raises(InvalidDirectory) as err:
        CrisisDirectory.from_dict(data)
    message = str(err.value)
    assert "https" in message and "emergency resource needs a phone" in message
    assert "England" in message.upper() or "ENGLAND" in message


def test_fallback_emergency_is_required_and_ids_unique() -> None:
    data = default_directory().to_dict()
    data["resources"] = [r for r in data["resources"] if r["id"] != "intl-emergency"]
    with pytest.raises(InvalidDirectory, match="fallback"):
        CrisisDirectory.from_dict(data)
    data = default_directory().to_dict()
    data["resources"].append(dict(data["resources"][0]))
    with pytest.raises(InvalidDirectory, match="duplicate"):
        CrisisDirectory.from_dict(data)
    with pytest.raises(InvalidDirectory):
        CrisisDirectory.from_dict({"resources": "nope"})
