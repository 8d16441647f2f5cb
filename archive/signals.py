"""What the archive announces to the rest of the project.

``archive`` depends on nothing above it.  Whoever needs to follow changes (the search index)
connects to these signals; the archive's services send them inside the writing transaction,
so a listener that writes rows (the durable index queue) commits or rolls back with the change.
"""

from django.dispatch import Signal

# Sent with ``ids``: a frozenset of Statement primary keys whose public form may have changed
# (created, edited, published, unpublished, deleted, or a related speaker/event/topic changed).
statements_changed = Signal()
