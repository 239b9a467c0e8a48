"""Real processes for the runtime tests: a private redis-server, Celery workers and beats.

Each runs in its own process group, so a SIGKILL takes the worker and its pool children at
once, as a crashed machine would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> Proc:
        self.starts += 1
        with self.log.open("ab") as out:  # the child keeps its own descriptor
            self.popen = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=out,  # noqa: S603
                                          stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen and self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        """Until the process has logged ``text`` (after its latest start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists() and self.log.read_text(errors="replace").count(text) >= self.starts:
                return
            time.sleep(0.05)
        raise TimeoutError(f"{self.args[:5]} did not log {text!r}")


WORKER_CONCURRENCY = 4  # a SIGKILL stops at most this many tasks mid-way


def celery(kind: str, env: dict[str, str], tmp: Path, name: str) -> Proc:
    args = [sys.executable, "-m", "celery", "-A", "sandbox.worker", kind, "--loglevel=INFO"]
    if kind == "worker":
        args += ["-c", str(WORKER_CONCURRENCY), "-n", f"{name}@%h", "--without-gossip", "--without-mingle"]
    else:
        args += ["-s", str(tmp / f"{name}-schedule")]
    return Proc(args, env, tmp / f"{name}.log")


class RedisServer:
    """A private redis-server on a free port: stopping it disturbs no one else."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.proc: Proc | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.tmp)]
        self.proc = Proc(args, dict(os.environ), self.tmp / "redis.log").start()
        import redis

        for _ in range(100):
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.kill(signal.SIGKILL)
