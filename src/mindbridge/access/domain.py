"""The one access policy: who may read which client data, for what purpose.

Pure rules: callers gather the facts (relationship, consents, break-glass grant) and ask `decide`.
Everything the web layer shows about a client goes through `access.service`, which calls this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLIENT = "client"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Stream(StrEnum):
    """Data streams a client shares, or not, per purpose."""

    CHECKINS = "checkins"
    JOURNAL = "journal"
    COMPANION = "companion"
    QUESTIONNAIRES = "questionnaires"
    SIGNALS = "signals"


class Purpose(StrEnum):
    CARE_TEAM = "care_team"
    AUTOMATED_ALERTS = "automated_alerts"
    RESEARCH = "research"
    # The companion may send the person's recent words to the service's language-model server
    # for a short reflective reply (generative mode); only the companion stream has it.
    MODEL_REPLIES = "model_replies"


class Record(StrEnum):
    """Client data that belongs to the care itself rather than to a shared stream."""

    PROFILE = "profile"  # name, contact, time zone
    CARE_RECORD = "care_record"  # safety plan, alerts, homework
    CLINICIAN_NOTES = "clinician_notes"  # the clinician's own session notes
    CONSENT = "consent"  # the client's consent choices: only the client changes them


Resource = Stream | Record


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    role: Role
    email: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the policy needs to know about an actor and one client."""

    assigned: bool  # actor is on the client's care team now
    shared: frozenset[Stream]  # streams the client shares with the care team now
    break_glass: bool  # an unexpired, reasoned break-glass grant for this admin and client


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    purpose: str
    reason: str
    not_shared: bool = False  # denied only because the client does not share this stream


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


def decide(
    actor: Actor, client_id: int, resource: Resource, facts: Facts, action: Action = Action.READ
) -> Decision:
    if actor.role is Role.CLIENT:
        if actor.user_id != client_id:
            return Decision(False, "none", "another client's data")
        if resource is Record.CLINICIAN_NOTES:
            return Decision(False, "none", "clinician notes are released through export only")
        return Decision(True, "self", "own data")
    if resource is Record.CONSENT and action is Action.WRITE:
        return Decision(False, "none", "only the client changes their consent")
    if actor.role is Role.CLINICIAN:
        if not facts.assigned:
            return Decision(False, "none", "not on this client's care team")
        if isinstance(resource, Stream):
            if action is Action.WRITE:
                return Decision(False, "none", "a client's own streams are theirs to write")
            if resource in facts.shared:
                return Decision(True, Purpose.CARE_TEAM.value, "care team, consented stream")
            return Decision(False, "none", "client does not share this stream", not_shared=True)
        if resource is Record.PROFILE and action is Action.WRITE:
            return Decision(False, "none", "the client and admins manage the profile")
        return Decision(True, Purpose.CARE_TEAM.value, "care team")
    # Admins manage accounts; clinical content is read-only, through an audited break-glass grant.
    if resource is Record.PROFILE or (resource is Record.CONSENT and action is Action.READ):
        return Decision(True, "administration", "account management")
    if action is Action.WRITE:
        return Decision(False, "none", "admins do not write clinical content")
    if facts.break_glass:
        return Decision(True, "break_glass", "break-glass grant with a stated reason")
    return Decision(False, "none", "admins read clinical content only through break-glass")
