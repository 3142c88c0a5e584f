"""FHIR R4 mapping (through `fhir.resources.R4B`): instruments as Questionnaires, submissions as
QuestionnaireResponses plus Observations, a client's history as a collection Bundle, and the way
back from QuestionnaireResponses (alone or in a Bundle) to submissions.

Coding: LOINC where the definition has a verified code; otherwise our own code system under
`{base}/CodeSystem/{instrument}`. Answer options carry the ordinalValue extension with the item's
scored value (reverse-scored items carry the reversed weight), so summing ordinal values gives the
total. Observation ids are derived from the submission id (uuid5), so re-exporting is idempotent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
)
from pydantic import ValidationError

from mindbridge.assessments.definitions import InstrumentDefinition, Registry, default_registry
from mindbridge.assessments.errors import AssessmentError, FhirImportError
from mindbridge.assessments.packs import InstrumentPack, present
from mindbridge.assessments.scoring import ScoreResult, validate_answer
from mindbridge.assessments.submissions import Submission, score_submission

DEFAULT_BASE = "https://mindbridge.example/fhir"
LOINC = "http://loinc.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"
_ID_NAMESPACE = uuid.UUID("5b0c7c5e-8f0e-4a47-9d55-6d1f1b5a0c11")
_ACCEPTED_STATUSES = {"completed", "amended"}


def questionnaire_url(definition: InstrumentDefinition, base: str = DEFAULT_BASE) -> str:
    return f"{base}/Questionnaire/{definition.id}"


def code_system(definition: InstrumentDefinition, base: str = DEFAULT_BASE) -> str:
    """Our own code system for an instrument's items, answers, scores and flags without LOINC."""
    return f"{base}/CodeSystem/{definition.id}"


def _answer_coding(
    definition: InstrumentDefinition, value: int, base: str, pack: InstrumentPack | None
) -> dict[str, Any]:
    option = definition.option(value)
    display = pack.response_labels.get(value, option.label) if pack else option.label
    if option.loinc is not None:
        return {"system": LOINC, "code": option.loinc, "display": display}
    return {
        "system": f"{code_system(definition, base)}/answers",
        "code": str(value),
        "display": display,
    }


def _code(
    definition: InstrumentDefinition, base: str, loinc: str | None, own: str, text: str
) -> dict[str, Any]:
    coding = (
        {"system": LOINC, "code": loinc}
        if loinc
        else {"system": code_system(definition, base), "code": own}
    )
    return {"coding": [coding], "text": text}


def questionnaire(
    definition: InstrumentDefinition,
    *,
    base: str = DEFAULT_BASE,
    pack: InstrumentPack | None = None,
) -> Questionnaire:
    """The instrument as a FHIR Questionnaire; with a pack, items carry the official wording."""
    return Questionnaire.model_validate(_questionnaire_data(definition, base, pack))


def _questionnaire_data(
    definition: InstrumentDefinition, base: str, pack: InstrumentPack | None
) -> dict[str, Any]:
    shown = present(definition, pack)
    required_all = definition.missing_data.method == "refuse"
    items: list[dict[str, Any]] = []
    if pack is not None and pack.instructions:
        items.append({"linkId": "instructions", "type": "display", "text": pack.instructions})
    for item, view in zip(definition.items, shown, strict=True):
        entry: dict[str, Any] = {
            "linkId": item.link_id,
            "text": view.text,
            "type": "choice",
            "required": required_all or item.link_id in definition.missing_data.never_imputed,
            "answerOption": [
                {
                    "valueCoding": _answer_coding(definition, option.value, base, pack),
                    "extension": [
                        {
                            "url": ORDINAL_VALUE,
                            "valueDecimal": definition.scored_value(item.link_id, option.value),
                        }
                    ],
                }
                for option in definition.response_options
            ],
        }
        if item.loinc:
            entry["code"] = [{"system": LOINC, "code": item.loinc}]
        items.append(entry)
    data: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": definition.id,
        "url": questionnaire_url(definition, base),
        "version": definition.version,
        "name": definition.id.replace("-", "_"),
        "title": (pack.title if pack and pack.title else definition.title),
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{definition.published_name}: {definition.measures}; recall period "
        f"{definition.recall_period.text}.",
        "copyright": f"{definition.licence.holder}. {definition.licence.terms}",
        "item": items,
    }
    if pack is not None:
        data["language"] = pack.language
    if definition.loinc.panel:
        data["code"] = [{"system": LOINC, "code": definition.loinc.panel}]
    return data


def questionnaire_response(
    submission: Submission,
    definition: InstrumentDefinition,
    *,
    base: str = DEFAULT_BASE,
    pack: InstrumentPack | None = None,
) -> QuestionnaireResponse:
    return QuestionnaireResponse.model_validate(
        _questionnaire_response_data(submission, definition, base, pack)
    )


