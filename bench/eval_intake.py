"""Accuracy of the press-release importer on the development set (``make eval-intake``).

Each page under ``tests/data/intake/{en,ar}/`` has a truth file beside it (same name,
``.json``).  Every field is compared after folding case, punctuation, spacing and Arabic
letter forms; the table gives the share of pages right per field and overall.

    .venv/bin/python bench/eval_intake.py [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from archive.importers.names import name_key  # noqa: E402
from archive.importers.page import suggest_from_page  # noqa: E402
from archive.importers.places import arabic_fold  # noqa: E402

DATA = ROOT / "tests" / "data" / "intake"
FIELDS = ["title", "body", "date", "source", "speakers", "honorific", "role", "event", "city",
          "event_country", "delegation"]


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = arabic_fold(re.sub(r"[^\w\s]|_", " ", text))
    text = " ".join(text.split())
    return re.sub(r"^the ", "", text)


def score_page(path: Path) -> tuple[dict[str, bool], dict, dict]:
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    published = truth.get("published_on")
    suggestion = suggest_from_page(
        path.read_text(encoding="utf-8"), is_html=path.suffix == ".html",
        published_on=datetime.date.fromisoformat(published) if published else None,
    )
    got = suggestion.as_json()
    want_people = truth["speakers"]
    got_people = got["speakers"]
    principal = want_people[0] if want_people else None
    match = None
    if principal:
        match = next((p for p in got_people if name_key(p["name"]) == name_key(principal["name"])),
                     None)
    body = norm(got["body"])
    result = {
        "title": norm(got["title"]) == norm(truth["title"]),
        "body": body.startswith(norm(truth["body_start"])) and body.endswith(
            norm(truth["body_end"])),
        "date": got["date"] == truth["date"],
        "source": norm(got["source"]) == norm(truth["source"]),
        "speakers": sorted(name_key(p["name"]) for p in got_people)
        == sorted(name_key(p["name"]) for p in want_people),
        "honorific": (match is not None and set(match["honorific"].split())
                      == set(principal["honorific"].split())) if principal else not got_people,
        "role": (match is not None and norm(match["role"]) == norm(principal["role"]))
        if principal else not got_people,
        "event": norm(got["event"]["name"]) == norm(truth["event"]["name"]),
        "city": norm(got["event"]["city"]) == norm(truth["event"]["city"]),
        "event_country": norm(got["event"]["country"]) == norm(truth["event"]["country"]),
        "delegation": norm(got["country"]) == norm(truth["country"]),
    }
    return result, got, truth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="show every wrong field")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    pages = sorted(p for p in DATA.glob("*/*") if p.suffix in {".txt", ".html"})
    if not pages:
        print(f"no pages under {DATA}", file=sys.stderr)
        return 1
    totals = {lang: dict.fromkeys(FIELDS, 0) for lang in ("en", "ar")}
    counts = {"en": 0, "ar": 0}
    started = time.perf_counter()
    for path in pages:
        lang = path.parent.name
        result, got, truth = score_page(path)
        counts[lang] += 1
        for field, ok in result.items():
            totals[lang][field] += ok
            if not ok and args.verbose:
                print(f"{lang}/{path.name}: {field}")
                print(f"    got:  {_show(field, got)}")
                print(f"    want: {_show(field, truth)}")
    elapsed = time.perf_counter() - started
    all_pages = counts["en"] + counts["ar"]
    rows = []
    for field in FIELDS:
        en = totals["en"][field] / max(1, counts["en"])
        ar = totals["ar"][field] / max(1, counts["ar"])
        both = (totals["en"][field] + totals["ar"][field]) / all_pages
        rows.append((field, en, ar, both))
    overall = sum(r[3] for r in rows) / len(rows)
    if args.json:
        print(json.dumps({"pages": counts, "fields": {r[0]: r[3] for r in rows},
                          "overall": overall, "seconds": elapsed}, indent=2))
    else:
        print(f"{'field':<14} {'English':>8} {'Arabic':>8} {'all':>8}")
        print(f"{'(pages)':<14} {counts['en']:>8} {counts['ar']:>8} {all_pages:>8}")
        for field, en, ar, both in rows:
            print(f"{field:<14} {en:>8.2f} {ar:>8.2f} {both:>8.2f}")
        print(f"{'overall':<14} {'':>8} {'':>8} {overall:>8.2f}")
        print(f"({all_pages} pages in {elapsed:.1f} s)")
    return 0


def _show(field: str, data: dict) -> str:
    if field in {"event", "city", "event_country"}:
        return json.dumps(data["event"], ensure_ascii=False)
    if field in {"speakers", "honorific", "role"}:
        return json.dumps(data["speakers"], ensure_ascii=False)
    if field == "delegation":
        return data["country"]
    if field == "body":
        if "body" in data:
            return data["body"][:90] + " ... " + data["body"][-60:]
        return data["body_start"] + " ... " + data["body_end"]
    return str(data.get(field))


if __name__ == "__main__":
    sys.exit(main())
