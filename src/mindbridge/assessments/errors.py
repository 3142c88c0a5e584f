"""Exceptions of the assessments package.

Every rejection names the instrument and, where there is one, the item, so a web form or the CLI
can show the person exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence


class AssessmentError(Exception):
    """Base class: anything this package refuses to do."""


class DefinitionError(AssessmentError):
    """A shipped instrument definition file is broken; the registry must not load it."""


class UnknownInstrumentError(AssessmentError):
    """No instrument with that id is registered."""

    def __init__(self, instrument_id: str, known: Sequence[str]) -> None:
        self.instrument_id = instrument_id
        self.known = tuple(known)
        super().__init__(
            f"unknown instrument {instrument_id!r}; known instruments: {', '.join(self.known)}"
        )


class InvalidAnswerError(AssessmentError, ValueError):
    """An answer is out of range, not a whole number, for an unknown item, or the count is wrong."""

    def __init__(self, instrument_id: str, message: str, link_id: str | None = None) -> None:
        self.instrument_id = instrument_id
        self.link_id = link_id
        where = f"{instrument_id} item {link_id}" if link_id is not None else instrument_id
        super().__init__(f"{where}: {message}")


class ScoringRefusedError(AssessmentError):
    """Too many (or the wrong) items are missing for the instrument's missing-data rule."""

    def __init__(self, instrument_id: str, missing: Sequence[str], reason: str) -> None:
        self.instrument_id = instrument_id
        self.missing_items = tuple(missing)
        self.reason = reason
        super().__init__(
            f"{instrument_id}: not scored; missing item(s) "
            f"{', '.join(self.missing_items)}: {reason}"
        )


class PackError(AssessmentError):
    """An instrument pack (official wording supplied by a service) does not fit its definition."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"instrument pack rejected ({len(self.problems)} problem(s)):\n{listing}")


class NormsUnavailableError(AssessmentError):
    """A change metric needs a norm or reliability the definition does not carry."""


class FhirImportError(AssessmentError):
    """A FHIR resource cannot be turned back into a submission."""
