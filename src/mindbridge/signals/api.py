"""The batch payload devices and apps send (pydantic v2), and its parser.

Every item carries a client-generated `id`; the dedup key is derived from (device, id), so a
device that retries after a timeout, or re-sends a whole day, never creates a second row.
`BatchIn` documents the payload (OpenAPI); `parse_api_batch` validates item by item, so one
bad item is reported with its position instead of failing the whole batch unexplained.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from mindbridge.signals.catalog import STREAM_NAMES, canonical_value
from mindbridge.signals.clock import epoch_seconds, to_utc, zone
from mindbridge.signals.ingest_generic import MAX_SPAN_S
from mindbridge.signals.records import (
    BatchBuilder,
    ParseResult,
    ProgressCallback,
    RejectedRow,
    client_id_key,
)

MAX_ITEMS = 5_000
StreamField = Annotated[str, Field(json_schema_extra={"enum": list(STREAM_NAMES)})]


class ObservationIn(BaseModel):
    """One measurement from a device or app."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(
        min_length=1, max_length=128, description="Unique per device; retries reuse it."
    )
    stream: StreamField
    start: datetime = Field(description="ISO 8601; without an offset it is read in `tz`.")
    end: datetime | None = Field(default=None, description="Omit for an instantaneous sample.")
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=32)

    @field_validator("stream")
    @classmethod
    def _known_stream(cls, v: str) -> str:
        if v not in STREAM_NAMES:
            raise ValueError(f"unknown stream {v!r}")
        return v


class BatchIn(BaseModel):
    """What `POST /signals/batch` accepts (the route itself belongs to the web layer)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: str = Field(min_length=1, max_length=128)
    tz: str | None = Field(
        default=None, description="IANA zone of the device; default: the client's."
    )
    observations: list[ObservationIn] = Field(max_length=MAX_ITEMS)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: str = Field(min_length=1, max_length=128)
    tz: str | None = None
    observations: list[Any] = Field(max_length=MAX_ITEMS)


_ITEM = TypeAdapter(ObservationIn)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid"))


def parse_api_batch(
    payload: bytes | str | Mapping[str, Any] | BatchIn,
    client_tz: str,
    *,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Validate a batch; `line` in rejected rows is the 1-based item number."""
    try:
        if isinstance(payload, BatchIn):
            envelope = _Envelope(
                device_id=payload.device_id,
                tz=payload.tz,
                observations=[o.model_dump() for o in payload.observations],
            )
        elif isinstance(payload, bytes | str):
            envelope = _Envelope.model_validate(json.loads(payload))
        else:
            envelope = _Envelope.model_validate(payload)
    except ValueError as exc:  # ValidationError and JSONDecodeError are ValueErrors
        reason = _first_error(exc) if isinstance(exc, ValidationError) else f"not valid JSON: {exc}"
        return ParseResult.failed(reason)
    try:
        tzinfo = zone(envelope.tz or client_tz)
    except ValueError as exc:
        return ParseResult.failed(str(exc))
    builder = BatchBuilder()
    rejected: list[RejectedRow] = []
    total = len(envelope.observations)
    for number, raw in enumerate(envelope.observations, start=1):
        if progress and number % 1_000 == 0:
            progress(number, total)
        try:
            item = _ITEM.validate_python(raw)
            start = epoch_seconds(to_utc(item.start, tzinfo))
            end = epoch_seconds(to_utc(item.end, tzinfo)) if item.end else start
            if end < start:
                raise ValueError("end is before start")
            if end - start > MAX_SPAN_S:
                raise ValueError("record spans more than two days")
            value = canonical_value(item.stream, item.value, item.unit)
        except ValidationError as exc:
            rejected.append(
                RejectedRow(number, _first_error(exc), json.dumps(raw, default=str)[:200])
            )
            continue
        except ValueError as exc:
            rejected.append(RejectedRow(number, str(exc), json.dumps(raw, default=str)[:200]))
            continue
        key = client_id_key(envelope.device_id, item.id)
        builder.add(item.stream, f"api:{envelope.device_id}", start, end, value, number, key)
    if progress:
        progress(total, total)
    batch, conflicts, dropped = builder.build()
    every = sorted([*rejected, *conflicts], key=lambda r: r.line)
    return ParseResult(batch, tuple(every), None, {"items": total, "duplicates_dropped": dropped})
