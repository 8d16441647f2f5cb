"""search.text: the engine-neutral analysis, step by step, and the language pairs.

The pairs (``tests/data/language_pairs.tsv``: query, text, expected, note) are checked here
at the analysis level: a query's words must each share a term with the text (a phrase: at
consecutive positions).  Phase 2 of issue 14 runs the same file on the search page of every
engine.
"""

from __future__ import annotations

import csv
import pickle
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from whoosh.lang import stemmer_for_language

from search.text import (
    Analyzer,
    arabic,
    arabic_state_names,
    default_protected_words,
    fold_exact,
    fold_latin,
    protected_words,
    tokenize,
)
from search.text.fold import FOLD_TABLE

PAIRS = Path(__file__).parent / "data" / "language_pairs.tsv"
# The word pattern of the analysis before search.text, for Latin text (its marks were Arabic
# harakat and combining accents, which plain English text has none of).
OLD_LATIN_WORD = r"\w+(?:\.\w+)*"
# The stemmer the Whoosh engine passes (what the index has always used): the module ships none.
ENGLISH = stemmer_for_language("en")


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(protected=default_protected_words(), english_stemmer=ENGLISH)


def terms(analyzer, text):
    return [t.text for t in analyzer.analyse(text)]


def stems(analyzer, word):
    return analyzer.word(word).terms


# --- the language pairs --------------------------------------------------------------------


def load_pairs():
    with PAIRS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def found(analyzer, query: str, text: str) -> bool:
    """Whether ``text`` matches ``query`` as an engine would: all words, or a phrase."""
    phrase = len(query) > 1 and query[0] == query[-1] == '"'
    words = analyzer.query_words(query.strip('"'))
    at = defaultdict(set)
    for term in analyzer.analyse(text):
        at[term.position].add(term.text)
    if phrase:
        first = words[0].position
        return any(
            all(set(w.terms) & at[start + w.position - first] for w in words)
            for start in list(at)
        )
    everything = set().union(*at.values())
    required = [w for w in words if not w.stopword] or words
    return all(set(w.terms) & everything for w in required)


def test_the_pairs_file_covers_the_issue():
    pairs = load_pairs()
    assert len(pairs) >= 30
    assert {p["expected"] for p in pairs} == {"found", "not found"}
    assert all(p["note"] for p in pairs)
    queries = {p["query"] for p in pairs}
    for case in ("ألغام", "الغام", "إلغام", "ألمانيا", "إلغاء", "ألف", "مدني", "الأمن",
                 "والأمن", '"الأمم المتحدة"', "القمة", "القمه", "مستوى", "مستوي", "لبنان",
                 "لبن", "Marcic", "Brasilia", "Francois", "Schroder", '"Pena Nieto"', "Lodz",
                 "Store"):
        assert case in queries, case
    assert any(any("\u064b" <= ch <= "\u0652" for ch in p["text"]) for p in pairs)  # vowelled
    assert any(any("\u0660" <= ch <= "\u0669" for ch in p["text"] + p["query"]) for p in pairs)


@pytest.mark.parametrize("pair", load_pairs(), ids=lambda p: f"{p['query']}|{p['note']}")
def test_language_pair(analyzer, pair):
    expected = pair["expected"] == "found"
    assert found(analyzer, pair["query"], pair["text"]) is expected, (
        pair["note"],
        [w.terms for w in analyzer.query_words(pair["query"].strip('"'))],
        terms(analyzer, pair["text"]),
    )


# --- 1. the tokenizer ----------------------------------------------------------------------


def test_tokens_carry_positions_offsets_and_the_surface():
    text = "Al-Qahtani said: الأمن, U.S. policy"
    tokens = list(tokenize(text))
    assert [t.surface for t in tokens] == ["Al", "Qahtani", "said", "الأمن", "U.S", "policy"]
    assert [t.position for t in tokens] == [0, 1, 2, 3, 4, 5]
    assert all(text[t.start:t.end] == t.surface for t in tokens)


def test_a_fully_vowelled_word_is_one_token():
    assert [t.surface for t in tokenize("الْأَمْنُ وَالسِّلْمُ")] == ["الْأَمْنُ", "وَالسِّلْمُ"]
    assert [t.surface for t in tokenize("ـــالأمنـــ")] == ["ـــالأمنـــ"]


