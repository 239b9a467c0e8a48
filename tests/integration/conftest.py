"""Fixtures shared by the PostgreSQL move tests (test_lone_units_of_work, test_case_snapshots)."""

from tests.support.moves import actors, other

__all__ = ["actors", "other"]