def _questionnaire_response_data(
    submission: Submission,
    definition: InstrumentDefinition,
    base: str,
    pack: InstrumentPack | None,
) -> dict[str, Any]:
    texts = {view.link_id: view.text for view in present(definition, pack)}
    items = [
        {
            "linkId": link_id,
            "text": texts[link_id],
            "answer": [{"valueCoding": _answer_coding(definition, value, base, pack)}],
        }
        for link_id in definition.link_ids
        if (value := submission.answers.get(link_id)) is not None
    ]
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": submission.id,
        "questionnaire": f"{questionnaire_url(definition, base)}|{definition.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{submission.client_id}"},
        "authored": submission.authored_at.isoformat(),
        "item": items,
    }
    return data


def _derived_id(submission: Submission, part: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{submission.id}/{part}"))


def observations(
    submission: Submission,
    definition: InstrumentDefinition,
    result: ScoreResult,
    *,
    base: str = DEFAULT_BASE,
    pack: InstrumentPack | None = None,
) -> list[Observation]:
    """A panel that has as members the total (with band, flags, subscales) and one per item."""
    data = _observations_data(submission, definition, result, base, pack)
    return [Observation.model_validate(o) for o in data]


def _observations_data(
    submission: Submission,
    definition: InstrumentDefinition,
    result: ScoreResult,
    base: str,
    pack: InstrumentPack | None,
) -> list[dict[str, Any]]:
    own = code_system(definition, base)
    common: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "subject": {"reference": f"Patient/{submission.client_id}"},
        "effectiveDateTime": submission.authored_at.isoformat(),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{submission.id}"}],
    }
    members: list[dict[str, Any]] = []
    for item in definition.items:
        value = submission.answers.get(item.link_id)
        if value is None:
            continue
        coding = _answer_coding(definition, value, base, pack)
        item_obs = {
            **common,
            "id": _derived_id(submission, f"item-{item.link_id}"),
            "code": _code(definition, base, item.loinc, f"item-{item.link_id}", item.label),
            "valueCodeableConcept": {"coding": [coding], "text": coding["display"]},
        }
        members.append(item_obs)

    interpretation = [
        {
            "coding": [
                {"system": f"{own}/bands", "code": result.band.code, "display": result.band.label}
            ],
            "text": result.band.label,
        }
    ]
    interpretation += [
        {"coding": [{"system": f"{base}/CodeSystem/assessment-flags", "code": flag}], "text": flag}
        for flag in result.flags
    ]
    components: list[dict[str, Any]] = [
        {
            "code": {"coding": [{"system": own, "code": f"subscale-{sub_id}"}], "text": sub_id},
            "valueInteger": sub_value,
        }
        for sub_id, sub_value in result.subscales.items()
        if sub_value is not None
    ]
    if result.percentage is not None:
        components.append(
            {
                "code": {"coding": [{"system": own, "code": "percentage"}], "text": "percentage"},
                "valueQuantity": {
                    "value": result.percentage,
                    "unit": "%",
                    "system": UCUM,
                    "code": "%",
                },
            }
        )
    total: dict[str, Any] = {
        **common,
        "id": _derived_id(submission, "total"),
        "code": _code(
            definition, base, definition.loinc.total, "total", f"{definition.id} total score"
        ),
        "valueInteger": result.total,
        "interpretation": interpretation,
    }
    if components:
        total["component"] = components
    if result.prorated:
        answered = len(definition.items) - len(result.missing_items)
        total["note"] = [
            {
                "text": f"Prorated from {answered} of {len(definition.items)} items "
                f"({definition.missing_data.source})."
            }
        ]
    panel = {
        **common,
        "id": _derived_id(submission, "panel"),
        "code": _code(definition, base, definition.loinc.panel, "panel", definition.published_name),
        "hasMember": [{"reference": f"Observation/{o['id']}"} for o in [total, *members]],
    }
    return [panel, total, *members]


def _entry(resource: dict[str, Any], base: str) -> dict[str, Any]:
    return {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}


def history_bundle(
    submissions: Iterable[Submission],
    *,
    registry: Registry | None = None,
    base: str = DEFAULT_BASE,
    include_questionnaires: bool = True,
    timestamp: datetime | None = None,
    bundle_id: str | None = None,
) -> Bundle:
    """A client's history as a collection Bundle (also the GDPR Art. 20 export format).

    A submission that its instrument refuses to score (missing items) still exports its
    QuestionnaireResponse, without Observations: raw answers are never dropped. Resources are
    built as plain data and validated once, as part of the Bundle.
    """
    reg = registry or default_registry()
    entries: list[dict[str, Any]] = []
    used: dict[str, InstrumentDefinition] = {}
    for submission in sorted(submissions, key=lambda s: s.authored_at):
        definition = reg.get(submission.instrument_id)
        used[definition.id] = definition
        response = _questionnaire_response_data(submission, definition, base, None)
        entries.append(_entry(response, base))
        try:
            result = score_submission(submission, reg)
        except AssessmentError:
            continue
        observed = _observations_data(submission, definition, result, base, None)
        entries += [_entry(o, base) for o in observed]
    if include_questionnaires:
        forms = [_entry(_questionnaire_data(d, base, None), base) for d in used.values()]
        entries = forms + entries
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": bundle_id or str(uuid.uuid4()),
        "type": "collection",
        "entry": entries,
    }
    if timestamp is not None:
        data["timestamp"] = timestamp.isoformat()
    return Bundle.model_validate(data)