def test_latin_words_split_as_they_always_have():
    # The pattern the Whoosh index was built with before search.text (its Latin part):
    # apostrophes and hyphens end a word, dotted abbreviations and decimals stay whole.
    import re

    OLD = re.compile(OLD_LATIN_WORD)

    sample = "The Secretary-General's U.S.-led talks, 1990s; l'Organisation, 3.5 per cent."
    assert [t.surface for t in tokenize(sample)] == OLD.findall(sample)
    assert [t.surface for t in tokenize("don't e-mail the U.N. 3.5%")] == [
        "don", "t", "e", "mail", "the", "U.N", "3.5",
    ]


@pytest.mark.parametrize(
    "digits", ["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "0123456789", "０１２３４５６７８９"]
)
def test_digits_of_every_script_fold_to_ascii(analyzer, digits):
    assert terms(analyzer, digits) == ["0123456789"]
    assert analyzer.word(digits).exact == "0123456789"


# --- 2. Arabic -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant, plain",
    [("آ", "ا"), ("أ", "ا"), ("إ", "ا"), ("ى", "ي"), ("ة", "ه"), ("ؤ", "ء"), ("ئ", "ء")],
)
def test_arabic_letter_variants_are_normalised(variant, plain):
    assert arabic.normalise(variant) == plain


def test_marks_tatweel_and_wasla_go_before_anything_else(analyzer):
    assert analyzer.word("ٱلْأَمْنُ").exact == analyzer.word("ـالأمـن").exact == "الامن"
    assert analyzer.word("الأمن").spelling == "الأمن"  # the hamza stays for suggestions


def test_stopwords_are_kept_unstemmed_and_flagged(analyzer):
    for word in ("التي", "عليها", "في", "وفي", "إلى"):
        forms = analyzer.word(word)
        assert forms.stopword, word
        assert forms.terms == (forms.exact,), word  # التي never loses "ال", عليها never علي
    assert not analyzer.word("الأمن").stopword
    query = analyzer.query_words("الأمن في الخليج")
    assert [w.stopword for w in query] == [False, True, False]


@pytest.mark.parametrize(
    "word, stem",
    [
        ("الكتاب", "كتاب"), ("والكتاب", "كتاب"), ("بالكتاب", "كتاب"), ("كالكتاب", "كتاب"),
        ("فالكتاب", "كتاب"), ("للكتاب", "كتاب"), ("وكتاب", "كتاب"),
        ("ولد", "ولد"),  # و needs three letters after it
        ("الم", "الم"),  # ال needs two
    ],
)
def test_one_prefix_in_lucenes_order(word, stem):
    assert arabic.stems(word)[0] == stem


@pytest.mark.parametrize(
    "word, stem",
    [
        ("كتبها", "كتب"), ("معلمان", "معلم"), ("معلمات", "معلم"), ("معلمون", "معلم"),
        ("معلمين", "معلم"), ("عربيه", "عرب"), ("قمه", "قم"), ("مدني", "مدن"),
        ("مدنيين", "مدن"),  # ين then ي: each suffix once, in order
        ("به", "به"), ("مه", "مه"),  # two letters always stay
    ],
)
def test_suffixes_leave_two_letters(word, stem):
    assert arabic.strip_suffixes(word) == stem


def test_the_article_is_decided_before_the_hamza_alefs_are_folded(analyzer):
    # The old analysis folded أ to ا first, so ألغام became "الغام" and lost a second "ال".
    assert stems(analyzer, "الألغام") == stems(analyzer, "ألغام") == stems(analyzer, "إلغام")
    assert stems(analyzer, "ألغام") == ("الغام",)
    assert stems(analyzer, "إلغاء") == stems(analyzer, "الإلغاء") == stems(analyzer, "بالإلغاء")
    assert stems(analyzer, "ألف") == stems(analyzer, "الألف") == ("الف",)
    assert stems(analyzer, "آلاف") == stems(analyzer, "الآلاف")


def test_a_bare_article_has_two_readings_at_one_position(analyzer):
    # الغام is ال + غام or ألغام without its hamza: both are indexed and queried.
    assert stems(analyzer, "الغام") == ("غام", "الغام")
    assert stems(analyzer, "والغاء") == ("غاء", "الغاء")
    analysed = analyzer.analyse("قرار الغاء التأشيرات")
    assert [(t.text, t.position) for t in analysed if t.position == 1] == [
        ("غاء", 1), ("الغاء", 1),
    ]
    # لل is always ل + the article, and an alef after "ال" is the article's: one reading.
    assert stems(analyzer, "للأمم") == stems(analyzer, "الأمم") == ("امم",)
    assert stems(analyzer, "الامم") == ("امم",)


