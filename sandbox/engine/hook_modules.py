"""Imports the modules that register guards and effects (kept in one list on purpose)."""

from ..services.hooks import (  # noqa: F401
    committee,
    consultations,
    districts,
    documents,
    exceptions,
    projects,
    rapid,
)
