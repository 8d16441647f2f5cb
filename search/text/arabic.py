"""Arabic analysis in Lucene's order: stopwords, normalisation, then light stemming.

A word arrives here with its marks, tatweel and digits already folded (``fold.EXACT_TABLE``)
and goes through:

1. **stopwords**: function words are recognised (also after a leading و or ف) and kept whole;
   they are never stemmed (``التي`` would lose its "ال" and ``عليها`` would become the name
   ``علي``);
2. **protected words**: names in the protected set (and the same name behind a proclitic:
   ``ولبنان``, ``بالبحرين``, ``للبحرين``) are kept as they are, never stemmed;
3. **one prefix** (ال وال بال كال فال لل و), decided on the word *before* its hamza-carrying
   alefs are folded: a word that begins with أل or إل or آل (ألغام, إلغاء, ألمانيا, آلاف) does
   not begin with the article.  Folding first, as Lucene does, turns ألغام into "الغام" and
   then strips a second "ال" that was never an article;
4. **normalisation** of the rest: آ أ إ to ا, ى to ي, ة to ه, ؤ and ئ to ء;
5. **suffixes** (ها ان ات ون ين يه ه ي, each at most once, in that order), always leaving at
   least two letters.

A bare "ال" is ambiguous: it is the article, or a hamza-carrying alef written without its
hamza (الغام for ألغام, الغاء for إلغاء, as many web pages and keyboards write them).  Such a
word therefore has two readings, both returned: the stem without the article first, then the
stem of the whole word.  Engines index both at the same position and query for either, so
"الغام" finds "الألغام" and "إلغاء" finds a page that wrote "الغاء".
"""

from __future__ import annotations

from collections.abc import Iterable

from .fold import ARABIC_LETTER_TABLE

ALEF = "\u0627"
HAMZA_ALEFS = "\u0623\u0625\u0622"  # أ إ آ
ALEF_FORMS = ALEF + HAMZA_ALEFS
ARTICLE = "\u0627\u0644"  # ال

# Lucene's prefixes, in its order.  Those ending in the article are the ambiguous ones.
PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_ARTICLE_PREFIXES = frozenset(("ال", "وال", "بال", "كال", "فال"))
# Lucene's suffixes after normalisation (its ة and ية entries are ه and يه by then).
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Single letters that attach to a name: and, so, with/in, to, like.
PROCLITICS = frozenset("وفبلك")

# Function words: prepositions, conjunctions, pronouns, demonstratives and relatives, and the
# commonest particles and auxiliaries.  Our own list, kept short: a word here is never stemmed,
# and the query side leaves it out of an all-words search (not out of a phrase).
_STOPWORDS = """
في من على إلى عن مع عند لدى منذ حتى بين خلال ضد نحو حول دون عبر بعد قبل أمام خلف فوق تحت
و أو أم ثم بل لكن لكنه لكنها إن أن إنه إنها أنه أنها كأن لأن لعل ليت
لا لم لن ما ماذا لماذا متى أين كيف هل قد لقد سوف كي إذا إذ إذن لو لولا كلا نعم أي أية
هو هي هم هن هما أنا نحن أنت أنتم أنتن أنتما إياه إياها إياهم
هذا هذه هذان هاتان هؤلاء ذلك تلك ذانك أولئك هنا هناك هنالك
الذي التي الذين اللذان اللتان اللواتي اللاتي اللائي
كان كانت كانوا يكون تكون يكن ليس ليست ليسوا صار أصبح أصبحت ظل مازال لايزال
كل بعض غير سوى أيضا فقط جدا كما مثل عدة أحد إحدى
به بها بهم بهما له لها لهم لهما لنا لي لك لكم منه منها منهم فيه فيها فيهم عليه عليها عليهم
إليه إليها إليهم عنه عنها عنهم معه معها معهم
"""


def normalise(word: str) -> str:
    """The letter-variant folding of one word (its marks must already be gone)."""
    return word.translate(ARABIC_LETTER_TABLE)


STOPWORDS = frozenset(normalise(w) for w in _STOPWORDS.split())


def is_arabic(word: str) -> bool:
    """Whether ``word`` begins with a letter of the Arabic block (the script it is stemmed in)."""
    return bool(word) and "\u0600" <= word[0] <= "\u06ff"


def is_stopword(normalised: str) -> bool:
    """A function word, also behind و or ف ("وفي", "فإن")."""
    if normalised in STOPWORDS:
        return True
    return (len(normalised) > 2 and normalised[0] in "وف"
            and normalised[1:] in STOPWORDS)


def strip_suffixes(word: str) -> str:
    """Lucene's suffix rule: each suffix at most once, in order, leaving two letters."""
    for suffix in SUFFIXES:
        if len(word) >= len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def _protected_form(word: str, normalised: str, protected: frozenset[str]) -> str | None:
    """The protected name ``word`` is, alone or behind a proclitic or prefix; else None.

    Names are protected without their article (``البحرين`` as ``بحرين``), so the article and
    the prefixes that hold it (والبحرين, بالبحرين, للبحرين) all lead to the same term.
    """
    if normalised in protected:
        return normalised
    if len(normalised) > 3 and normalised[0] in PROCLITICS and normalised[1:] in protected:
        return normalised[1:]  # ولبنان, بلبنان, للبنان (ل + لبنان), بألمانيا
    prefix = _prefix(word)
    if prefix:
        rest = normalise(word[len(prefix):])
        if rest in protected:
            return rest
    return None


