"""The interface's translation catalogues: how they are collected, and how to tell they are current.

One place says which files hold the strings of the public interface and how ``makemessages``
is run (``manage.py messages``, ``make messages``), so the command and the test that checks
the committed catalogue (tests/test_translations.py) cannot drift apart.  The admin is served
without a language prefix, so it is always English: its modules and templates are left out
of the catalogue rather than translated for nobody.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Languages with a catalogue: every interface language but the source language (English).
CATALOGUE_LANGUAGES = ("ar",)
DOMAIN = "django"
# What the project's source holds that is not the public interface, or not ours.
IGNORE = (
    ".venv", "var", "tests", "bench", "deploy", "docs", "node_modules",
    "archive/admin.py", "archive/admin_import.py", "archive/admin_site.py",
    *(f"{app}/admin.py" for app in ("search", "alerts", "reuse", "research")),
    "templates/admin", "templates/simple_history",
)
# The folders makemessages reads; a check copies exactly these into a scratch folder: the
# project's own apps (those of INSTALLED_APPS that are folders here) and what they share.
PROJECT_APPS = tuple(
    name for name in dict.fromkeys(app.split(".")[0] for app in settings.INSTALLED_APPS)
    if (BASE_DIR / name / "apps.py").is_file() or (BASE_DIR / name / "__init__.py").is_file()
)
SOURCES = tuple(dict.fromkeys((*PROJECT_APPS, "config", "templates", "static", "manage.py")))
# File names without line numbers: a template edited elsewhere in the file does not churn
# every reference, so branches that each mark strings merge more easily.
MAKEMESSAGES_OPTIONS = ("--add-location", "file", "--no-obsolete", "--no-wrap")


def makemessages_args(languages=CATALOGUE_LANGUAGES) -> list[str]:
    args = ["makemessages", *MAKEMESSAGES_OPTIONS]
    for language in languages:
        args += ["--locale", language]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    return args


def po_path(language: str, base: Path = BASE_DIR) -> Path:
    return base / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str, base: Path = BASE_DIR) -> Path:
    return po_path(language, base).with_suffix(".mo")


# --- reading a .po file --------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header's fields and the entries of a .po file (the header entry left out)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish():
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#,"):
            current.fuzzy = current.fuzzy or "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value, rest = _unquote(line), None
        else:
            value = _unquote(rest)
        if keyword.startswith('"'):
            name, index = target
        elif keyword.startswith("msgstr["):
            name, index = "msgstr", int(keyword[7:-1])
        else:
            name, index = keyword, None
        target = (name, index)
        started = True
        if name == "msgstr":
            current.msgstr[index or 0] = current.msgstr.get(index or 0, "") + value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)
    finish()
    header = {}
    body = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            for line in entry.msgstr.get(0, "").splitlines():
                name, _, value = line.partition(":")
                header[name.strip()] = value.strip()
        else:
            body.append(entry)
    return header, body


# --- checking the committed catalogue --------------------------------------------------------


def fresh_catalogue(language: str) -> list[Entry]:
    """The entries makemessages finds in the source today, collected in a scratch copy of the
    project (so the committed catalogue is not touched).  Needs GNU gettext (xgettext)."""
    with tempfile.TemporaryDirectory(prefix="messages-") as scratch:
        root = Path(scratch)
        for name in SOURCES:
            source = BASE_DIR / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=shutil.ignore_patterns(
                    "__pycache__", "node_modules"))
            else:
                shutil.copy2(source, root / name)
        (root / "locale" / language / "LC_MESSAGES").mkdir(parents=True)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1",
               "ARCHIVE_VAR_DIR": str(root / "var")}
        result = subprocess.run(
            [sys.executable, "manage.py", *makemessages_args([language]), "--verbosity", "0"],
            cwd=root, env=env, capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"makemessages failed: {result.stderr.strip()}")
        return read_po(po_path(language, root))[1]


def stale_keys(committed: list[Entry], fresh: list[Entry]) -> tuple[list, list]:
    """(strings in the source missing from the catalogue, catalogue strings no longer used)."""
    have = {e.key for e in committed}
    want = {e.key for e in fresh}
    return sorted(want - have, key=str), sorted(have - want, key=str)


def untranslated(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.fuzzy or not e.translated]


def compiled_differences(language: str) -> list[str]:
    """Where the committed .mo does not say what the .po says (it was not compiled from it)."""
    path = mo_path(language)
    if not path.exists():
        return [f"{path} is missing"]
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001
    differences = []
    for entry in read_po(po_path(language))[1]:
        if entry.fuzzy:
            continue  # msgfmt leaves fuzzy entries out
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if catalogue.get(msgid) != entry.msgstr.get(0):
                differences.append(entry.msgid)
        else:
            for index, text in entry.msgstr.items():
                if catalogue.get((msgid, index)) != text:
                    differences.append(f"{entry.msgid} [{index}]")
    return differences