# --- 3. protected words --------------------------------------------------------------------


def test_protected_names_are_never_stemmed(analyzer):
    assert stems(analyzer, "لبنان") == ("لبنان",)
    assert stems(analyzer, "لبن") == ("لبن",)
    assert stems(analyzer, "البحرين") == ("بحرين",) != stems(analyzer, "البحر")
    assert stems(analyzer, "عمان") == ("عمان",) != stems(analyzer, "عم")
    for form in ("ولبنان", "بلبنان", "للبنان", "فلبنان"):
        assert stems(analyzer, form) == ("لبنان",), form
    for form in ("والبحرين", "بالبحرين", "للبحرين", "كالبحرين"):
        assert stems(analyzer, form) == ("بحرين",), form
    for form in ("ألمانيا", "المانيا", "وألمانيا", "بألمانيا", "لألمانيا"):
        assert stems(analyzer, form) == ("المانيا",), form


def test_without_protection_the_stemmer_would_break_those_names():
    plain = Analyzer()
    assert stems(plain, "عمان") == ("عم",)
    assert stems(plain, "للبنان") == ("بن",)  # لل + بنان, then ان
    assert stems(plain, "البحرين")[0] == "بحر"


def test_protected_words_from_the_archives_names():
    names = ["عثمان الحمادي", "الشيخ سلمان بن حمد آل خليفة", "جمهورية الكونغو الديمقراطية",
             "Jonas Gahr Støre"]
    words = protected_words(names)
    assert {"عثمان", "سلمان", "حمد", "خليفه", "كونغو"} <= words
    # A family name of the nisba form is left to the stemmer, which matches its forms.
    assert "حمادي" not in words
    assert stems(Analyzer(protected=words), "الحمادي")[0] == stems(Analyzer(), "حمادي")[0]
    # Titles, "son of", generic words of State names and Latin names are not protected.
    assert not words & {"الشيخ", "شيخ", "بن", "ال", "جمهوريه", "الديمقراطيه", "store"}
    custom = Analyzer(protected=words)
    assert stems(custom, "وعثمان") == ("عثمان",)  # not عثم
    assert stems(Analyzer(), "عثمان") == ("عثم",)


def test_adjectives_in_names_keep_being_stemmed():
    words = protected_words(["الاتحاد الروسي", "المملكة العربية السعودية", "سورية"])
    assert "روسي" not in words and "سعوديه" not in words
    assert "سوريه" in words  # a name of one word is protected whatever its ending


def test_the_default_list_has_every_state():
    names = arabic_state_names()
    assert len(names) > 250
    protected = default_protected_words()
    for name in ("لبنان", "بحرين", "عمان", "المانيا", "قطر", "طاجيكستان", "مالي"):
        assert name in protected, name


# --- 4. Latin folding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "accented, ascii_",
    [
        ("Marčić", "marcic"), ("Brasília", "brasilia"), ("François", "francois"),
        ("Schröder", "schroder"), ("Peña", "pena"), ("Łódź", "lodz"), ("Støre", "store"),
        ("Đukanović", "dukanovic"), ("Æsir", "aesir"), ("Œuvre", "oeuvre"), ("Straße", "strasse"),
        ("Þór", "thor"), ("Diyarbakır", "diyarbakir"), ("İstanbul", "istanbul"),
        ("ﬁnance", "finance"), ("Ｒｉｏ", "rio"), ("Ħal", "hal"), ("Əliyev", "eliyev"),
        ("Café", "cafe"),  # decomposed: e + U+0301
    ],
)
def test_latin_letters_fold_to_ascii(accented, ascii_):
    assert fold_latin(accented) == ascii_


def test_other_scripts_are_not_transliterated():
    assert fold_latin("Россия й") == "россия й"  # й is a letter of its own, not и
    assert fold_latin("Ελλάδα") == "ελλάδα"
    assert fold_latin("الأمن") == "الأمن"  # Arabic letters are the Arabic analysis's job


def test_exact_form_keeps_the_accents_and_the_folded_form_drops_them(analyzer):
    forms = analyzer.word("Marčić")
    assert (forms.exact, forms.folded, forms.terms) == ("marčić", "marcic", ("marcic",))
    assert fold_exact("Brasília") == "brasília"
    # Both spellings share the stemmed term; only the accented one has the exact term.
    accented = analyzer.exact_positions("Statement by Marčić")
    plain = analyzer.exact_positions("Statement by Marcic")
    query = analyzer.query_words("Marčić")[0]
    assert query.exact in accented and query.exact not in plain
    assert analyzer.positions("Marčić").keys() == analyzer.positions("Marcic").keys()


