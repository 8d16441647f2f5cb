"""Listening to the archive's announcements in tests (a real receiver, not a mock)."""

from contextlib import contextmanager

from archive.signals import statements_changed


@contextmanager
def announcements():
    """The statement id sets announced while the block runs."""
    sent: list[frozenset[int]] = []

    def receiver(sender, ids, **kwargs):
        sent.append(ids)

    statements_changed.connect(receiver, weak=False)
    try:
        yield sent
    finally:
        statements_changed.disconnect(receiver)


def announced(sent) -> set[int]:
    return set().union(*sent) if sent else set()
