"""What the search app announces to apps that follow the index (it imports none of them).

* ``index_batch_applied`` is sent by the index worker after each batch it applied to the
  engine, with ``ids``: the statement pks of that batch (written or removed).  Receivers run
  in the worker's process, after the index commit, and should be quick: the next batch waits
  for them.
* ``index_worker_idle`` is sent when the index queue is empty: the moment for slower work that
  follows the index (the agreed-language app compares edited statements here).  A receiver
  does one bounded step and returns a true value when it did some work and has more; the
  worker looks at its queue again between steps, so a new save never waits behind a backlog of
  that work, at most behind one step.  ``drain`` (``index_worker --once``, tests) repeats the
  steps until no receiver has more.

Receivers that fail are logged and do not stop the worker (``send_robust``).
"""

from django.dispatch import Signal

index_batch_applied = Signal()
index_worker_idle = Signal()