def test_the_fold_table_fills_itself_once_per_character():
    fold_latin("ŵ")
    assert ord("ŵ") in FOLD_TABLE


# --- 5. the API ----------------------------------------------------------------------------


def test_english_stems_are_the_old_analysis_stems():
    # The same words, stems and positions as the Whoosh analysis before search.text
    # (its tokenizer, lowercase, Whoosh's English StemFilter) for English text, so English
    # searches keep their meaning.
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter

    text = ("The Secretary-General's report on international peace-keeping operations, "
            "U.S. and U.K. positions, the 1990s, 3.5 per cent; human rights, RIGHTS, rightly. "
            "To be or not to be. Nations united: developing, developed, development.")
    old = RegexTokenizer(OLD_LATIN_WORD) | LowercaseFilter() | StemFilter(lang="en")
    expected = defaultdict(list)
    for token in old(text, positions=True):
        expected[token.text].append(token.pos)
    new = Analyzer(english_stemmer=ENGLISH)
    assert new.positions(text) == dict(expected)
    assert new.index_text(text).positions == dict(expected)
    assert new.index_text(text).exact == {}  # plain English: nothing for the exact field
    assert set(new.query_terms("security U.S.")) == {ENGLISH("security"), ENGLISH("u.s")}


def test_positions_agree_with_the_terms(analyzer):
    text = "قرار الغاء الألغام في لبنان and Brasília's Marčić"
    grouped = defaultdict(list)
    for term in analyzer.analyse(text):
        grouped[term.text].append(term.position)
    assert analyzer.positions(text) == dict(grouped)
    exact = defaultdict(list)
    for term in analyzer.exact_terms(text):
        exact[term.text].append(term.position)
    assert analyzer.exact_positions(text) == dict(exact)
    for term in analyzer.analyse(text):
        assert text[term.start:term.end] == term.surface
    # index_text: the same in one pass, plus the distinctive exact forms and the spellings
    indexed = analyzer.index_text(text)
    assert indexed.positions == analyzer.positions(text)
    assert indexed.exact == {term: len(where) for term, where in exact.items()
                             if not term.isascii()}
    assert indexed.spellings == analyzer.spelling_words(text)
    analyzer.clear_cache()
    assert analyzer.index_text(text) == indexed  # cold caches give the same


def test_a_token_of_marks_only_leaves_a_gap(analyzer):
    assert analyzer.positions("مجلس ــ الأمن") == {"مجلس": [0], "امن": [2]}


def test_query_words_give_alternatives_and_exact_forms(analyzer):
    words = analyzer.query_words("الغام Brasília")
    assert [w.terms for w in words] == [("غام", "الغام"), ("brasilia",)]
    assert [w.exact for w in words] == ["الغام", "brasília"]
    assert analyzer.query_terms("الغام Brasília") == ["غام", "الغام", "brasilia"]
    assert analyzer.query_words("") == [] and analyzer.query_words("ـــ") == []


def test_highlight_spans_use_the_same_analysis(analyzer):
    text = "ناقش مجلس الأمن والأمن الإقليمي in Brasília"
    spans = analyzer.highlight_spans(text, set(analyzer.query_terms("الامن Brasilia")))
    assert [text[a:b] for a, b in spans] == ["الأمن", "والأمن", "Brasília"]
    exact_only = analyzer.highlight_spans(text, set(), exact={"والامن"})
    assert [text[a:b] for a, b in exact_only] == ["والأمن"]


def test_spelling_words_are_real_words_never_stems(analyzer):
    words = analyzer.spelling_words("Les négociations de Genève sur الْأَلْغَامِ والمدنيين")
    assert words == {"les", "négociations", "de", "genève", "sur", "الألغام", "والمدنيين"}


def english(word: str) -> str:
    return ENGLISH(word)


def test_the_analyzer_pickles_without_its_caches():
    # Whoosh pickles its schema on every commit; the stemmer must be a module-level function.
    analyzer = Analyzer(protected=default_protected_words(), english_stemmer=english)
    analyzer.analyse("لبنان")
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer and copy.protected == analyzer.protected
    assert copy._cache == {}
    assert stems(copy, "لبنان") == ("لبنان",)


def test_the_package_imports_no_engine_or_orm():
    code = (
        "import sys, search.text\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'whoosh', 'haystack', 'psycopg2', 'django'}]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stdout + result.stderr
