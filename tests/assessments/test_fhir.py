"""FHIR R4 export validated with fhir.resources.R4B, and the way back in."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from mindbridge.assessments import fhir
from mindbridge.assessments.errors import FhirImportError
from mindbridge.assessments.packs import validate_pack
from mindbridge.assessments.submissions import Submission, new_submission, score_submission

from .conftest import T0

RESOURCE_CLASSES = {
    "Questionnaire": Questionnaire,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
}

ANSWERS = {
    "PHQ-9": [1, 2, 0, 1, 2, 1, 0, 0, 1],
    "PHQ-2": [2, 1],
    "GAD-7": [3, 2, 1, 0, 1, 2, 3],
    "GAD-2": [0, 1],
    "WHO-5": [3, 3, 2, 1, 4],
    "PCL-5": [2, 1, 0, 3, 4, 2, 2, 1, 1, 3, 2, 0, 0, 1, 2, 2, 3, 1, 0, 4],
    "PSS-10": [1, 2, 3, 4, 0, 1, 2, 3, 4, 0],
    "K10": [1, 2, None, 3, 4, 5, 1, 2, 3, 4],
}


def _revalidate(resource: Any) -> None:
    """Dump to JSON and validate again with the library's own model for that resource type."""
    data = json.loads(resource.model_dump_json(exclude_none=True))
    model = RESOURCE_CLASSES[data["resourceType"]]
    assert model.model_validate(data).model_dump(exclude_none=True) == resource.model_dump(
        exclude_none=True
    )


def _submissions(registry) -> list[Submission]:
    return [
        new_submission(
            registry.get(instrument_id),
            client_id="client-7",
            answers=answers,
            authored_at=T0 + timedelta(days=i),
            submission_id=f"sub-{i}",
        )
        for i, (instrument_id, answers) in enumerate(ANSWERS.items())
    ]


@pytest.mark.parametrize("instrument_id", list(ANSWERS))
def test_every_questionnaire_validates(registry, instrument_id: str) -> None:
    q = fhir.questionnaire(registry.get(instrument_id))
    _revalidate(q)
    assert q.url == f"{fhir.DEFAULT_BASE}/Questionnaire/{instrument_id}"
    assert q.version == "1.0.0"
    assert all(item.type == "choice" for item in q.item)
    for item in q.item:
        for option in item.answerOption:
            assert option.extension[0].url == fhir.ORDINAL_VALUE


def test_phq9_questionnaire_is_loinc_coded(registry) -> None:
    q = fhir.questionnaire(registry.get("PHQ-9"))
    assert q.code[0].system == fhir.LOINC and q.code[0].code == "44249-1"
    item9 = q.item[8]
    assert (item9.linkId, item9.code[0].code, item9.required) == ("9", "44260-8", True)
    codes = [o.valueCoding.code for o in item9.answerOption]
    assert codes == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert [float(o.extension[0].valueDecimal) for o in item9.answerOption] == [0, 1, 2, 3]


def test_reverse_items_carry_reversed_ordinal_values(registry) -> None:
    q = fhir.questionnaire(registry.get("PSS-10"))
    forward, reverse = q.item[0], q.item[3]
    assert [float(o.extension[0].valueDecimal) for o in forward.answerOption] == [0, 1, 2, 3, 4]
    assert [float(o.extension[0].valueDecimal) for o in reverse.answerOption] == [4, 3, 2, 1, 0]
    assert [o.valueCoding.code for o in reverse.answerOption] == ["0", "1", "2", "3", "4"]


def test_questionnaire_with_pack_uses_official_wording(registry) -> None:
    pack = validate_pack(
        {
            "instrument": "GAD-7",
            "version": "1.0.0",
            "language": "de",
            "instructions": "Placeholder instructions.",
            "items": {str(i): f"Platzhalter {i}" for i in range(1, 8)},
            "responses": {str(v): f"Option {v}" for v in range(4)},
        }
    )
    q = fhir.questionnaire(registry.get("GAD-7"), pack=pack)
    _revalidate(q)
    assert q.language == "de"
    assert q.item[0].type == "display"
    assert q.item[1].text == "Platzhalter 1"
    assert q.item[1].answerOption[2].valueCoding.display == "Option 2"


def test_submission_resources(registry) -> None:
    phq9 = registry.get("PHQ-9")
    sub = new_submission(
        phq9, client_id="c9", answers=ANSWERS["PHQ-9"], authored_at=T0, submission_id="s9"
    )
    qr = fhir.questionnaire_response(sub, phq9)
    _revalidate(qr)
    assert qr.questionnaire == f"{fhir.DEFAULT_BASE}/Questionnaire/PHQ-9|1.0.0"
    assert qr.subject.reference == "Patient/c9"
    assert qr.item[8].answer[0].valueCoding.code == "LA6569-3"

    obs = fhir.observations(sub, phq9, score_submission(sub))
    for o in obs:
        _revalidate(o)
        assert o.category[0].coding[0].code == "survey"
        assert o.derivedFrom[0].reference == "QuestionnaireResponse/s9"
    panel, total, *items = obs
    assert panel.code.coding[0].code == "44249-1"
    assert total.code.coding[0].code == "44261-6"
    assert total.valueInteger == 8
    assert {c.coding[0].code for c in total.interpretation} == {"mild", "self_harm_item"}
    assert len(items) == 9
    assert items[8].code.coding[0].code == "44260-8"
    members = {m.reference for m in panel.hasMember}
    assert members == {f"Observation/{o.id}" for o in [total, *items]}
    # Re-export gives the same ids: storage can upsert.
    again = fhir.observations(sub, phq9, score_submission(sub))
    assert [o.id for o in again] == [o.id for o in obs]


