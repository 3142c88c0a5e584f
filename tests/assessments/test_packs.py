"""Official-wording packs: validated against the definition, every problem reported.

The texts here are placeholders, never real questionnaire wording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mindbridge.assessments.errors import PackError
from mindbridge.assessments.packs import load_pack, pack_problems, present, validate_pack


def _pack(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "instrument": "GAD-7",
        "version": "1.0.0",
        "language": "en-GB",
        "title": "Placeholder title",
        "instructions": "Placeholder instructions.",
        "source": "test fixture",
        "items": {str(i): f"Placeholder wording {i}" for i in range(1, 8)},
        "responses": {str(v): f"Placeholder option {v}" for v in range(4)},
    }
    data.update(changes)
    return data


def test_valid_pack_loads(tmp_path: Path, registry) -> None:
    path = tmp_path / "gad7-en.json"
    path.write_text(json.dumps(_pack()), encoding="utf-8")
    pack = load_pack(path)
    assert (pack.instrument_id, pack.language, len(pack.item_text)) == ("GAD-7", "en-GB", 7)
    assert pack.response_labels[3] == "Placeholder option 3"


def test_response_labels_are_optional(registry) -> None:
    pack = validate_pack(_pack(responses=None))
    assert pack.response_labels == {}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"instrument": "ISI"}, "unknown instrument 'ISI'"),
        ({"version": "2.0.0"}, "version 2.0.0"),
        ({"language": "English"}, "BCP 47"),
        ({"language": None}, "'language' is required"),
        ({"items": {str(i): "x" for i in range(1, 7)}}, "item '7' has no text"),
        ({"items": {str(i): "x" for i in range(1, 9)}}, "item '8' is not an item of GAD-7"),
        ({"items": {**{str(i): "x" for i in range(1, 8)}, "3": "  "}}, "must be non-empty"),
        ({"items": ["a", "b"]}, "'items' must be an object"),
        ({"responses": {"0": "a", "1": "b", "2": "c"}}, "response value 3 has no label"),
        ({"responses": {"0": "a", "1": "b", "2": "c", "3": "d", "4": "e"}}, "value 4 is not one"),
        ({"responses": {"zero": "a"}}, "not a response value"),
        ({"colour": "blue"}, "unknown field 'colour'"),
    ],
)
def test_pack_problems_are_named(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(PackError, match=problem):
        validate_pack(_pack(**changes))


def test_every_problem_is_reported_at_once() -> None:
    bad = _pack(
        version="9.9.9",
        language="??",
        items={"1": "a", "99": "b"},
        responses={"0": "a", "7": "b"},
    )
    problems, pack = pack_problems(bad)
    assert pack is None
    assert len(problems) >= 10  # version, language, item 99, items 2-7 missing, responses
    assert any("'99'" in p for p in problems)
    assert any("version 9.9.9" in p for p in problems)


def test_pack_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(PackError, match="not valid JSON"):
        load_pack(broken)
    with pytest.raises(PackError, match="cannot read"):
        load_pack(tmp_path / "missing.json")
    with pytest.raises(PackError, match="JSON object"):
        validate_pack(["not", "an", "object"])


def test_present_uses_pack_wording_else_own_labels(registry) -> None:
    gad7 = registry.get("GAD-7")
    own = present(gad7)
    assert own[0].text == gad7.items[0].label
    assert own[0].options[0].label == gad7.response_options[0].label
    official = present(gad7, validate_pack(_pack()))
    assert official[6].text == "Placeholder wording 7"
    assert [o.label for o in official[0].options][-1] == "Placeholder option 3"
    with pytest.raises(PackError, match="not PHQ-9"):
        present(registry.get("PHQ-9"), validate_pack(_pack()))
