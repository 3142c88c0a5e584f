"""Imports every capability's tables so metadata (and Alembic) sees the whole schema."""

from mindbridge.access.models import BreakGlassGrant
from mindbridge.accounts.models import ApiToken, LoginAttempt, OneTimeToken, User, WebSession
from mindbridge.alerts.models import Alert, AlertTransition
from mindbridge.assessments.models import (
    AssessmentAssignment,
    AssessmentDraft,
    AssessmentReminder,
    AssessmentSubmission,
)
from mindbridge.audit.models import AuditEvent, AuditHead
from mindbridge.care.models import CareRelationship
from mindbridge.companion.models import CompanionDocument, CompanionOutcome
from mindbridge.consent.models import ConsentRecord
from mindbridge.crypto.models import DataKey
from mindbridge.db import Base
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notes.models import SessionNote
from mindbridge.notifications.models import Notification
from mindbridge.safetyplan.models import CrisisDirectoryVersion, SafetyPlanVersion
from mindbridge.scheduling.models import Appointment, AvailabilityWindow

__all__ = [
    "Alert",
    "AlertTransition",
    "ApiToken",
    "Appointment",
    "AssessmentAssignment",
    "AssessmentDraft",
    "AssessmentReminder",
    "AssessmentSubmission",
    "AuditEvent",
    "AuditHead",
    "AvailabilityWindow",
    "Base",
    "BreakGlassGrant",
    "CareRelationship",
    "CompanionDocument",
    "CompanionOutcome",
    "ConsentRecord",
    "CrisisDirectoryVersion",
    "DataKey",
    "LoginAttempt",
    "Notification",
    "OneTimeToken",
    "OutboxEvent",
    "SafetyPlanVersion",
    "SessionNote",
    "User",
    "WebSession",
]