def test_observation_components_for_subscales_percentage_and_proration(registry) -> None:
    subs = {s.instrument_id: s for s in _submissions(registry)}
    who5 = fhir.observations(subs["WHO-5"], registry.get("WHO-5"), score_submission(subs["WHO-5"]))
    total = who5[1]
    assert total.component[0].valueQuantity.value == 52
    assert total.code.coding[0].system == fhir.code_system(registry.get("WHO-5"))
    pcl = fhir.observations(subs["PCL-5"], registry.get("PCL-5"), score_submission(subs["PCL-5"]))
    assert [c.code.text for c in pcl[1].component] == ["B", "C", "D", "E"]
    k10 = fhir.observations(subs["K10"], registry.get("K10"), score_submission(subs["K10"]))
    assert "Prorated from 9 of 10 items" in k10[1].note[0].text
    assert len(k10) == 2 + 9  # panel, total and the nine answered items


def test_bundle_validates_and_reimports_to_the_same_scores(registry) -> None:
    subs = _submissions(registry)
    bundle = fhir.history_bundle(subs, timestamp=T0, bundle_id="history-client-7")
    assert bundle.type == "collection"
    text = bundle.model_dump_json(exclude_none=True)
    reparsed = Bundle.model_validate_json(text)
    kinds = [e.resource.get_resource_type() for e in reparsed.entry]
    assert kinds.count("Questionnaire") == 8
    assert kinds.count("QuestionnaireResponse") == 8
    for entry in reparsed.entry:
        _revalidate(entry.resource)
        assert entry.fullUrl.endswith(f"/{entry.resource.get_resource_type()}/{entry.resource.id}")

    back = fhir.submissions_from_bundle(json.loads(text))
    assert [s.id for s in back] == [s.id for s in subs]
    for original, imported in zip(subs, back, strict=True):
        assert imported.answers == original.answers
        assert imported.authored_at == original.authored_at
        assert imported.source == "fhir-import"
        assert score_submission(imported) == score_submission(original)


def test_refused_submission_exports_answers_without_observations(registry) -> None:
    sub = Submission(
        id="partial",
        client_id="c1",
        instrument_id="PHQ-9",
        instrument_version="1.0.0",
        answers={"1": 2, "9": 1},
        authored_at=T0,
    )
    bundle = fhir.history_bundle([sub], include_questionnaires=False)
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["QuestionnaireResponse"]
    assert fhir.submissions_from_bundle(bundle)[0].answers["9"] == 1


def _qr(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": "ext-1",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "authored": "2024-05-01T10:00:00+02:00",
        "item": [
            {
                "linkId": "/44250-9",
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1"}}],
            },
            {"linkId": "2", "answer": [{"valueInteger": 3}]},
        ]
        + [{"linkId": str(i), "answer": [{"valueInteger": 0}]} for i in range(3, 10)],
    }
    data.update(changes)
    return data


def test_imports_another_systems_loinc_coded_response() -> None:
    sub = fhir.submission_from_questionnaire_response(_qr())
    assert (sub.instrument_id, sub.client_id, sub.id) == ("PHQ-9", "p1", "ext-1")
    assert sub.answers["1"] == 2 and sub.answers["2"] == 3
    assert score_submission(sub).total == 5


def test_imports_nested_groups() -> None:
    flat = _qr()
    nested = _qr(item=[{"linkId": "group", "item": flat["item"]}])
    assert fhir.submission_from_questionnaire_response(nested).answers == (
        fhir.submission_from_questionnaire_response(flat).answers
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"questionnaire": "https://x.example/Questionnaire/ISI"}, "not a known instrument"),
        ({"questionnaire": "https://x.example/Questionnaire/PHQ-9|7.0.0"}, "version 7.0.0"),
        ({"status": "in-progress"}, "not completed"),
        ({"subject": {"reference": "Group/g1"}}, "Patient reference"),
        ({"authored": "2024-05-01"}, "date-time with a time zone"),
        ({"item": [{"linkId": "42", "answer": [{"valueInteger": 1}]}]}, "unknown item linkId"),
        ({"item": [{"linkId": "3", "answer": [{"valueInteger": 9}]}]}, "item 3: answer 9"),
        (
            {"item": [{"linkId": "3", "answer": [{"valueCoding": {"code": "LA9999-9"}}]}]},
            "not one of the instrument's answers",
        ),
        (
            {
                "item": [
                    {"linkId": "3", "answer": [{"valueInteger": 1}]},
                    {"linkId": "44259-0", "answer": [{"valueInteger": 1}]},
                ]
            },
            "answered twice",
        ),
        ({"item": [{"linkId": "3", "answer": [{"valueString": "often"}]}]}, "neither a coding"),
        ({"resourceType": "QuestionnaireResponse", "status": 5}, "not a valid"),
    ],
)
def test_import_rejects_what_it_cannot_trust(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(FhirImportError, match=message):
        fhir.submission_from_questionnaire_response(_qr(**changes))


def test_date_only_authored_is_a_date() -> None:
    # Guard the assumption behind the "date-time with a time zone" check above.
    assert isinstance(
        QuestionnaireResponse.model_validate(_qr(authored="2024-05-01")).authored, date
    )
