"""Imports the modules that register guards and effects (kept in one list on purpose)."""

from ..services.hooks import committee, consultations, districts, documents  # noqa: F401
