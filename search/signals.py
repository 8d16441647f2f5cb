"""What the search app announces to apps that follow the index (it imports none of them).

``index_batch_applied`` is sent by the index worker after each batch it applied to the
engine, with ``ids``: the statement pks of that batch (written or removed).  Receivers run in
the worker's process, after the index commit; one that fails is logged and does not stop the
worker (``send_robust``).  The agreed-language app works out passages from here.
"""

from django.dispatch import Signal

index_batch_applied = Signal()
