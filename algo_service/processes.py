"""Starting algo processes and telling whether one still lives (also one started by an earlier supervisor)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

RUNNER_MODULE = "algo_service.runner"


def spawn_runner(algo_id: str, log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A new OS process for one algo, in its own session so it outlives a restart of the supervisor."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as output:
        return subprocess.Popen([sys.executable, "-m", RUNNER_MODULE, algo_id], env=env, stdout=output,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def runner_alive(pid: int, algo_id: str) -> bool:
    """True if `pid` is a live (not zombie) process running this algo; a reused pid does not count."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return True  # no procfs (macOS): trust the signal check
    try:
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and RUNNER_MODULE.encode() in cmdline and algo_id.encode() in cmdline


def send(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the process disappeared (exit code unknown: it was started by an earlier supervisor)"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the process was killed by {name}"
    return f"the process exited with code {code}"


def log_tail(path: Path, lines: int = 20) -> list[str]:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 8192))
            return handle.read().decode("utf-8", "replace").splitlines()[-lines:]
    except OSError:
        return []