# ---- import -------------------------------------------------------------------------------


def _instrument_for(canonical: str, registry: Registry) -> tuple[InstrumentDefinition, str | None]:
    url, _, version = canonical.partition("|")
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    if tail in registry:
        return registry.get(tail), version or None
    for definition in registry:  # a LOINC-form canonical such as http://loinc.org/q/44249-1
        if definition.loinc.panel and tail == definition.loinc.panel:
            return definition, version or None
    raise FhirImportError(f"questionnaire {canonical!r} is not a known instrument")


def _flatten(items: Sequence[QuestionnaireResponseItem] | None) -> list[QuestionnaireResponseItem]:
    found: list[QuestionnaireResponseItem] = []
    for item in items or []:
        found.append(item)
        found += _flatten(item.item)
        for answer in item.answer or []:
            found += _flatten(answer.item)
    return found


def _answer_value(
    definition: InstrumentDefinition, link_id: str, item: QuestionnaireResponseItem
) -> int:
    answers = item.answer or []
    if len(answers) != 1:
        raise FhirImportError(
            f"{definition.id} item {link_id}: expected one answer, got {len(answers)}"
        )
    answer = answers[0]
    if answer.valueInteger is not None:
        return int(answer.valueInteger)
    coding = answer.valueCoding
    if coding is None or coding.code is None:
        raise FhirImportError(
            f"{definition.id} item {link_id}: answer is neither a coding nor an integer"
        )
    for option in definition.response_options:
        if option.loinc is not None and coding.code == option.loinc:
            return option.value
    if coding.system is None or not coding.system.endswith(f"/CodeSystem/{definition.id}/answers"):
        raise FhirImportError(
            f"{definition.id} item {link_id}: answer code {coding.code!r} ({coding.system}) "
            "is not one of the instrument's answers"
        )
    try:
        return int(coding.code)
    except ValueError:
        raise FhirImportError(
            f"{definition.id} item {link_id}: answer code {coding.code!r} is not a value"
        ) from None


def submission_from_questionnaire_response(
    response: QuestionnaireResponse | Mapping[str, Any], *, registry: Registry | None = None
) -> Submission:
    """A QuestionnaireResponse (ours, or another system's LOINC-coded one) as a submission."""
    reg = registry or default_registry()
    if isinstance(response, Mapping):
        try:
            response = QuestionnaireResponse.model_validate(response)
        except ValidationError as exc:
            raise FhirImportError(f"not a valid QuestionnaireResponse: {exc}") from exc
    if response.status not in _ACCEPTED_STATUSES:
        raise FhirImportError(f"QuestionnaireResponse status {response.status!r} is not completed")
    if not response.questionnaire:
        raise FhirImportError("QuestionnaireResponse names no questionnaire")
    definition, version = _instrument_for(str(response.questionnaire), reg)
    if version is not None and version != definition.version:
        raise FhirImportError(
            f"{definition.id} version {version} is not supported (have {definition.version})"
        )
    reference = response.subject.reference if response.subject else None
    if not reference or not reference.startswith("Patient/"):
        raise FhirImportError("QuestionnaireResponse subject must be a Patient reference")
    authored = response.authored
    if not isinstance(authored, datetime) or authored.tzinfo is None:
        raise FhirImportError("QuestionnaireResponse authored must be a date-time with a time zone")

    by_loinc = {item.loinc: item.link_id for item in definition.items if item.loinc}
    answers: dict[str, int | None] = dict.fromkeys(definition.link_ids)
    seen: set[str] = set()
    for item in _flatten(response.item):
        if not item.answer:
            continue
        raw_id = (item.linkId or "").lstrip("/")
        link_id = raw_id if raw_id in answers else by_loinc.get(raw_id)
        if link_id is None:
            raise FhirImportError(f"{definition.id}: unknown item linkId {item.linkId!r}")
        if link_id in seen:
            raise FhirImportError(f"{definition.id} item {link_id}: answered twice")
        seen.add(link_id)
        try:
            answers[link_id] = validate_answer(
                definition, link_id, _answer_value(definition, link_id, item)
            )
        except AssessmentError as exc:
            raise FhirImportError(str(exc)) from exc
    return Submission(
        id=response.id or str(uuid.uuid4()),
        client_id=reference.removeprefix("Patient/"),
        instrument_id=definition.id,
        instrument_version=definition.version,
        answers=answers,
        authored_at=authored,
        source="fhir-import",
    )


def submissions_from_bundle(
    bundle: Bundle | Mapping[str, Any], *, registry: Registry | None = None
) -> list[Submission]:
    """Every QuestionnaireResponse in a Bundle, as submissions; other resources are ignored."""
    if isinstance(bundle, Mapping):
        try:
            bundle = Bundle.model_validate(bundle)
        except ValidationError as exc:
            raise FhirImportError(f"not a valid Bundle: {exc}") from exc
    return [
        submission_from_questionnaire_response(entry.resource, registry=registry)
        for entry in bundle.entry or []
        if isinstance(entry.resource, QuestionnaireResponse)
    ]
