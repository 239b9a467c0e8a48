"""gunicorn's settings file for ``scripts/prod.sh web`` (``-c python:sandbox.gunicorn_conf``).

It holds only what gunicorn takes from a settings file alone (its logging dict); every
other option is on prod.sh's command line.

Logging: the application logs through the standard library's loggers (``sandbox.*``), and
nothing gave the root logger a handler in gunicorn's processes, so Python's last-resort
handler printed their lines bare (message only, WARNING and above). Here the root logger
writes them to stderr, next to gunicorn's own error log and in its format (time stamp,
process id, level), with the logger's name:

    [2026-03-02 10:15:04 +0900] [4711] [WARNING] sandbox.adapters.publisher: broker unavailable …

``LOG_LEVEL`` (default INFO) sets the level of the application's loggers, as for the Celery
roles; the libraries' loggers say WARNING and up only (``transitions`` alone would log two
INFO lines per state change). gunicorn's own loggers keep the handlers it gives them
(``--access-logfile``, ``--error-logfile``).
"""

from __future__ import annotations

import os

FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"
DATEFMT = "[%Y-%m-%d %H:%M:%S %z]"  # gunicorn's own

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING", "handlers": ["app"]},
    # In place of gunicorn's defaults, which name gunicorn.error and gunicorn.access: those
    # stay as gunicorn set them up from its command line (an entry would replace handlers).
    "loggers": {"sandbox": {"level": os.environ.get("LOG_LEVEL", "INFO").upper()}},
    "handlers": {
        "app": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"},
    },
    "formatters": {"app": {"format": FORMAT, "datefmt": DATEFMT}},
}
