"""Domain errors that carry the HTTP status the web layer maps them to."""

from __future__ import annotations


class MindbridgeError(Exception):
    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or "error")
        self.message = message or (self.__class__.__doc__ or "error").strip()


class NotFound(MindbridgeError):
    """Not found."""

    status_code = 404


class Invalid(MindbridgeError):
    """The request was not valid."""

    status_code = 422


class Conflict(MindbridgeError):
    """That conflicts with the current state."""

    status_code = 409


class TooManyRequests(MindbridgeError):
    """Too many attempts; try again later."""

    status_code = 429
