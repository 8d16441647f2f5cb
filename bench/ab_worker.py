"""One side of bench/ab_pages.py: a warm Django process of one checkout, answering requests
read from stdin (one JSON object a line) with their wall and CPU time.  Run with the
checkout as the working directory, so its own code and its own bench/common.py are used."""

import json
import sys
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402  (this checkout's)

common.configure(ROOT / sys.argv[1])

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from archive.models import Event, Statement  # noqa: E402
from search.search_indexes import series_key  # noqa: E402

client = Client()
series = Event.objects.exclude(series="").values_list("series", flat=True).first() or ""
slugs = Statement.objects.published().order_by("pk").values_list("slug", flat=True)[::50][:20]
print(json.dumps({"ready": True, "series": series_key(series), "slugs": list(slugs)}),
      flush=True)
for line in sys.stdin:
    request = json.loads(line)
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(request["path"], request.get("params") or {})
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"status": response.status_code, "wall": wall * 1000, "cpu": cpu * 1000}),
          flush=True)
