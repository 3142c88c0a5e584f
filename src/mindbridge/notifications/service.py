"""In-app notifications and email, both delivered through the outbox."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.db import utcnow
from mindbridge.jobs import outbox
from mindbridge.notifications.models import Notification


def notify(
    db: Session, *, user_id: int, kind: str, title: str, body: str = "", link: str = ""
) -> None:
    """Queue an in-app notification in the caller's transaction."""
    outbox.enqueue(
        db, "notify", {"user_id": user_id, "kind": kind, "title": title, "body": body, "link": link}
    )


def send_email(db: Session, *, to: str, subject: str, body: str) -> None:
    outbox.enqueue(db, "email", {"to": to, "subject": subject, "body": body})


@outbox.handler("notify")
def _deliver_notification(db: Session, payload: dict[str, Any], event_id: int) -> None:
    exists = db.execute(
        select(Notification.id).where(
            Notification.source_event_id == event_id, Notification.user_id == payload["user_id"]
        )
    ).first()
    if exists:
        return
    db.add(
        Notification(
            user_id=payload["user_id"],
            source_event_id=event_id,
            kind=payload["kind"],
            title=payload["title"][:200],
            body=payload.get("body", ""),
            link=payload.get("link", ""),
        )
    )


@outbox.handler("email")
def _deliver_email(db: Session, payload: dict[str, Any], event_id: int) -> None:
    """SMTP when configured; otherwise appended to `mail.log` in the data directory (development).

    Email leaves the database, so it is at-least-once: the Message-ID lets receivers deduplicate.
    """
    from mindbridge.runtime import runtime  # the process's settings (tests install their own)

    settings = runtime().settings
    msg = EmailMessage()
    msg["From"] = settings.smtp_sender
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    msg["Message-ID"] = f"<outbox-{event_id}@mindbridge>"
    msg.set_content(payload["body"])
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.send_message(msg)
        return
    settings.ensure_data_dir()
    with (settings.data_dir / "mail.log").open("a", encoding="utf-8") as handle:
        handle.write(msg.as_string() + "\n\n")


def unread(db: Session, *, user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.execute(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(limit)
        ).scalars()
    )


def mark_read(db: Session, *, user_id: int, notification_id: int) -> None:
    row = db.get(Notification, notification_id)
    if row is not None and row.user_id == user_id and row.read_at is None:
        row.read_at = utcnow()
