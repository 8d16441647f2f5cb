"""The single index writer: applies the durable queue to the index, forever or once."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from search.engine import LockBusy, get_engine
from search.freshness import drain, idle_step, process_batch
from search.models import IndexQueue
from search.wakeup import Wakeup

log = logging.getLogger("search.freshness")

# Seconds without a new change before the followers' slower work starts, and the longest
# they wait while changes keep coming.
QUIET_SECONDS = 1.0
FOLLOWERS_AT_LEAST_EVERY = 15.0


class Command(BaseCommand):
    help = "Keep the search index in line with the database (one worker per index)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain the queue and exit.")
        parser.add_argument(
            "--poll", type=float, default=1.0,
            help="Seconds between looks at an empty queue (on PostgreSQL a queued change also "
                 "wakes the worker at once).",
        )

    def handle(self, *args, once=False, poll=1.0, **options):
        engine = get_engine()
        try:
            with engine.writer_lock():
                if once:
                    self._once(engine)
                    return
                self._loop(engine, poll)
        except LockBusy as exc:
            raise CommandError(
                "Another index_worker is already running for this index; only one may write."
            ) from exc

    def _once(self, engine):
        taken = drain(engine=engine)
        failing = IndexQueue.objects.failing().count()
        self.stdout.write(f"Took {taken} queued change(s); {taken - min(taken, failing)} applied, "
                          f"{failing} failing (kept in the queue for a retry).")
        if failing:
            # A cron job or a deploy script must see that the index did not take the changes.
            raise CommandError(
                f"{failing} queued change(s) could not be applied; see search_status and the log."
            )

    def _loop(self, engine, poll, quiet=QUIET_SECONDS):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        wakeup = Wakeup()
        self.stdout.write("index_worker: watching the queue")
        last_batch = last_step = time.monotonic()
        followers_pending = True
        try:
            while not stopping:
                wait = poll
                try:
                    taken = process_batch(engine=engine)
                    now = time.monotonic()
                    if taken:
                        last_batch, followers_pending = now, True
                        continue
                    # The slower work that follows the index (agreed language) waits until
                    # the saves have paused for ``quiet`` seconds, so a stream of edits is
                    # indexed without waiting behind it; but it runs at least every
                    # FOLLOWERS_AT_LEAST_EVERY seconds, so a steady stream cannot starve it.
                    if followers_pending:
                        if (now - last_batch >= quiet
                                or now - last_step >= FOLLOWERS_AT_LEAST_EVERY):
                            last_step = now
                            followers_pending = idle_step()
                            if followers_pending:
                                continue  # the queue first, then the next step
                        else:
                            wait = min(poll, max(0.05, quiet - (now - last_batch)))
                except KeyboardInterrupt:
                    break
                except Exception:
                    # The database or the disk hiccuped: keep the worker alive and try again.
                    log.exception("index_worker: batch failed; retrying shortly")
                    close_old_connections()
                    time.sleep(min(poll * 5, 30))
                    continue
                close_old_connections()
                try:
                    wakeup.wait(wait)
                except KeyboardInterrupt:
                    break
        finally:
            wakeup.close()
