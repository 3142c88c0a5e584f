"""Timezone-aware timestamps: every stored or compared instant here carries its UTC offset."""

from __future__ import annotations

from datetime import datetime


def require_aware(value: datetime, name: str) -> datetime:
    """Reject naive datetimes: a due date or an answer time without an offset is ambiguous."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    return value


def parse_aware(text: str, name: str) -> datetime:
    """Parse an ISO 8601 timestamp that must carry an offset (as stored by `to_dict` methods)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{name}: {text!r} is not an ISO 8601 timestamp") from exc
    return require_aware(value, name)
