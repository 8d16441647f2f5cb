"""``make run``'s last step: the development server and the index worker, stopped together.

Both run as child processes in sessions of their own, so the terminal's Ctrl-C reaches only
this command, which then stops them in order (the server with SIGINT, which Django's
runserver answers by exiting quietly; the worker with SIGTERM, which finishes its batch) and
exits with status 0: no traceback, no "Terminated", nothing for make to report.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.ports import port_problem

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM if this command is killed outright (Linux only)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Serve the site for development with the index worker beside it (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        problem = port_problem(host, port)
        if problem:
            raise CommandError(problem)
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        self.stdout.write(f"Serving on {url} with the index worker beside it; Ctrl-C stops both.")
        self.stdout.write(self._account_hint(url))

        stopping: list[int] = []
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda number, _frame: stopping.append(number))
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        worker = self._start([*manage, "index_worker"])
        server = self._start([*manage, "runserver", "--noreload", f"{host}:{port}"])
        status = 0
        try:
            while not stopping:
                if server.poll() is not None:
                    status = server.returncode or 1
                    break
                if worker.poll() is not None:
                    # Without its worker the site would quietly stop indexing edits.
                    self.stderr.write("The index worker stopped; stopping the server too.")
                    status = worker.returncode or 1
                    break
                time.sleep(0.2)
        finally:
            self._stop(server, signal.SIGINT)
            self._stop(worker, signal.SIGTERM)
        if status:
            sys.exit(status)

    def _account_hint(self, url: str) -> str:
        admin = f"{url}{settings.ADMIN_PATH}"
        if get_user_model().objects.filter(is_staff=True, is_active=True).exists():
            return f"Editors sign in at {admin} (a new account: make editor)."
        return (
            f"No editor account yet: run `make editor` in another terminal to create one, "
            f"then sign in at {admin}"
        )

    @staticmethod
    def _start(command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)

    @staticmethod
    def _stop(process: subprocess.Popen, sig: int) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                process.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
