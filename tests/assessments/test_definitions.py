"""The instrument registry: shipped files load, and broken definitions fail loudly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mindbridge.assessments.definitions import (
    INSTRUMENTS_DIR,
    load_definition,
    load_registry,
    loinc_check_digit,
)
from mindbridge.assessments.errors import DefinitionError, UnknownInstrumentError

SHIPPED = {"PHQ-9", "PHQ-2", "GAD-7", "GAD-2", "WHO-5", "PCL-5", "PSS-10", "K10"}


def _raw(instrument_id: str) -> dict[str, Any]:
    path = INSTRUMENTS_DIR / f"{instrument_id.lower()}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / f"{data['id'].lower()}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_registry_ships_exactly_the_eight_instruments(registry) -> None:
    assert set(registry.ids) == SHIPPED
    assert len(registry) == 8


@pytest.mark.parametrize(
    ("instrument_id", "items", "low", "high"),
    [
        ("PHQ-9", 9, 0, 27),
        ("PHQ-2", 2, 0, 6),
        ("GAD-7", 7, 0, 21),
        ("GAD-2", 2, 0, 6),
        ("WHO-5", 5, 0, 25),
        ("PCL-5", 20, 0, 80),
        ("PSS-10", 10, 0, 40),
        ("K10", 10, 10, 50),
    ],
)
def test_structure_matches_the_reference(registry, instrument_id, items, low, high) -> None:
    d = registry.get(instrument_id)
    assert (len(d.items), d.min_total, d.max_total) == (items, low, high)


def test_reference_loinc_codes_are_carried(registry) -> None:
    phq9 = registry.get("PHQ-9")
    assert (phq9.loinc.panel, phq9.loinc.total) == ("44249-1", "44261-6")
    assert phq9.item("9").loinc == "44260-8"
    assert [o.loinc for o in phq9.response_options] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]
    assert (registry.get("PHQ-2").loinc.panel, registry.get("PHQ-2").loinc.total) == (
        "55757-9",
        "55758-7",
    )
    assert (registry.get("GAD-7").loinc.panel, registry.get("GAD-7").loinc.total) == (
        "69737-5",
        "70274-6",
    )
    for unverified in ("GAD-2", "WHO-5", "PCL-5", "PSS-10", "K10"):
        codes = registry.get(unverified).loinc
        assert codes.panel is None and codes.total is None


def test_pss10_reverse_items_and_who5_percentage(registry) -> None:
    assert registry.get("PSS-10").reverse_scored == ("4", "5", "7", "8")
    assert registry.get("WHO-5").scoring.percentage_multiplier == 4
    assert registry.get("WHO-5").higher_is_better is True


def test_every_definition_carries_sources_for_its_numbers(registry) -> None:
    for d in registry:
        assert d.citations and d.bands_source and d.missing_data.source and d.licence.terms
        norms = d.change_norms
        for part in (norms.reliability, norms.clinical, norms.normal, *norms.reference_changes):
            if part is not None:
                assert part.source.strip(), d.id
        assert all(len(item.label) <= 60 for item in d.items)


def test_lenient_lookup_and_unknown_instrument(registry) -> None:
    assert registry.resolve("phq9").id == "PHQ-9"
    assert registry.resolve("pss_10").id == "PSS-10"
    with pytest.raises(UnknownInstrumentError, match="ISI"):
        registry.get("ISI")


@pytest.mark.parametrize(
    ("code", "valid"),
    [("44249-1", True), ("44261-6", True), ("70274-6", True), ("70274-5", False)],
)
def test_loinc_check_digit(code: str, valid: bool) -> None:
    base, digit = code.split("-")
    assert (loinc_check_digit(base) == int(digit)) is valid


def _broken(mutate: Any) -> dict[str, Any]:
    data = _raw("PHQ-9")
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["loinc"].update(total="44261-5"), "check digit"),
        (lambda d: d["items"][0].update(loinc="LOINC"), "not a LOINC code"),
        (lambda d: d["bands"][1].update(low=6), "gap"),
        (lambda d: d["bands"][-1].update(high=30), "cover exactly"),
        (lambda d: d.update(reverse_scored=["12"]), "unknown item"),
        (lambda d: d["missing_data"].update(never_imputed=[]), "never_imputed"),
        (lambda d: d["missing_data"].update(max_missing=2), "requires max_missing 0"),
        (lambda d: d["items"][1].update(linkId="1"), "not unique"),
        (lambda d: d["response_options"][3].update(value=5), "consecutive"),
        (lambda d: d["flags"][0].update(threshold=40), "outside"),
        (lambda d: d.update(surprise=True), "Extra inputs"),
        (lambda d: d.pop("missing_data"), "missing_data"),
        (lambda d: d["change_norms"]["reliability"].update(value=1.2), "less than 1"),
    ],
)
def test_broken_definitions_fail_loudly(tmp_path: Path, mutate: Any, message: str) -> None:
    path = _write(tmp_path, _broken(mutate))
    with pytest.raises(DefinitionError, match=message):
        load_definition(path)


def test_file_name_must_match_id(tmp_path: Path) -> None:
    path = tmp_path / "depression.json"
    path.write_text(json.dumps(_raw("PHQ-9")), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"phq-9\.json"):
        load_definition(path)


def test_one_broken_file_fails_the_whole_registry(tmp_path: Path) -> None:
    for instrument_id in ("GAD-7", "PHQ-9"):
        _write(tmp_path, _raw(instrument_id))
    assert load_registry(tmp_path).ids == ("GAD-7", "PHQ-9")
    (tmp_path / "k10.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"k10\.json"):
        load_registry(tmp_path)