def _prefix(word: str) -> str:
    """The one prefix Lucene would strip from ``word`` (hamza alefs still unfolded)."""
    for prefix in PREFIXES:
        if len(prefix) == 1:
            if len(word) >= 4 and word.startswith(prefix):
                return prefix
        elif len(word) >= len(prefix) + 2 and word.startswith(prefix):
            return prefix
    return ""


def stems(word: str, protected: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The index terms of one Arabic word (marks, tatweel and digits already folded).

    One term almost always; two for a bare article, whose second reading is the whole word
    (see the module docstring).  Stopwords come back normalised and unstemmed.
    """
    normalised = normalise(word)
    if is_stopword(normalised):
        return (normalised,)
    if protected:
        name = _protected_form(word, normalised, protected)
        if name is not None:
            return (name,)
    prefix = _prefix(word)
    if not prefix:
        return (strip_suffixes(normalised),)
    rest = word[len(prefix):]
    first = strip_suffixes(normalise(rest))
    if prefix not in _ARTICLE_PREFIXES or rest[0] in ALEF_FORMS:
        # لل is only ever ل + the article; and an alef right after "ال" is the article's.
        return (first,)
    # The other reading: the proclitic (if any) + a hamza-less أل/إل/آل word.
    whole = normalise(word[len(prefix) - 2:])
    second = strip_suffixes(whole)
    return (first,) if second == first else (first, second)


def normalised_form(word: str) -> str:
    """The unstemmed, normalised form of one Arabic word (the exact field's term)."""
    return normalise(word)


# --- protected words ------------------------------------------------------------------------

# Words that are part of many names and of ordinary prose: protecting them would stop
# "المتحدة" from matching "متحدة".  Only the distinctive words of a name are protected.
_GENERIC_NAME_WORDS = """
جمهورية الجمهورية مملكة المملكة دولة الدولة إمارة الإمارة سلطنة السلطنة إمارات الاتحاد اتحاد
الولايات ولايات المتحدة متحدة العربية عربية الشعبية الديمقراطية الديموقراطية الإسلامية
الاتحادية الاشتراكية البوليفارية التعددية القومية الهاشمية المستقلة الموحدة الفيدرالية
جزر جزيرة الجزر جنوب شمال شرق غرب الجنوبية الشمالية الغربية الشرقية الوسطى الكبرى العظمى
الجديدة المقدس
بن ابن بنت أبو أبي أم آل الشيخ الشيخة السيد السيدة الدكتور الأمير الأميرة الملك الملكة
معالي سعادة سمو فخامة صاحب السمو الوزير وزير وزيرة رئيس رئيسة
منطقة المنطقة محافظة مقاطعة مقاطعات مدينة المدينة محيط قطاع قطب جبل ساحل جزء دار مقعد خاصة
الخاصة صغرى الصغرى بيضاء البيضاء صحراء الصحراء السلام سلام كومنولث
"""
GENERIC_NAME_WORDS = frozenset(normalise(w) for w in _GENERIC_NAME_WORDS.split())


def protectable(word: str, *, first: bool = True) -> str | None:
    """The form to protect for one word of a name, or None when it should not be protected.

    Generic name words and stopwords are left to the stemmer so that they keep matching their
    other forms, and so are words of fewer than three letters.  Every other word of a name is
    protected, even one the stemmer leaves alone: protection is also what lets "بألمانيا"
    (in Germany) be found as "ألمانيا", which no prefix rule strips.  The article goes (the
    protected form of البحرين is بحرين), and so does the "and" of a name's later words
    (ترينيداد وتوباغو).
    """
    normalised = normalise(word)
    if normalised in GENERIC_NAME_WORDS or is_stopword(normalised):
        return None
    if word.startswith(ARTICLE) and len(word) >= 5 and word[2] not in ALEF_FORMS:
        normalised = normalised[2:]
    elif word.startswith(ARTICLE) and len(word) >= 5:
        normalised = normalise(word[2:])  # الإمارات, الأردن: article + hamza word
    elif not first and word.startswith("و") and len(word) >= 5:
        normalised = normalised[1:]
    if len(normalised) < 3 or normalised in GENERIC_NAME_WORDS:
        return None
    return normalised


def protect(names: Iterable[list[str]]) -> frozenset[str]:
    """The protected forms of names, each given as its folded words (marks already out).

    In a name of several words, a word ending in ي or ية is an adjective (الروسي, الإدارية,
    الأمريكية) and is left to the stemmer, which is what matches its other genders; a name
    of one word is protected whatever its ending (مالي, سورية).
    """
    out = set()
    for words in names:
        words = [w for w in words if is_arabic(w)]
        for i, word in enumerate(words):
            if len(words) > 1 and normalise(word).endswith(("ي", "يه")):
                continue
            form = protectable(word, first=i == 0)
            if form is not None:
                out.add(form)
    return frozenset(out)
