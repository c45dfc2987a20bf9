"""Child processes of `trading-system up`: started, checked for health, and stopped cleanly."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import requests

log = logging.getLogger(__name__)


@dataclass
class ManagedProcess:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str | None = None
    health_check: Callable[[], bool] | None = None
    log_path: Path | None = None
    process: subprocess.Popen | None = field(default=None, init=False)

    def start(self) -> None:
        output = open(self.log_path, "ab") if self.log_path else None
        # A new session: Ctrl-C in the terminal reaches `up`, which stops the children in order.
        self.process = subprocess.Popen(self.argv, env=self.env, stdout=output or None, stderr=subprocess.STDOUT
                                        if output else None, start_new_session=True)
        if output:
            output.close()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode} while starting"
                                   + (f"; see {self.log_path}" if self.log_path else ""))
            if self._healthy():
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not healthy after {timeout:.0f} s"
                                   + (f"; see {self.log_path}" if self.log_path else ""))
            time.sleep(0.1)

    def _healthy(self) -> bool:
        if self.health_check is not None:
            try:
                return self.health_check()
            except Exception:  # a probe that cannot run yet means "not healthy yet"
                return False
        if self.health_url is None:
            return True
        try:
            return requests.get(self.health_url, timeout=1).status_code == 200
        except requests.RequestException:
            return False

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if not self.alive:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s; killing it", self.name, timeout)
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
