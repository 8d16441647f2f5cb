"""Dates as pages write them: English and Arabic month names, Arabic-Indic digits, the
Levantine month names, numeric dates, and Hijri dates beside (or instead of) Gregorian ones.

``find_dates`` returns every full date of a text with where it stands; the extractor decides
which one is the statement's (a dateline's, not a "last updated" stamp's).  Candidates are
found with bounded, linear patterns and read with the month tables below (a page's dates are
few and their forms known, and the tables read Levantine names and Arabic-Indic digits in the
same pass); hijridate converts Hijri dates.  dateparser reads what has no fixed form: the
metadata's dates and relative words ("yesterday", "أمس"), see ``page.py``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

__all__ = ["FoundDate", "find_dates", "to_ascii_digits"]

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as ASCII digits (the same length, so offsets hold)."""
    return text.translate(_DIGITS)


_EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Gregorian months in Arabic: the Egyptian/Gulf names and the Levantine (Syriac) ones.
_AR_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "أبريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8, "أغسطس": 8, "سبتمبر": 9,
    "اكتوبر": 10, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
}
_HIJRI_MONTHS = {
    "محرم": 1, "صفر": 2, "ربيع الأول": 3, "ربيع الاول": 3, "ربيع الآخر": 4, "ربيع الثاني": 4,
    "جمادى الأولى": 5, "جمادى الاولى": 5, "جمادى الأول": 5, "جمادى الآخرة": 6,
    "جمادى الثانية": 6, "جمادى الاخرة": 6, "رجب": 7, "شعبان": 8, "رمضان": 9, "شوال": 10,
    "ذو القعدة": 11, "ذي القعدة": 11, "ذو الحجة": 12, "ذي الحجة": 12,
}


def _alternatives(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_EN_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_AR_MONTH = f"(?:{_alternatives(_AR_MONTHS)})"
_HIJRI_MONTH = f"(?:{_alternatives(_HIJRI_MONTHS)})"
_WEEKDAY_EN = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"

# Each alternative is a fixed sequence of bounded tokens: no nested repetition.
_DATE = re.compile(
    rf"(?P<dmy>\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_EN_MONTH})"
    rf"(?:,?\s+(?P<y1>\d{{4}}))?\b)"
    rf"|(?P<mdy>\b(?P<m2>{_EN_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{{4}})\b)?)"
    rf"|(?P<ar>(?<![\d/])(?P<d3>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<m3>{_AR_MONTH})"
    rf"(?:\s*(?:عام|سنة|لعام)?\s*(?P<y3>\d{{4}}))?)"
    rf"|(?P<hijri>(?<![\d/])(?P<d4>\d{{1,2}})\s+(?P<m4>{_HIJRI_MONTH})\s+(?P<y4>1[34]\d\d))"
    r"|(?P<iso>\b(?P<y5>(?:19|20)\d\d)-(?P<m5>[01]?\d)-(?P<d5>[0-3]?\d)\b)"
    r"|(?P<num>(?<![\d/.])(?P<a6>[0-3]?\d)[/.](?P<b6>[01]?\d)[/.](?P<y6>(?:19|20|14|13)\d\d)"
    r"(?![\d/]))"
    r"|(?P<ymd>(?<![\d/])(?P<y7>(?:19|20|14|13)\d\d)/(?P<m7>[01]?\d)/(?P<d7>[0-3]?\d)(?![\d/]))",
    re.IGNORECASE,
)
# "1445 هـ" after a numeric date marks it Hijri.
_HIJRI_MARK = re.compile(r"^\s*(?:هـ|ه\b|AH\b)")


@dataclass(frozen=True)
class FoundDate:
    date: datetime.date | None  # None when the year is missing (see ``month_day``)
    start: int
    end: int
    text: str
    month_day: tuple[int, int] | None = None
    hijri: bool = False


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _from_hijri(year: int, month: int, day: int) -> datetime.date | None:
    try:
        from hijridate import Hijri

        gregorian = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError, ImportError):
        return None
    return datetime.date(gregorian.year, gregorian.month, gregorian.day)


def _en_month(word: str) -> int:
    return _EN_MONTHS[word.rstrip(".").casefold()[:3]]


def find_dates(text: str, *, limit: int = 40) -> list[FoundDate]:
    """Every full date in ``text`` (at most ``limit``), in order.  A day and month without a
    year ("Dec. 5") comes back with ``date=None`` and ``month_day`` set."""
    ascii_text = to_ascii_digits(text)
    found: list[FoundDate] = []
    for match in _DATE.finditer(ascii_text):
        if len(found) >= limit:
            break
        kind = next(k for k in ("dmy", "mdy", "ar", "hijri", "iso", "num", "ymd")
                    if match.group(k) is not None)
        date, month_day, hijri = None, None, False
        if kind in {"dmy", "mdy"}:
            day = int(match["d1"] or match["d2"])
            month = _en_month(match["m1"] or match["m2"])
            year = match["y1"] or match["y2"]
            if year:
                date = _safe_date(int(year), month, day)
            elif 1 <= day <= 31:
                month_day = (month, day)
        elif kind == "ar":
            day, month = int(match["d3"]), _AR_MONTHS[match["m3"]]
            if match["y3"]:
                date = _safe_date(int(match["y3"]), month, day)
            elif 1 <= day <= 31:
                month_day = (month, day)
        elif kind == "hijri":
            date = _from_hijri(int(match["y4"]), _HIJRI_MONTHS[match["m4"]], int(match["d4"]))
            hijri = True
        elif kind == "iso":
            date = _safe_date(int(match["y5"]), int(match["m5"]), int(match["d5"]))
        else:
            if kind == "num":
                day, month, year = int(match["a6"]), int(match["b6"]), int(match["y6"])
            else:
                year, month, day = int(match["y7"]), int(match["m7"]), int(match["d7"])
            hijri = year < 1600 or bool(_HIJRI_MARK.match(ascii_text[match.end():]))
            date = _from_hijri(year, month, day) if hijri else _safe_date(year, month, day)
        if date is None and month_day is None:
            continue
        found.append(FoundDate(date, match.start(), match.end(), match.group(), month_day, hijri))
    return found


WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS_AR = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
_WEEKDAY = re.compile(
    rf"\b{_WEEKDAY_EN}\b|(?:يوم\s+)?(?:{_alternatives(WEEKDAYS_AR + ['الإثنين', 'الاربعاء'])})",
    re.IGNORECASE,
)


def weekday_in(text: str) -> int | None:
    """The weekday (0 = Monday) a sentence names, if any."""
    match = _WEEKDAY.search(text)
    if not match:
        return None
    word = match.group().replace("يوم", "").strip().casefold()
    if word in WEEKDAYS_EN:
        return WEEKDAYS_EN.index(word)
    word = word.replace("إ", "ا").replace("أ", "ا")
    for index, name in enumerate(WEEKDAYS_AR):
        if name.replace("أ", "ا") == word:
            return index
    return None


def complete_year(month_day: tuple[int, int], reference: datetime.date) -> datetime.date | None:
    """A day and month without a year: the latest such day on or before ``reference``."""
    month, day = month_day
    for year in (reference.year, reference.year - 1):
        candidate = _safe_date(year, month, day)
        if candidate and candidate <= reference + datetime.timedelta(days=1):
            return candidate
    return None
