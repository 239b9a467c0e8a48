"""The embedded mode's timer loop: a daemon thread that runs the sweep every interval.

Production runs the same sweep from Celery beat instead (ARCHITECTURE, "Embedded default").
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from .services.timers import fire_due_timers

__all__ = ["start_timer_loop"]

log = logging.getLogger(__name__)


def start_timer_loop(app: Flask) -> threading.Thread:
    interval = float(app.config["SANDBOX_TIMER_INTERVAL"])
    stop = threading.Event()
    rt = app.extensions["sandbox"]

    def run() -> None:
        # A first round at once, then one per interval: what fell due while the server was
        # down (or the demo's documents, just written) is not left waiting a whole interval.
        while True:
            try:
                fired = fire_due_timers(rt)
                if fired:
                    log.info("timer loop fired %d timers", fired)
                # What a crash left undelivered (embedded mode: the same thread publisher).
                delivery = app.extensions.get("sandbox.delivery")
                if delivery is not None:
                    delivery.deliver_due()
            except Exception:  # keep the loop alive; the next round retries
                log.exception("timer sweep failed")
            if stop.wait(interval):
                return

    thread = threading.Thread(target=run, name="sandbox-timer-loop", daemon=True)
    thread.start()
    app.extensions["sandbox.timer_loop_stop"] = stop
    return thread
