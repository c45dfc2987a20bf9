"""Turn-taking of the processes writing one SQLite database, so that a finished commit hands over at once."""
from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: there the processes fall back to SQLite's busy timeout
    fcntl = None


class WriteTurn:
    """An exclusive `flock` of a file beside the database, held around each write transaction.

    SQLite lets one writer in at a time; the others poll its busy handler, which sleeps between
    tries (up to 100 ms each), so a commit is often followed by an idle database while the waiters
    sleep. A process blocked on the flock is woken as soon as the holder releases it, and the
    kernel drops the flock of a process that dies. It excludes processes only: the threads of a
    process take turns before they get here (see GroupCommit), and one of them may release the
    turn another took.
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._path = lock_path if fcntl is not None else None
        self._opening = threading.Lock()
        self._fd: int | None = None
        self._fd_pid: int | None = None

    def acquire(self) -> None:
        if self._path is not None:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)

    def release(self) -> None:
        if self._path is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _descriptor(self) -> int:
        pid = os.getpid()
        with self._opening:
            if self._fd is None or self._fd_pid != pid:
                # A descriptor inherited through fork would share its lock with the parent's, which
                # is no exclusion at all, so each process opens the file for itself.
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self._fd_pid = pid
            return self._fd

    def close(self) -> None:
        with self._opening:
            if self._fd is not None and self._fd_pid == os.getpid():
                os.close(self._fd)
            self._fd = None
