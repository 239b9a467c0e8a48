"""Effects of committee decisions on a case."""

from __future__ import annotations

from ...engine.door import FireContext
from ...engine.hooks import effect


@effect("record_resolution")
def record_resolution(ctx: FireContext) -> None:
    """Keep the resolution on the case: the register and documents show it."""
    resolution = {
        key: ctx.raw_payload.get(key)
        for key in ("item_id", "meeting_id", "proposal", "conditions", "extension_months", "tally")
    }
    resolution["decided_at"] = ctx.now.isoformat()
    ctx.case.decision = {**(ctx.case.decision or {}), "resolution": resolution}
    ctx.session.add(ctx.case)
    ctx.audit_extra["resolution"] = resolution
