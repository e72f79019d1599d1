"""One writer per index folder: a lock file that the kernel releases when its holder dies.

The lock is a POSIX record lock (``fcntl.lockf``) on ``INDEX_DIR/.indexer.lock``. The kernel
drops it the moment the process that holds it ends, however it ends (kill -9 included), so a
lock is never left held by a dead run. What a killed run does leave is the holder's record in
the file: finding one when the lock is free means the last run did not finish, and its
leftovers (an unpublished generation) are cleared by the run that takes the lock next.

Record locks belong to a process, not to its children: the worker processes a build forks do
not hold it, and a run's lock ends with the run itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from pathlib import Path

LOCK_FILE = ".indexer.lock"


class Busy(RuntimeError):
    """Another build, update or rollback holds the index folder."""


class IndexLock:
    """The writer's lock on one index folder; ``with IndexLock(root, "build"):``."""

    def __init__(self, root: Path, command: str, wait: float = 0.0):
        self.path = Path(root) / LOCK_FILE
        self.command = command
        self.wait = wait
        self.fd: int | None = None
        self.stale: dict | None = None  # the record of a run that ended without releasing

    def acquire(self) -> "IndexLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    holder = _read(fd)
                    os.close(fd)
                    raise Busy(_busy_message(self.path.parent, holder, self.wait)) from None
                time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
        self.fd = fd
        self.stale = _read(fd)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": self.command,
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)
        os.fsync(fd)
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        # an empty file tells the next run that this one finished
        os.ftruncate(self.fd, 0)
        fcntl.lockf(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "IndexLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read(fd: int) -> dict | None:
    # pread on the descriptor already open: closing another descriptor of this file would
    # drop the record lock of this process (POSIX semantics)
    raw = os.pread(fd, 4096, 0)
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return {"pid": None, "note": "unreadable lock record"}
    return record if isinstance(record, dict) else None


def _busy_message(root: Path, holder: dict | None, wait: float) -> str:
    who = "another run"
    if holder:
        who = (f"another `{holder.get('command', '?')}` (pid {holder.get('pid')} on "
               f"{holder.get('host', '?')}, started {holder.get('started', '?')})")
    waited = f" after waiting {wait:g} s" if wait else ""
    return (f"{who} is writing the index in {root}{waited}; only one build or update runs at "
            f"a time: try again later, or pass --wait SECONDS")


def holder(root: Path) -> dict | None:
    """Who holds the lock, for `status`: the record, with ``alive`` telling a live holder
    from the record of a run that was killed. Never takes the lock itself."""
    path = Path(root) / LOCK_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return {"pid": None, "alive": False}
    pid = record.get("pid")
    alive = False
    if isinstance(pid, int) and record.get("host") == socket.gethostname():
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
    record["alive"] = alive
    return record
