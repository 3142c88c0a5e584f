"""Safety plans (encrypted, versioned, screened on every edit) and the crisis-resource directory."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.access.domain import Action, Purpose, Record
from mindbridge.access.service import ClientGrant
from mindbridge.alerts.models import Alert
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.kit.errors import Invalid
from mindbridge.safety.levels import RiskLevel
from mindbridge.safety.resources import CrisisDirectory, InvalidDirectory, default_directory
from mindbridge.safety.safety_plan import SafetyPlan, SafetyPlanError
from mindbridge.safetyplan import screening
from mindbridge.safetyplan.models import CrisisDirectoryVersion, SafetyPlanVersion

FIELD = "safety_plans.plan"
SOURCE = "safety_plan"


class PlanInvalid(Invalid):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _latest(db: Session, client_id: int) -> SafetyPlanVersion | None:
    return db.execute(
        select(SafetyPlanVersion)
        .where(SafetyPlanVersion.client_id == client_id)
        .order_by(SafetyPlanVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def current_plan(db: Session, grant: ClientGrant, vault: Vault) -> SafetyPlan | None:
    grant.require(Record.CARE_RECORD)
    row = _latest(db, grant.client_id)
    if row is None:
        return None
    owner = Vault.owner_for_client(grant.client_id)
    return SafetyPlan.from_dict(json.loads(vault.decrypt(db, owner, row.plan_enc, field=FIELD)))


def has_plan(db: Session, *, client_id: int) -> bool:
    return _latest(db, client_id) is not None


def version_of(db: Session, *, client_id: int) -> int:
    row = _latest(db, client_id)
    return row.version if row else 0


@dataclass(frozen=True)
class SaveResult:
    plan: SafetyPlan
    version: int
    level: RiskLevel  # most urgent screening of the new entries
    alert: Alert | None


def save_plan(
    db: Session, grant: ClientGrant, vault: Vault, *, sections: dict[str, Any]
) -> SaveResult:
    """Validate, screen every new entry (`screen_and_record`), then store a new version.

    Elevated language in a plan (often a past crisis) raises an elevated alert so the care team
    looks; imminent language raises an imminent alert and the page shows the crisis response.
    """
    grant.require(Record.CARE_RECORD, Action.WRITE)
    try:
        plan = SafetyPlan.create(**sections)
    except SafetyPlanError as exc:
        raise PlanInvalid(list(exc.problems)) from exc
    before = current_plan(db, grant, vault)
    old = set(before.entries()) if before else set()
    level = RiskLevel.NONE
    alert = None
    for _key, text in plan.entries():
        if (_key, text) in old:
            continue
        recorded = screening.screen_and_record(
            db,
            grant.ctx,
            vault,
            client_id=grant.client_id,
            text=text,
            source=SOURCE,
            stream=None,  # the plan is part of the care record the care team already shares
        )
        if recorded.level.rank > level.rank:
            level = recorded.level
        if recorded.alert is not None and (alert is None or recorded.level is RiskLevel.IMMINENT):
            alert = recorded.alert
    version = version_of(db, client_id=grant.client_id) + 1
    stamped = SafetyPlan.create(**(plan.to_dict() | {"updated_at": utcnow().isoformat()}))
    actor = grant.ctx.actor
    row = SafetyPlanVersion(
        client_id=grant.client_id,
        version=version,
        plan_enc=vault.encrypt(
            db,
            Vault.owner_for_client(grant.client_id),
            json.dumps(stamped.to_dict()),
            field=FIELD,
        ),
        author_id=actor.user_id if actor else None,
    )
    db.add(row)
    db.flush()
    audit_service.record(
        db,
        grant.ctx,
        action="safety_plan.save",
        resource_type="safety_plan",
        resource_id=row.id,
        client_id=grant.client_id,
        purpose=grant.purpose,
        detail={"version": version, "screened": level.value},
    )
    return SaveResult(stamped, version, level, alert)


# --- crisis-resource directory ------------------------------------------------------------------

_CACHE: dict[str, Any] = {"at": 0.0, "directory": None}
CACHE_SECONDS = 30.0


def directory(db: Session) -> CrisisDirectory:
    """The admins' directory if one is saved, else the shipped `data/crisis_resources.json`."""
    row = db.execute(
        select(CrisisDirectoryVersion).order_by(CrisisDirectoryVersion.id.desc()).limit(1)
    ).scalar_one_or_none()
    if row is None:
        return default_directory()
    try:
        return CrisisDirectory.from_dict(json.loads(row.document))
    except (ValueError, InvalidDirectory):
        return default_directory()


def cached_directory(factory: sessionmaker[Session]) -> CrisisDirectory:
    """For templates, which have no session: re-read at most every CACHE_SECONDS."""
    now = time.monotonic()
    found = _CACHE["directory"]
    if found is None or now - _CACHE["at"] > CACHE_SECONDS:
        with factory() as db:
            found = directory(db)
        _CACHE.update(at=now, directory=found)
    assert isinstance(found, CrisisDirectory)
    return found


def parse_directory(text: str) -> CrisisDirectory:
    """Parse the admin's JSON; raises Invalid listing every problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(f"Not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise Invalid("The directory must be a JSON object with a 'resources' list.")
    try:
        return CrisisDirectory.from_dict(data)
    except (InvalidDirectory, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Invalid(str(exc)) from exc


def save_directory(db: Session, ctx: AuditContext, *, text: str) -> CrisisDirectory:
    parsed = parse_directory(text)
    count = db.execute(select(func.count(CrisisDirectoryVersion.id))).scalar_one()
    document = parsed.to_dict() | {"version": int(count) + 1, "updated": utcnow().isoformat()}
    row = CrisisDirectoryVersion(
        document=json.dumps(document, indent=2),
        author_id=ctx.actor.user_id if ctx.actor else None,
    )
    db.add(row)
    db.flush()
    _CACHE.update(at=0.0, directory=None)
    audit_service.record(
        db,
        ctx,
        action="crisis_resources.save",
        resource_type="crisis_directory",
        resource_id=row.id,
        purpose=Purpose.CARE_TEAM.value,
        detail={"version": document["version"], "resources": len(parsed.resources)},
    )
    return CrisisDirectory.from_dict(document)
