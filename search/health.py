"""Is the archive healthy? The database, the index and the change queue, in one answer.

``/healthz`` (200 or 503, JSON) and ``manage.py health`` (exit 0 or 1) give the same
verdict, so a load balancer, a container orchestrator or cron can watch it:

* the database answers;
* the index can be read and holds as many documents as there are published statements,
  give or take the changes waiting in the queue;
* no queued change waits longer than ``SEARCH_HEALTH_MAX_QUEUE_AGE`` seconds (default 300)
  and none keeps failing.

With read replicas the report also lists each one's state (reachable, lag), for information:
a replica out of service sends reads to the primary and does not make the site unhealthy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from haystack.backends import SQ

from archive.models import Statement
from config.db_router import health as replica_health
from config.db_router import replica_aliases

from .engine import get_engine
from .errors import SearchUnavailable
from .models import IndexQueue


def check() -> dict:
    """Every check's finding; ``healthy`` is true only when all of them pass."""
    report: dict = {"database": {}, "index": {}, "queue": {}}
    try:
        published = Statement.objects.published().count()
        queued = IndexQueue.objects.count()
        failing = IndexQueue.objects.failing().count()
        oldest = IndexQueue.objects.order_by("enqueued_at").values_list(
            "enqueued_at", flat=True
        ).first()
    except DatabaseError as exc:
        report["database"] = {"ok": False, "error": str(exc)[:300]}
        report["healthy"] = False
        return report
    report["database"] = {"ok": True, "published": published}

    max_age = int(getattr(settings, "SEARCH_HEALTH_MAX_QUEUE_AGE", 300))
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    report["queue"] = {
        "ok": age <= max_age and not failing,
        "queued": queued,
        "failing": failing,
        "oldest_seconds": round(age, 1),
        "max_seconds": max_age,
    }

    try:
        indexed = get_engine().count(SQ())
    except SearchUnavailable as exc:
        report["index"] = {"ok": False, "error": str(exc),
                           "fix": "run `manage.py rebuild_index`"}
    else:
        # Documents and statements may differ by the changes still waiting in the queue.
        difference = abs(indexed - published)
        report["index"] = {"ok": difference <= queued, "documents": indexed,
                           "difference": difference}
        if difference > queued:
            report["index"]["fix"] = "run `manage.py search_status --repair`"
    report["healthy"] = all(report[k]["ok"] for k in ("database", "index", "queue"))
    if replica_aliases():
        # Informative, not part of the verdict: reads fall back to the primary without them.
        # On /healthz (a public read) the database checks above ran on the replica serving it.
        report["replicas"] = replica_health.report()
    report["checked_at"] = timezone.now().replace(microsecond=0).isoformat()
    return report


def as_text(report: dict) -> list[str]:
    lines = []
    for name in ("database", "index", "queue"):
        part = report.get(name) or {}
        state = "ok" if part.get("ok") else "FAILING"
        details = ", ".join(f"{k} {v}" for k, v in part.items() if k != "ok")
        lines.append(f"{name}: {state}" + (f" ({details})" if details else ""))
    return lines
