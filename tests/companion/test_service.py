"""`companion.service`: encrypted state and memory, memory across conversations, hand-off to the
care team in the same transaction, and screening before anything else reads the text."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Stream
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.audit.service import AuditContext
from mindbridge.companion import service as companion_service
from mindbridge.companion.models import CompanionDocument
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.safetyplan import screening


def _turn(rt, client_id: int, text: str) -> companion_service.Reply:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        user = db.get(User, client_id)
        assert user is not None
        ctx = AuditContext(actor=accounts_service.actor_of(user), request_id="test")
        grant = access_service.authorize(
            db, ctx, client_id=client_id, resource=Stream.COMPANION, action=Action.WRITE
        )
        return companion_service.take_turn(
            db, grant, rt.vault, client=user, text=text, now=utcnow()
        )


def _new_conversation(rt, client_id: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        user = db.get(User, client_id)
        assert user is not None
        ctx = AuditContext(actor=accounts_service.actor_of(user), request_id="test")
        grant = access_service.authorize(
            db, ctx, client_id=client_id, resource=Stream.COMPANION, action=Action.WRITE
        )
        companion_service.new_conversation(db, grant)


def test_name_remembered_across_conversations_and_documents_encrypted(rt, personas) -> None:  # type: ignore[no-untyped-def]
    _turn(rt, personas.client, "hello")
    named = _turn(rt, personas.client, "call me Zephyrine")
    assert "Zephyrine" in named.reply[0]
    _new_conversation(rt, personas.client)
    greeting = _turn(rt, personas.client, "hello")
    assert greeting.reply[0].startswith("Hi Zephyrine")
    with transaction(rt.sessions) as db:
        rows = list(db.execute(select(CompanionDocument)).scalars())
        kinds = {r.kind for r in rows if r.client_id == personas.client}
        assert kinds == {"conversation", "memory"}
        for row in rows:  # free text is never stored in plaintext
            assert b"Zephyrine" not in row.document_enc and b"hello" not in row.document_enc
        convo = next(r for r in rows if r.kind == "conversation")
        text = rt.vault.decrypt(
            db,
            f"client:{personas.client}",
            convo.document_enc,
            field=companion_service.FIELDS["conversation"],
        )
    data = json.loads(text)
    assert [line["text"] for line in data["transcript"] if line["who"] == "you"] == ["hello"]


def test_handoff_notifies_the_care_team_in_the_same_transaction(rt, personas) -> None:  # type: ignore[no-untyped-def]
    reply = _turn(rt, personas.client, "I'd like to talk to a real person")
    assert any(a["kind"] == "handoff" for a in reply.actions)
    with transaction(rt.sessions) as db:
        events = list(db.execute(select(OutboxEvent).where(OutboxEvent.kind == "notify")).scalars())
    payloads: list[dict[str, Any]] = [json.loads(e.payload) for e in events]
    handoffs = [p for p in payloads if p["kind"] == "companion_handoff"]
    assert [p["user_id"] for p in handoffs] == [personas.clinician]
    assert "talk to a person" in handoffs[0]["title"]


def test_every_message_is_screened_first_with_recent_context(rt, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[dict[str, Any]] = []
    real = screening.screen_and_record

    def spy(db, ctx, vault, **kw: Any):  # type: ignore[no-untyped-def]
        calls.append(kw)
        return real(db, ctx, vault, **kw)

    monkeypatch.setattr(screening, "screen_and_record", spy)
    _turn(rt, personas.client, "hello")
    _turn(rt, personas.client, "I can't sleep")
    assert [c["text"] for c in calls] == ["hello", "I can't sleep"]
    assert all(c["source"] == "companion" and c["stream"] is Stream.COMPANION for c in calls)
    assert tuple(calls[1]["context"]) == ("hello",)
