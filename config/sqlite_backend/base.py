"""SQLite with a fair turn for writers.

SQLite lets one transaction write at a time; a writer that finds the database busy sleeps
and retries with growing pauses (up to 100 ms), so with several editors saving at once an
unlucky one can lose the race again and again: 12.8 s for one save in tests/test_concurrency.py.
Every transaction here begins IMMEDIATE (it takes the write lock at once), so taking a file
lock just before ``BEGIN`` changes nothing about what runs in parallel; it only replaces
SQLite's sleeping retries by short polls, which hand the turn over within a millisecond or
two.  The lock lives beside the database file and dies with the process that holds it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time

from django.db.backends.sqlite3 import base

# The same patience as the database's busy timeout; after it, SQLite's own wait decides.
TURN_TIMEOUT = 20.0
POLL = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_fd: int | None = None

    def _start_transaction_under_autocommit(self):
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()

    def _take_turn(self) -> None:
        if self._turn_fd is not None or self.is_in_memory_db():
            return
        fd = os.open(f"{self.settings_dict['NAME']}.writers", os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + TURN_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return  # let SQLite's busy timeout have the last word
                time.sleep(POLL)
        self._turn_fd = fd

    def _end_turn(self) -> None:
        fd, self._turn_fd = self._turn_fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock
