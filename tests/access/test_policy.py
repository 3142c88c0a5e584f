"""The access policy as an explicit table: every role and relationship, every resource."""

from __future__ import annotations

import pytest

from mindbridge.access.domain import Action, Actor, Facts, Record, Role, Stream, decide

CLIENT_ID = 10
SHARED = frozenset({Stream.CHECKINS, Stream.QUESTIONNAIRES})
ALL: list[Stream | Record] = [*Stream, *Record]


def facts(assigned: bool = False, break_glass: bool = False) -> Facts:
    return Facts(
        assigned=assigned, shared=SHARED if assigned else frozenset(), break_glass=break_glass
    )


@pytest.mark.parametrize("resource", ALL)
def test_client_sees_own_data_except_clinician_notes(resource: Stream | Record) -> None:
    me = Actor(CLIENT_ID, Role.CLIENT)
    for action in Action:
        d = decide(me, CLIENT_ID, resource, facts(), action)
        assert d.allowed is (resource is not Record.CLINICIAN_NOTES)


@pytest.mark.parametrize("resource", ALL)
def test_other_client_sees_nothing(resource: Stream | Record) -> None:
    assert not decide(Actor(11, Role.CLIENT), CLIENT_ID, resource, facts()).allowed


@pytest.mark.parametrize("resource", ALL)
def test_unassigned_clinician_sees_nothing(resource: Stream | Record) -> None:
    assert not decide(Actor(2, Role.CLINICIAN), CLIENT_ID, resource, facts()).allowed


def test_assigned_clinician_sees_only_shared_streams() -> None:
    clinician = Actor(2, Role.CLINICIAN)
    for stream in Stream:
        d = decide(clinician, CLIENT_ID, stream, facts(assigned=True))
        assert d.allowed is (stream in SHARED)
        assert d.not_shared is (stream not in SHARED)
        assert not decide(clinician, CLIENT_ID, stream, facts(assigned=True), Action.WRITE).allowed
    for record in (Record.CARE_RECORD, Record.CLINICIAN_NOTES):
        for action in Action:
            assert decide(clinician, CLIENT_ID, record, facts(assigned=True), action).allowed
    assert decide(clinician, CLIENT_ID, Record.CONSENT, facts(assigned=True)).allowed
    assert not decide(
        clinician, CLIENT_ID, Record.CONSENT, facts(assigned=True), Action.WRITE
    ).allowed


def test_admin_reads_clinical_content_only_with_break_glass_and_never_writes_it() -> None:
    admin = Actor(1, Role.ADMIN)
    assert decide(admin, CLIENT_ID, Record.PROFILE, facts()).allowed
    for resource in [*Stream, Record.CARE_RECORD, Record.CLINICIAN_NOTES]:
        assert not decide(admin, CLIENT_ID, resource, facts()).allowed
        d = decide(admin, CLIENT_ID, resource, facts(break_glass=True))
        assert d.allowed and d.purpose == "break_glass"
        assert not decide(admin, CLIENT_ID, resource, facts(break_glass=True), Action.WRITE).allowed
    assert not decide(
        admin, CLIENT_ID, Record.CONSENT, facts(break_glass=True), Action.WRITE
    ).allowed
