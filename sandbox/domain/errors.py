"""Domain errors. Edges map them to HTTP statuses (ARCHITECTURE rule 6)."""

from __future__ import annotations

__all__ = [
    "DomainError",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Invalid",
    "Unauthenticated",
    "TooMany",
]


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class Unauthenticated(DomainError):
    status = 401
    title = "Not authenticated"


class Forbidden(DomainError):
    """The caller's role may not do this."""

    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    """Absent, or not visible to the caller: the two are indistinguishable on purpose."""

    status = 404
    title = "Not found"


class Conflict(DomainError):
    """Not allowed in the current state, or a stale version."""

    status = 409
    title = "Conflict"


class Invalid(DomainError):
    """Invalid input, with messages per field."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: dict[str, list[str]], detail: str = "") -> None:
        super().__init__(detail or "The input has errors: " + ", ".join(sorted(errors)))
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls({name: [message]})


class TooMany(DomainError):
    """Too many of something from one source in a while (sign-ins, public comments)."""

    status = 429
    title = "Too many attempts"
