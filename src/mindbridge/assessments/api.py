"""The questionnaire REST API under /api/v1: instruments (as FHIR Questionnaires), submissions
with their scores, and FHIR R4 export and import of a client's history.

Access follows the one policy: a client reads and writes their own questionnaires; their care
team reads them while the client shares the stream; anyone else gets the same 404 as for a client
that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from mindbridge.access.domain import Action, Stream
from mindbridge.access.service import ClientGrant
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.fhir import questionnaire
from mindbridge.assessments.models import AssessmentSubmission
from mindbridge.assessments.service import (
    AnswersRejected,
    ImportRejected,
    Problem,
    SafetyOutcome,
)
from mindbridge.kit.errors import NotFound
from mindbridge.web.policy import AUTHENTICATED, access, client_data
from mindbridge.web.security import AppRuntime, CurrentUser, DbSession, client_access

router = APIRouter()
FHIR_JSON = "application/fhir+json"
CLIENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    404: {"description": "No such client, or not yours to see"},
}
Read = Annotated[ClientGrant, Depends(client_access(Stream.QUESTIONNAIRES))]
Write = Annotated[ClientGrant, Depends(client_access(Stream.QUESTIONNAIRES, Action.WRITE))]


class InstrumentOut(BaseModel):
    id: str
    version: str
    title: str
    published_name: str
    measures: str
    recall_period: str
    items: int
    min_total: int
    max_total: int
    higher_is_better: bool
    questionnaire: str = Field(description="Where to fetch it as a FHIR Questionnaire")


class SubmissionIn(BaseModel):
    instrument: str = Field(min_length=1, max_length=32, examples=["PHQ-9"])
    answers: dict[str, Any] | list[Any] = Field(
        description="Raw response values by linkId ({'1': 2, ...}) or a list in item order; "
        "null marks an unanswered item",
        examples=[{"1": 1, "2": 2, "3": 0, "4": 1, "5": 0, "6": 1, "7": 0, "8": 0, "9": 0}],
    )
    authored_at: AwareDatetime | None = None


class BandOut(BaseModel):
    code: str
    label: str
    low: int
    high: int


class SafetyOut(BaseModel):
    open_flow: bool = Field(description="True when an answer opens the safety flow")
    reasons: list[str]
    care_team_alerted: bool | None = Field(
        description="Whether an alert went to the care team (None when the flow did not open; "
        "False when the client has not consented to automated alerts)"
    )
    safety_plan_url: str | None
    crisis_support: str | None


class SubmissionOut(BaseModel):
    id: str
    instrument: str
    version: str
    authored_at: datetime
    recorded_at: datetime
    source: str
    answers: dict[str, int | None]
    total: int | None
    band: BandOut | None
    flags: list[str]
    refusal: str | None
    safety: SafetyOut


class ProblemOut(BaseModel):
    entry: int | None = Field(description="Index of the Bundle entry, when there is one")
    item: str | None
    message: str


class RejectedOut(BaseModel):
    detail: str
    problems: list[ProblemOut]


class IncompleteOut(BaseModel):
    detail: str
    missing_items: list[str]
    draft_saved: bool
    safety: SafetyOut


class ImportOut(BaseModel):
    imported: list[SubmissionOut]
    already_present: list[str] = Field(description="Response ids already stored, skipped")
    subject: str | None = Field(description="The patient id the responses named")
    alerts_raised: int
    historical_safety_answers: int = Field(
        description="Positive self-harm answers older than 14 days: stored, no new alert"
    )


def _safety(outcome: SafetyOutcome) -> SafetyOut:
    return SafetyOut(
        open_flow=outcome.open_flow,
        reasons=list(outcome.reasons),
        care_team_alerted=outcome.care_team_alerted,
        safety_plan_url=assessments_service.SAFETY_PLAN_URL if outcome.open_flow else None,
        crisis_support=assessments_service.CRISIS_SUPPORT if outcome.open_flow else None,
    )


def submission_out(row: AssessmentSubmission) -> SubmissionOut:
    definition = assessments_service.instrument(row.instrument_id)
    reasons = [s.reason for s in definition.safety_items if s.reason in (row.flags or [])]
    band = (
        BandOut(**row.result["band"])
        if row.result and row.total is not None and "band" in row.result
        else None
    )
    return SubmissionOut(
        id=row.uid,
        instrument=row.instrument_id,
        version=row.instrument_version,
        authored_at=row.authored_at,
        recorded_at=row.recorded_at,
        source=row.source,
        answers=row.answers,
        total=row.total,
        band=band,
        flags=list(row.flags or []),
        refusal=row.refusal,
        safety=_safety(SafetyOutcome.stored(bool(reasons), reasons, row.safety_alert)),
    )


def _rejected(detail: str, problems: tuple[Problem, ...]) -> JSONResponse:
    body = RejectedOut(detail=detail, problems=[ProblemOut(**p.to_dict()) for p in problems])
    return JSONResponse(body.model_dump(), status_code=422)


@router.get(
    "/api/v1/instruments",
    response_model=list[InstrumentOut],
    responses={401: {"description": "Not logged in"}},
    **access(AUTHENTICATED),
)
def list_instruments(user: CurrentUser) -> list[InstrumentOut]:
    return [
        InstrumentOut(
            id=d.id,
            version=d.version,
            title=d.title,
            published_name=d.published_name,
            measures=d.measures,
            recall_period=d.recall_period.text,
            items=len(d.items),
            min_total=d.min_total,
            max_total=d.max_total,
            higher_is_better=d.higher_is_better,
            questionnaire=f"/api/v1/instruments/{d.id}",
        )
        for d in assessments_service.instruments()
    ]


@router.get(
    "/api/v1/instruments/{instrument_id}",
    response_class=Response,
    responses={
        200: {"description": "A FHIR R4 Questionnaire", "content": {FHIR_JSON: {}}},
        401: {"description": "Not logged in"},
        404: {"description": "No such instrument"},
    },
    **access(AUTHENTICATED),
)
def get_instrument(user: CurrentUser, rt: AppRuntime, instrument_id: str) -> Response:
    definition = assessments_service.instrument(instrument_id)
    resource = questionnaire(definition, base=assessments_service.fhir_base(rt.settings.base_url))
    return Response(resource.model_dump_json(exclude_none=True), media_type=FHIR_JSON)


@router.post(
    "/api/v1/clients/{client_id}/submissions",
    response_model=SubmissionOut,
    status_code=201,
    responses={
        **CLIENT_RESPONSES,
        422: {
            "description": "Invalid answers (nothing stored: RejectedOut), or an incomplete form "
            "kept as a draft (IncompleteOut)",
            "model": RejectedOut | IncompleteOut,
        },
    },
    **access(client_data(Stream.QUESTIONNAIRES, Action.WRITE)),
)
def create_submission(
    db: DbSession, rt: AppRuntime, grant: Write, body: SubmissionIn
) -> SubmissionOut | JSONResponse:
    try:
        definition = assessments_service.instrument(body.instrument)
    except NotFound:
        return _rejected(
            "Unknown questionnaire.", (Problem(f"unknown instrument {body.instrument!r}"),)
        )
    try:
        result = assessments_service.submit(
            db,
            grant,
            rt.vault,
            instrument_id=definition.id,
            answers=body.answers,
            authored_at=body.authored_at,
            source="api",
        )
    except AnswersRejected as exc:
        return _rejected("Some answers are not valid; nothing was stored.", exc.problems)
    if result.submission is None:
        body_out = IncompleteOut(
            detail=f"Not scored: {result.refusal}. The answers were kept as a draft.",
            missing_items=list(result.missing_items),
            draft_saved=True,
            safety=_safety(result.safety),
        )
        return JSONResponse(body_out.model_dump(), status_code=422)
    return submission_out(result.submission)


@router.get(
    "/api/v1/clients/{client_id}/submissions",
    response_model=list[SubmissionOut],
    responses=CLIENT_RESPONSES,
    **access(client_data(Stream.QUESTIONNAIRES)),
)
def list_submissions(
    db: DbSession, grant: Read, instrument: str | None = None
) -> list[SubmissionOut]:
    instrument_id = assessments_service.instrument(instrument).id if instrument else None
    rows = assessments_service.list_submissions(db, grant, instrument_id=instrument_id)
    return [submission_out(r) for r in rows]


@router.get(
    "/api/v1/clients/{client_id}/fhir/Bundle",
    response_class=Response,
    responses={
        200: {"description": "A FHIR R4 collection Bundle", "content": {FHIR_JSON: {}}},
        **CLIENT_RESPONSES,
    },
    **access(client_data(Stream.QUESTIONNAIRES)),
)
def export_bundle(db: DbSession, rt: AppRuntime, grant: Read) -> Response:
    bundle = assessments_service.export_bundle(
        db, grant, base=assessments_service.fhir_base(rt.settings.base_url)
    )
    return Response(bundle.model_dump_json(exclude_none=True), media_type=FHIR_JSON)


@router.post(
    "/api/v1/clients/{client_id}/fhir",
    response_model=ImportOut,
    responses={
        **CLIENT_RESPONSES,
        422: {"description": "Refused as a whole; every problem listed", "model": RejectedOut},
    },
    **access(client_data(Stream.QUESTIONNAIRES, Action.WRITE)),
)
def import_fhir(
    db: DbSession,
    rt: AppRuntime,
    grant: Write,
    payload: Annotated[
        dict[str, Any], Body(description="A FHIR R4 Bundle or QuestionnaireResponse")
    ],
) -> ImportOut | JSONResponse:
    try:
        report = assessments_service.import_fhir(db, grant, rt.vault, payload=payload)
    except ImportRejected as exc:
        return _rejected(exc.message, exc.problems)
    return ImportOut(
        imported=[submission_out(r) for r in report.imported],
        already_present=report.already_present,
        subject=report.subject,
        alerts_raised=report.alerts_raised,
        historical_safety_answers=report.historical_safety_answers,
    )
