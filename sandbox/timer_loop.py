"""The embedded mode's timer loop: a daemon thread that runs the sweep every interval.

Production runs the same sweep from Celery beat instead (ARCHITECTURE, "Embedded default").
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from .services.timers import fire_due_timers

__all__ = ["start_timer_loop", "BACKLOG_PAUSE_SECONDS"]

log = logging.getLogger(__name__)

# Between two outbox rounds while a backlog remains. Each round is kept short (the
# delivery's own time budget), so a backlog - the demo's documents, written by another
# process, or what piled up while the server was down - is worked off in a minute, not
# one budget per interval, and a request still finds the database free between rounds.
BACKLOG_PAUSE_SECONDS = 0.5


def start_timer_loop(app: Flask) -> threading.Thread:
    interval = float(app.config["SANDBOX_TIMER_INTERVAL"])
    stop = threading.Event()
    rt = app.extensions["sandbox"]

    def run() -> None:
        # A first round at once, then one per interval: what fell due while the server was
        # down (or the demo's documents, just written) is not left waiting a whole interval.
        next_sweep = time.monotonic()
        while True:
            backlog = False
            try:
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + interval
                    fired = fire_due_timers(rt)
                    if fired:
                        log.info("timer loop fired %d timers", fired)
                # What a crash left undelivered (embedded mode: the same thread publisher).
                delivery = app.extensions.get("sandbox.delivery")
                if delivery is not None:
                    # Only a round that got something done goes again soon: items that
                    # keep failing wait for the next interval, as they would anyway.
                    backlog = delivery.deliver_due() > 0 and bool(delivery.due(limit=1))
            except Exception:  # keep the loop alive; the next round retries
                log.exception("timer sweep failed")
            pause = BACKLOG_PAUSE_SECONDS if backlog else max(next_sweep - time.monotonic(), 0.0)
            if stop.wait(pause):
                return

    thread = threading.Thread(target=run, name="sandbox-timer-loop", daemon=True)
    thread.start()
    app.extensions["sandbox.timer_loop_stop"] = stop
    return thread
