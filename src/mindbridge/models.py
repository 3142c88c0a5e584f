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
from mindbridge.checkins.models import Checkin
from mindbridge.companion.models import CompanionDocument, CompanionOutcome, HomeworkAssignment
from mindbridge.consent.models import ConsentRecord
from mindbridge.crypto.models import DataKey
from mindbridge.db import Base
from mindbridge.intake.models import ClinicianProfile, Intake, IntakeMatch
from mindbridge.jobs.models import OutboxEvent
from mindbridge.journal.models import JournalEntry
from mindbridge.language.models import TextAnalysis, ThemeSnapshot
from mindbridge.notes.models import SessionNote
from mindbridge.notifications.models import Notification
from mindbridge.recommender.models import (
    RecommendationEvent,
    RecommendationOutcome,
    RecommenderControls,
    RecommenderPopulation,
    RecommenderState,
)
from mindbridge.retention.models import RetentionRule
from mindbridge.safetyplan.models import CrisisDirectoryVersion, SafetyPlanVersion
from mindbridge.scheduling.models import Appointment, AvailabilityWindow
from mindbridge.signals.models import (
    SignalAlert,
    SignalDay,
    SignalImport,
    SignalNudge,
    SignalObservation,
)

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
    "Checkin",
    "ClinicianProfile",
    "CompanionDocument",
    "CompanionOutcome",
    "ConsentRecord",
    "CrisisDirectoryVersion",
    "DataKey",
    "HomeworkAssignment",
    "Intake",
    "IntakeMatch",
    "JournalEntry",
    "LoginAttempt",
    "Notification",
    "OneTimeToken",
    "OutboxEvent",
    "RecommendationEvent",
    "RecommendationOutcome",
    "RecommenderControls",
    "RecommenderPopulation",
    "RecommenderState",
    "RetentionRule",
    "SafetyPlanVersion",
    "SessionNote",
    "SignalAlert",
    "SignalDay",
    "SignalImport",
    "SignalNudge",
    "SignalObservation",
    "TextAnalysis",
    "ThemeSnapshot",
    "User",
    "WebSession",
]
