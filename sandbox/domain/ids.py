"""How large a number an id or a version may be: what the database's integer columns hold.

Why: an id from an address or a request goes into a query, and a number beyond the
column's range makes the driver fail (SQLite: OverflowError; PostgreSQL: integer out of
range) - a 500 for what is only a wrong address or a typo. Routes, schemas and payloads
refuse such a number before any query: in an address it matches no route (404), in a
request body it is a 422 on its field.
"""

from __future__ import annotations

__all__ = ["MAX_ID"]

# Primary keys, versions and sequence numbers are INTEGER columns (PostgreSQL int4).
MAX_ID = 2**31 - 1
