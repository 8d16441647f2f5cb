"""Protected words: Arabic names the stemmer must leave alone.

Light stemming reads a name as a word with affixes: لبنان (Lebanon) "ends in" ان and becomes
لبن (milk), البحرين (Bahrain) becomes بحر (sea), عمان (Oman, Amman) becomes عم (uncle).  The
archive's own names (countries, places, speakers) are therefore protected: ``protected_words``
turns any iterable of names into the set an ``Analyzer`` takes, and ``default_protected_words``
gives the names of every State in Arabic, which the analyzer uses when an engine passes none.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import lru_cache

from . import arabic
from .fold import EXACT_TABLE
from .tokenize import WORD_RE

# Short names in everyday use that the ISO 3166 translations (which give formal names such
# as "الجمهورية العربية السورية") do not spell out.  Our own list.
COMMON_ARABIC_STATE_NAMES = """
سوريا سورية إيران روسيا السعودية الإمارات الأردن الكويت العراق اليمن ليبيا تونس الجزائر
المغرب موريتانيا السودان فلسطين لبنان البحرين قطر عمان مصر الصومال جيبوتي تركيا
باكستان أفغانستان الهند الصين اليابان كوريا أمريكا أميركا بريطانيا فرنسا ألمانيا إيطاليا
إسبانيا البرتغال هولندا بلجيكا سويسرا النمسا السويد النرويج الدنمارك فنلندا بولندا اليونان
أوكرانيا بيلاروس كازاخستان أوزبكستان طاجيكستان قيرغيزستان تركمانستان أذربيجان أرمينيا جورجيا
إندونيسيا ماليزيا بنغلاديش سريلانكا نيبال الفلبين تايلاند فيتنام ميانمار كمبوديا سنغافورة
البرازيل الأرجنتين المكسيك كندا كوبا فنزويلا كولومبيا تشيلي بيرو نيجيريا إثيوبيا كينيا
أفريقيا إفريقيا تشاد النيجر مالي السنغال غانا أستراليا نيوزيلندا إسرائيل الفاتيكان
نيويورك جنيف فيينا بروكسل لاهاي الدوحة الرياض أبوظبي دبي مسقط المنامة الكويت بيروت دمشق
عمّان بغداد القاهرة طرابلس الخرطوم الرباط الجزائر تونس صنعاء القدس غزة دوشنبه موسكو باريس
لندن واشنطن برلين طهران أنقرة إسطنبول
"""


def protected_words(names: Iterable[str]) -> frozenset[str]:
    """The protected set for these names (countries, places, people), normalised.

    Each name is tokenized; its distinctive Arabic words are kept (see
    ``arabic.protectable``: generic words such as جمهورية or المتحدة, titles and stopwords are
    not, so that they keep matching their other forms).  Latin-script names are ignored: the
    English stemmer leaves them readable enough, and stemming is what finds "Lebanese".
    """
    return arabic.protect(
        [match.group().lower().translate(EXACT_TABLE) for match in WORD_RE.finditer(name or "")]
        for name in names
    )


def arabic_state_names() -> list[str]:
    """Every country's name in Arabic: ISO 3166's translations (pycountry) and our short forms."""
    import pycountry

    names = COMMON_ARABIC_STATE_NAMES.split()
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    except OSError:  # a pycountry without its translations: the short forms alone
        return names
    for country in pycountry.countries:
        for english in {country.name, getattr(country, "official_name", country.name),
                        getattr(country, "common_name", country.name)}:
            translated = catalogue.gettext(english)
            if translated != english:
                names.append(translated)
    return names


@lru_cache(maxsize=1)
def default_protected_words() -> frozenset[str]:
    """The protected set of every State's Arabic names."""
    return protected_words(arabic_state_names())
