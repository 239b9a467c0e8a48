"""The web role's log lines: time stamp, process, level and logger, as gunicorn's own.

gunicorn's own Logger applies ``sandbox.gunicorn_conf.logconfig_dict`` in a child process
(logging is process-wide state), which then logs as the application and gunicorn do.
"""

from __future__ import annotations

import re
import subprocess
import sys

SCRIPT = """
import logging
from flask import Flask
from gunicorn.config import Config
from gunicorn.glogging import Logger
from sandbox import gunicorn_conf

cfg = Config()
cfg.set("logconfig_dict", gunicorn_conf.logconfig_dict)
Logger(cfg).info("gunicorn's own line")
logging.getLogger("sandbox.adapters.publisher").warning("broker unavailable (OperationalError)")
logging.getLogger("sandbox.tasks").info("an application info line")
logging.getLogger("transitions.core").info("library chatter")
Flask("sandbox").logger.error("unhandled error on GET /x")
"""
STAMP = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\]"


def test_application_lines_carry_time_stamp_and_level_and_gunicorn_lines_are_not_doubled():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,  # noqa: S603
                         timeout=60, check=True)
    lines = run.stderr.splitlines()
    assert re.fullmatch(STAMP + r" \[INFO\] gunicorn's own line", lines[0]), lines
    assert re.fullmatch(STAMP + r" \[WARNING\] sandbox\.adapters\.publisher: broker unavailable "
                        r"\(OperationalError\)", lines[1]), lines
    assert re.fullmatch(STAMP + r" \[INFO\] sandbox\.tasks: an application info line", lines[2]), lines
    # Flask's app.logger ("sandbox") uses the same handler, not a bare one of its own.
    assert re.fullmatch(STAMP + r" \[ERROR\] sandbox: unhandled error on GET /x", lines[3]), lines
    # Nothing twice (gunicorn's lines do not also reach the root handler), no library INFO.
    assert len(lines) == 4 and "library chatter" not in run.stderr


EMBEDDED = """
from datetime import datetime, timezone
from sandbox.adapters.mailer import LogMailer, build_message
from sandbox.cli import log_like_the_web_role

log_like_the_web_role()
LogMailer().send(build_message(sender="s@molit.example", to="a@sejong.example", to_name="세종",
                               subject="[SB-1] 접수 확인 / Filing received", body="본문 / body",
                               key="k1", sent_at=datetime.now(timezone.utc), domain="molit.example"))
"""


def test_the_embedded_run_shows_the_mail_it_does_not_send_in_its_log():
    run = subprocess.run([sys.executable, "-c", EMBEDDED], capture_output=True, text=True,  # noqa: S603
                         timeout=60, check=True)
    assert re.match(STAMP + r" \[INFO\] sandbox\.mail: mail \(not sent, embedded mode\)", run.stderr)
    assert "[SB-1] 접수 확인 / Filing received" in run.stderr and "본문 / body" in run.stderr
