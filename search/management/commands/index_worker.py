"""The single index writer: applies the durable queue to the index, forever or once."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from search.indexer import LockBusy, drain, get_backend, process_batch, worker_lock

log = logging.getLogger("search.indexer")


class Command(BaseCommand):
    help = "Keep the search index in line with the database (one worker per index)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain the queue and exit.")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )

    def handle(self, *args, once=False, poll=1.0, **options):
        backend = get_backend()
        try:
            with worker_lock(backend):
                if once:
                    taken = drain(backend=backend)
                    self.stdout.write(f"Indexed {taken} queued change(s).")
                    return
                self._loop(backend, poll)
        except LockBusy as exc:
            raise CommandError(
                "Another index_worker is already running for this index; only one may write."
            ) from exc

    def _loop(self, backend, poll):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write(f"index_worker: watching the queue for {backend.root}")
        while not stopping:
            try:
                taken = process_batch(backend=backend)
            except KeyboardInterrupt:
                break
            except Exception:
                # The database or the disk hiccuped: keep the worker alive and try again.
                log.exception("index_worker: batch failed; retrying shortly")
                close_old_connections()
                taken = 0
                time.sleep(min(poll * 5, 30))
            if not taken:
                close_old_connections()
                try:
                    time.sleep(poll)
                except KeyboardInterrupt:
                    break
