"""The index folder on disk: generations, the pointer to the live one, and the locks.

``ROOT`` holds generations (``ix-*`` folders, each a complete Whoosh index) and a
``current`` file naming the live one.  ``rebuild`` builds a new generation and swaps the
pointer, so search keeps answering during a rebuild.  Two ``flock`` locks live beside them:
``write.lock`` (one commit at a time: the worker's batches, a rebuild's swap) and
``worker.lock`` (one index worker per index).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..contract import LockBusy

POINTER_NAME = "current"
WRITE_LOCK_NAME = "write.lock"
WORKER_LOCK_NAME = "worker.lock"
GENERATION_PREFIX = "ix-"


def read_pointer(root: Path) -> Path | None:
    """The live generation's folder, or None (no pointer, or it names nothing usable)."""
    try:
        name = (root / POINTER_NAME).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    path = root / name
    return path if path.is_dir() else None


def write_pointer(root: Path, generation: Path) -> None:
    """Point ``current`` at ``generation`` atomically (rename over the old pointer)."""
    tmp = root / f".{POINTER_NAME}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    tmp.write_text(generation.name + "\n", encoding="utf-8")
    os.replace(tmp, root / POINTER_NAME)


def new_generation_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    path = root / f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    return path


def remove_old_generations(root: Path, *, keep: set) -> None:
    keep = {p for p in keep if p is not None}
    for path in sorted(root.glob(f"{GENERATION_PREFIX}*")):
        if path not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``; ``timeout=0`` fails at once, ``None`` waits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockBusy(str(path)) from exc
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
