"""gunicorn in production: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi``.

Threaded workers (gthread), because a sync worker is held by one slow client for as long as
that client takes to send its request: two clients trickling a request a byte at a time froze
a two-worker sync server for 31 s.  A gthread worker waits for a connection's first bytes in
its main loop and gives each request a thread, so slow clients hold threads, not the worker;
``tests/test_slow_clients.py`` shows other clients answered while a dozen slow ones trickle.

Every value can be changed from the environment.  Measured on the 2-core machine with
``bench`` and the slow-client test (README, Production):

* ``GUNICORN_WORKERS`` (default: one per core): Whoosh searches use the CPU in Python, so
  more processes than cores only queue;
* ``GUNICORN_THREADS`` (16): threads a worker serves at once, and so how many slow clients it
  takes to hold the server: with 2 x 16, a request was answered in 0.1 s beside 30 slow
  connections and not within 6 s beside 40 (the test uses 12).  Each thread that has
  served a request keeps a database connection (``DATABASE_CONN_MAX_AGE``): PostgreSQL needs
  ``max_connections`` above workers x threads (32 here) plus the index worker and psql;
* ``GUNICORN_TIMEOUT`` (30 s): a worker whose main loop stops answering is restarted; it is
  also the ceiling below which the database's statement timeout (15 s) keeps a query.

A client that keeps trickling bytes still holds its thread; for a site open to the Internet
put a buffering proxy in front (nginx reads whole requests before passing them on).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
# Kept-alive connections wait in the main loop, not in a thread; 5 s covers a page's assets.
keepalive = 5
# Requests larger than these are refused before Django sees them (a request line of 8 KB,
# 100 headers of 8 KB each: far above what the site's own links and forms send).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
