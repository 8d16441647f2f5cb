"""The Arabic catalogue is current (issue 14): every marked string of the public interface is
in it and translated, nothing in it is stale, and the committed .mo says what the .po says.

The strings are collected by ``makemessages`` (GNU xgettext) in a scratch copy of the project,
with the options ``make messages`` uses (config/i18n.py), so the committed files are never
touched by the test.
"""

from __future__ import annotations

import shutil

import pytest

from config import i18n

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgfmt") is None,
    reason="GNU gettext is not installed (apt-get install gettext): makemessages cannot run",
)


@pytest.fixture(scope="module")
def fresh():
    return {language: i18n.fresh_catalogue(language) for language in i18n.CATALOGUE_LANGUAGES}


@needs_gettext
@pytest.mark.parametrize("language", i18n.CATALOGUE_LANGUAGES)
def test_the_catalogue_holds_exactly_the_strings_marked_in_the_source(fresh, language):
    committed = i18n.read_po(i18n.po_path(language))[1]
    missing, unused = i18n.stale_keys(committed, fresh[language])
    assert not missing, f"marked but not in the catalogue (run `make messages`): {missing}"
    assert not unused, f"in the catalogue but no longer marked (run `make messages`): {unused}"


@pytest.mark.parametrize("language", i18n.CATALOGUE_LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    header, entries = i18n.read_po(i18n.po_path(language))
    assert header.get("Language") == language
    assert header.get("Plural-Forms", "").startswith("nplurals=6;")  # Arabic's six forms
    left = [(e.msgctxt, e.msgid) for e in i18n.untranslated(entries)]
    assert not left, f"untranslated or fuzzy in {i18n.po_path(language)}: {left}"
    assert len(entries) > 250  # the public interface, not an empty file


@pytest.mark.parametrize("language", i18n.CATALOGUE_LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_current_po(language):
    differences = i18n.compiled_differences(language)
    assert not differences, (
        f"{i18n.mo_path(language)} was not compiled from the .po (run `make messages`): "
        f"{differences[:10]}"
    )


def test_the_po_reader_reads_contexts_plurals_continuations_and_fuzzy_flags(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ar\\n"\n\n'
        '#: a.py\nmsgctxt "list separator"\nmsgid ","\nmsgstr "،"\n\n'
        '#, fuzzy, python-format\nmsgid "a %(n)s"\nmsgid_plural "b %(n)s"\n'
        'msgstr[0] "x"\nmsgstr[1] ""\n\n'
        'msgid ""\n"long "\n"text"\nmsgstr ""\n"نص "\n"طويل"\n',
        encoding="utf-8",
    )
    header, entries = i18n.read_po(po)
    assert header == {"Language": "ar"}
    separator, plural, long = entries
    assert separator.key == ("list separator", ",", None) and separator.translated
    assert plural.fuzzy and plural.msgid_plural == "b %(n)s" and not plural.translated
    assert long.msgid == "long text" and long.msgstr == {0: "نص طويل"}
    assert [e.msgid for e in i18n.untranslated(entries)] == ["a %(n)s"]


@needs_gettext
def test_a_newly_marked_string_is_reported_as_missing(fresh, tmp_path):
    """The staleness check can fail: a catalogue without one of today's strings is stale."""
    language = i18n.CATALOGUE_LANGUAGES[0]
    committed = i18n.read_po(i18n.po_path(language))[1]
    dropped = committed[len(committed) // 2]
    missing, unused = i18n.stale_keys(
        [e for e in committed if e is not dropped], fresh[language]
    )
    assert missing == [dropped.key] and not unused
