"""Suggestions for a statement from a ministry web page (pasted text, .txt or .html).

The rules are general: what a news page's chrome looks like (search boxes, menus, share
buttons, cookie notices, "Recent posts"), where a headline sits, how releases name people
("HE <role> Dr. <name>", "<role>, HE <name>", "HE <name>, <role>"), events ("the ... Conference
on ... in <city>, <country>") and dates.  Nothing here knows a particular page.  The editor
corrects the suggestions before anything is saved.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from .names import name_key, split_name
from .text import repair_c1_controls

__all__ = ["PageSuggestion", "SuggestedEvent", "SuggestedSpeaker", "suggest_from_page"]


@dataclass
class SuggestedSpeaker:
    name: str
    honorific: str = ""
    role: str = ""


@dataclass
class SuggestedEvent:
    name: str = ""
    city: str = ""
    country: str = ""


@dataclass
class PageSuggestion:
    title: str = ""
    body: str = ""
    source: str = ""
    source_url: str = ""
    date: datetime.date | None = None
    speakers: list[SuggestedSpeaker] = field(default_factory=list)
    event: SuggestedEvent = field(default_factory=SuggestedEvent)
    country: str = ""
    topics: list[str] = field(default_factory=list)
    kind: str = "press_release"
    language: str = "en"

    def as_json(self) -> dict:
        """The documented JSON shape of ``import_page --json``."""
        return {
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "speakers": [asdict(s) for s in self.speakers],
            "event": asdict(self.event),
            "country": self.country,
            "topics": list(self.topics),
        }


# --- page chrome --------------------------------------------------------------------------

# Whole lines that are a site's furniture, not the article (compared case-folded, with
# punctuation and apostrophes dropped, so "Recent post's" and "Recent Posts:" both match).
_CHROME_LINES = {
    "search", "search for", "close this search box", "close search", "open search", "menu",
    "main menu", "close menu", "skip to content", "skip to main content", "toggle navigation",
    "home", "back to top", "print", "email", "share", "share this", "share on facebook",
    "share on twitter", "share on x", "share on linkedin", "share on whatsapp", "tweet",
    "facebook", "twitter", "x", "linkedin", "whatsapp", "telegram", "instagram", "youtube",
    "copy link", "read more", "more news", "latest news", "news", "press releases",
    "accept", "accept all", "decline", "reject all", "cookie settings", "got it", "ok",
    "tags", "categories", "previous post", "next post", "previous", "next", "english",
    "العربية", "arabic", "français", "print this page", "font size", "a a a", "listen",
    "بحث", "إغلاق", "القائمة", "الرئيسية", "مشاركة", "طباعة",
}
# Lines after which the rest of the page is related links, not the article.
_TRAILING_CHROME = re.compile(
    r"^(recent posts?|recent post s|related (posts|news|articles)|latest (posts|news)|"
    r"most read|you may also like|read also|see also|more from|popular posts|"
    r"أخبار ذات صلة|آخر الأخبار)\b",
    re.IGNORECASE,
)
_COOKIE = re.compile(r"\bcookies?\b.*\b(use|accept|consent|policy|experience)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(©|\(c\)|copyright\b|all rights reserved)", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\s*(?:source|المصدر)\s*[:：]\s*(?P<source>.+?)\s*$", re.IGNORECASE)
_DATE_WORDS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
)
_EXPLICIT_DATE = re.compile(
    rf"\b(\d{{1,2}}\s+(?:{_DATE_WORDS})\s+\d{{4}}"
    rf"|(?:{_DATE_WORDS})\s+\d{{1,2}},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{4})\b",
    re.IGNORECASE,
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)


def _chrome_key(line: str) -> str:
    folded = line.casefold().replace("’", "").replace("'", "")
    return " ".join(re.sub(r"[^\w\s]|_", " ", folded).split())


def _is_chrome(line: str) -> bool:
    key = _chrome_key(line)
    if key in _CHROME_LINES or (not key and len(line.strip()) < 4):
        return True
    if len(line) < 300 and _COOKIE.search(line):
        return True
    return bool(_COPYRIGHT.match(line.strip()))


# --- entry point --------------------------------------------------------------------------


def suggest_from_page(
    content: str,
    *,
    is_html: bool | None = None,
    published_on: datetime.date | None = None,
    known_countries: dict[str, str] | None = None,
) -> PageSuggestion:
    """Suggest a statement's fields from a page's text or HTML.

    ``published_on`` is the page's publication date when the editor knows it: it resolves a
    weekday ("participated Tuesday") to a date.  ``known_countries`` maps names to ISO
    codes (defaults to pycountry's names plus common short forms).
    """
    countries = known_countries or _country_names()
    content = repair_c1_controls(content or "").replace("\ufeff", "")
    meta_title = meta_source = meta_date = ""
    if is_html is None:
        is_html = bool(re.search(r"<(html|body|p|div|article|h1)\b", content[:5000], re.I))
    if is_html:
        content, meta_title, meta_source, meta_date = _html_to_text(content)

    paragraphs = _paragraphs(content)
    suggestion = PageSuggestion()
    kept: list[str] = []
    for paragraph in paragraphs:
        if _TRAILING_CHROME.match(_chrome_key(paragraph)) or _TRAILING_CHROME.match(paragraph):
            break
        source = _SOURCE_LINE.match(paragraph)
        if source and len(paragraph) < 200:
            suggestion.source = source.group("source")
            continue
        if _is_chrome(paragraph):
            continue
        kept.append(paragraph)

    title_index = _title_index(kept, meta_title)
    if title_index is not None:
        suggestion.title = kept.pop(title_index)
    elif meta_title:
        suggestion.title = meta_title
    # A dateline ("18 October 2022", "Lisbon, 3 May 2023") is metadata, not body.
    if kept and len(kept[0].split()) <= 8 and (found := _EXPLICIT_DATE.search(kept[0])):
        kept.pop(0)
        meta_date = meta_date or found.group(1)
    suggestion.body = "\n\n".join(kept)
    suggestion.source = suggestion.source or meta_source
    suggestion.language = "ar" if _arabic_share(suggestion.body) > 0.3 else "en"
    suggestion.date = _find_date(suggestion.title, kept, meta_date, published_on)
    suggestion.speakers = _find_speakers(suggestion.title + "\n\n" + suggestion.body)
    suggestion.event = _find_event(suggestion.body, countries)
    suggestion.country = _find_delegation(suggestion.title, suggestion.body, countries,
                                          exclude=suggestion.event.country)
    suggestion.topics = _find_topics(suggestion.title + " " + suggestion.body)
    suggestion.kind = _find_kind(suggestion.title, suggestion.body)
    return suggestion


def _html_to_text(html: str) -> tuple[str, str, str, str]:
    import trafilatura

    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False,
        output_format="python",
    )
    if document is None:
        return "", "", "", ""
    text = (getattr(document, "text", "") or "").replace("\n", "\n\n")
    return (
        text,
        (getattr(document, "title", "") or "").strip(),
        (getattr(document, "sitename", "") or "").strip(),
        (getattr(document, "date", "") or "").strip(),
    )


def _paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    blocks = re.split(r"\n\s*\n", text)
    if len(blocks) == 1:
        blocks = text.split("\n")
    out = []
    for block in blocks:
        # Chrome often sits on lines of its own inside a block ("Search" above "Close this
        # search box."), so lines are screened before a block is joined into a paragraph.
        parts = [part.strip() for part in block.split("\n") if part.strip()]
        if len(parts) > 1:
            parts = [part for part in parts if not _is_chrome(part)]
        line = " ".join(parts)
        line = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        if line:
            out.append(line)
    return out


def _title_index(paragraphs: list[str], meta_title: str) -> int | None:
    """The headline: the metadata title when it appears, else the first short line that
    does not end like a sentence."""
    if meta_title:
        for index, paragraph in enumerate(paragraphs[:5]):
            if name_key(paragraph) == name_key(meta_title):
                return index
    for index, paragraph in enumerate(paragraphs[:4]):
        words = paragraph.split()
        if (
            3 <= len(words) <= 40
            and not paragraph.rstrip().endswith((".", "。", ":"))
            and not _EXPLICIT_DATE.fullmatch(paragraph.strip())
        ):
            return index
    return None


def _arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum("\u0600" <= c <= "\u06ff" for c in letters) / len(letters)


# --- dates --------------------------------------------------------------------------------


def _find_date(
    title: str, paragraphs: list[str], meta_date: str, published_on: datetime.date | None
) -> datetime.date | None:
    import dateparser

    settings = {"PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": "DMY"}
    if meta_date:
        parsed = dateparser.parse(meta_date, settings=settings)
        if parsed:
            return parsed.date()
    head = " ".join([title, *paragraphs[:2]])
    match = _EXPLICIT_DATE.search(head)
    if match:
        parsed = dateparser.parse(match.group(1), settings=settings)
        if parsed:
            return parsed.date()
    if published_on is not None:
        weekday = _WEEKDAY.search(head)
        if weekday:
            # A release says "Tuesday" of the latest Tuesday on or before its publication.
            target = _WEEKDAYS.index(weekday.group(1).lower())
            return published_on - datetime.timedelta(days=(published_on.weekday() - target) % 7)
        return published_on
    return None


# --- speakers -----------------------------------------------------------------------------

_PERSONAL = (
    r"(?:Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Prof\.?|Sheikh|Sheikha|Shaikh|Shaikha|Sir|Dame|Ambassador)"
)
_STYLE = (
    r"(?:HE|H\.E\.|His Excellency|Her Excellency|HH|H\.H\.|His Highness|Her Highness|HRH|"
    r"His Royal Highness)"
)
_NAME_WORD = r"(?:[A-Z][\w'’\-]+|bin|bint|ibn|al|el|Al|Al-\w+|de|da|van|von|der|du|dos|la)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,7}}"
_ROLE_HEAD = (
    r"(?:Minister|Deputy|Assistant|Secretary|Special|Permanent|Ambassador|President|Prime|"
    r"Vice|Foreign|Director|Head|Chief|Envoy|Advisor|Adviser|Undersecretary|Under-Secretary|"
    r"Spokesperson|Spokesman|Chargé|Consul|Governor|Chairman|Chair|Emir|King|Crown|"
    r"Representative|Commissioner|High|State|Senior|First|Second|Acting)"
)
# A role stays within one line and starts with an office word ("Statement" is no "State").
_ROLE = rf"{_ROLE_HEAD}\b[\w \t,'’\-–()&]*?"

# "HE Special Envoy of ... Dr. Mutlaq bin Majed Al Qahtani"
_STYLE_ROLE_NAME = re.compile(
    rf"\b(?P<style>{_STYLE})\s+(?P<role>{_ROLE})\s+(?P<personal>(?:{_PERSONAL}\s+)+)(?P<name>{_NAME})"
)
# "Minister of State for Foreign Affairs, HE Dr. Jane Doe" and "HE Dr. Jane Doe, Minister ..."
_ROLE_COMMA_NAME = re.compile(
    rf"(?:^|(?<=[\s(]))(?P<role>{_ROLE}),\s+(?P<style>{_STYLE})\s+(?P<personal>(?:{_PERSONAL}\s+)*)"
    rf"(?P<name>{_NAME})"
)
_NAME_COMMA_ROLE = re.compile(
    rf"\b(?P<style>{_STYLE})\s+(?P<personal>(?:{_PERSONAL}\s+)*)(?P<name>{_NAME}),\s+"
    rf"(?P<role>(?:the\s+)?{_ROLE})(?=[,.;]|\s+(?:said|stated|noted|stressed|affirmed|"
    rf"delivered|gave|met|participated|took|headed|led|opened|made|expressed|underlined|"
    rf"highlighted|reiterated|welcomed|announced|addressed|received|held|signed)\b)"
)
_PERSONAL_NAME = re.compile(rf"\b(?P<personal>(?:{_PERSONAL}\s+)+)(?P<name>{_NAME})")
# Arabic: "سعادة الدكتور مطلق بن ماجد القحطاني، المبعوث الخاص ..."
_AR_STYLE = r"(?:سعادة|معالي|سمو|فخامة)"
_AR_PERSONAL = r"(?:الدكتور|الشيخ|الشيخة|السيد|السيدة|الأستاذ)"
_AR_NAME = r"[\u0621-\u064a]+(?:\s+[\u0621-\u064a]+){1,5}?"
_AR_PATTERN = re.compile(
    rf"(?P<style>{_AR_STYLE})\s+(?:(?P<personal>{_AR_PERSONAL})\s+)?(?P<name>{_AR_NAME})\s*،\s*"
    r"(?P<role>[^،.\n]{3,150})"
)
_AR_HONORIFICS = {"سعادة": "HE", "معالي": "HE", "فخامة": "HE", "سمو": "HH",
                  "الدكتور": "Dr.", "الشيخ": "Sheikh", "الشيخة": "Sheikha", "السيد": "Mr.",
                  "السيدة": "Ms.", "الأستاذ": "Prof."}
_STYLE_FORMS = {"his excellency": "HE", "her excellency": "HE", "h.e.": "HE", "he": "HE",
                "hh": "HH", "h.h.": "HH", "his highness": "HH", "her highness": "HH",
                "hrh": "HRH", "his royal highness": "HRH"}
_NAME_STOP = {"The", "In", "On", "At", "During", "Minister", "Ministry", "State", "His", "Her"}


def _honorific(style: str, personal: str) -> str:
    parts = []
    if style:
        parts.append(_STYLE_FORMS.get(style.casefold(), style))
    for word in personal.split():
        parsed = split_name(f"{word} X").honorific or word
        if parsed not in parts:
            parts.append(parsed)
    return " ".join(parts)


def _trim_name(name: str) -> str:
    words = name.split()
    while words and words[-1] in {"bin", "bint", "ibn", "al", "el", "de", "da", "van", "von"}:
        words.pop()
    for index, word in enumerate(words):
        if index and word in _NAME_STOP:
            words = words[:index]
            break
    return " ".join(words)


def _find_speakers(text: str) -> list[SuggestedSpeaker]:
    found: list[SuggestedSpeaker] = []

    def add(name: str, honorific: str, role: str) -> None:
        name = _trim_name(name.strip(" ,.;"))
        role = re.sub(r"\s+", " ", role).strip(" ,;–-")
        role = re.sub(r"^the\s+", "", role, flags=re.IGNORECASE)
        if len(name.split()) < 2 and not re.search(r"[\u0600-\u06ff]", name):
            return
        for known in found:
            if name_key(known.name) == name_key(name) or _same_person(known.name, name):
                known.role = known.role or role
                known.honorific = _merge_honorifics(known.honorific, honorific)
                return
        found.append(SuggestedSpeaker(name=name, honorific=honorific, role=role))

    for pattern in (_STYLE_ROLE_NAME, _ROLE_COMMA_NAME, _NAME_COMMA_ROLE):
        for match in pattern.finditer(text):
            add(match["name"], _honorific(match["style"], match["personal"] or ""),
                match["role"])
    for match in _AR_PATTERN.finditer(text):
        honorific = " ".join(
            _AR_HONORIFICS[w] for w in (match["style"], match["personal"]) if w
        )
        add(match["name"], honorific, match["role"])
    if not found:
        # No styled mention: people introduced with a personal honorific ("Dr. Jane Doe").
        for match in _PERSONAL_NAME.finditer(text):
            add(match["name"], _honorific("", match["personal"]), "")
    return found


def _same_person(full: str, other: str) -> bool:
    # "Dr. Al Qahtani" later in a release is the "Mutlaq bin Majed Al Qahtani" named first.
    full_key, other_key = name_key(full), name_key(other)
    return bool(other_key) and (full_key.endswith(" " + other_key) or
                                other_key.endswith(" " + full_key))


def _merge_honorifics(first: str, second: str) -> str:
    parts = first.split()
    for part in second.split():
        if part not in parts:
            parts.append(part)
    return " ".join(parts)


# --- events, countries, topics ------------------------------------------------------------

_EVENT_WORDS = (
    r"(?:Conference|Summit|Forum|Meeting|Session|Dialogue|Symposium|Assembly|Congress|"
    r"Workshop|Roundtable|Round Table|Ministerial|Convention|Talks|Consultations|Retreat|"
    r"Debate|Seminar|Colloquium|Expo|Exhibition|Council)"
)
_QUOTED = r"[“\"«][^”\"»]{3,300}[”\"»]"
_EVENT = re.compile(
    rf"\b(?:the|at|in)\s+(?P<name>(?:[A-Z0-9][\w'’\-]*\s+|of\s+|and\s+|for\s+|on\s+|the\s+)*"
    rf"{_EVENT_WORDS}\b(?:\s+(?:on|of|for)\s+(?:{_QUOTED}|(?:[A-Z][\w'’\-]*|and|of|the|for|in)"
    rf"(?:\s+(?:[A-Z][\w'’\-]*|and|of|the|for|to))*))?)"
    r"(?:,?\s+(?:held\s+)?in\s+(?P<place>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3}"
    r"(?:,\s+(?:the\s+)?[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,3})?))?"
)


def _find_event(text: str, countries: dict[str, str]) -> SuggestedEvent:
    best: SuggestedEvent | None = None
    for match in _EVENT.finditer(text):
        name = re.sub(r"[“”\"«»]", "", match["name"]).strip()
        name = re.sub(r"^(?:the|a|an)\s+", "", re.sub(r"\s+", " ", name), flags=re.I)
        if len(name.split()) < 2:
            continue
        city = country = ""
        if match["place"]:
            parts = [p.strip() for p in match["place"].split(",")]
            if len(parts) == 2:
                city, country = parts[0], _country_name(parts[1], countries) or ""
                if not country:
                    city = ""
            elif _country_name(parts[0], countries):
                country = _country_name(parts[0], countries)
            else:
                city = parts[0]
        candidate = SuggestedEvent(name=name, city=city, country=country)
        # The first event with a place wins; otherwise the longest name seen.
        if city or country:
            return candidate
        if best is None or len(name) > len(best.name):
            best = candidate
    return best or SuggestedEvent()


def _country_names() -> dict[str, str]:
    """Country names (case-folded) to alpha-3 codes: pycountry's names and common forms."""
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names[value.casefold()] = country.alpha_3
    names.update({
        "united states": "USA", "united states of america": "USA", "russia": "RUS",
        "uk": "GBR", "united kingdom": "GBR", "britain": "GBR", "south korea": "KOR",
        "north korea": "PRK", "iran": "IRN", "syria": "SYR", "vietnam": "VNM",
        "viet nam": "VNM", "palestine": "PSE", "the state of palestine": "PSE",
        "turkey": "TUR", "türkiye": "TUR", "european union": "EU", "laos": "LAO",
        "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA", "moldova": "MDA",
        "czech republic": "CZE", "ivory coast": "CIV", "côte d'ivoire": "CIV",
        "قطر": "QAT", "طاجيكستان": "TJK", "السعودية": "SAU", "مصر": "EGY", "الأردن": "JOR",
        "الكويت": "KWT", "الإمارات": "ARE", "البحرين": "BHR",  # not عمان: Oman or Amman
    })
    return names


def _country_name(text: str, countries: dict[str, str]) -> str:
    key = re.sub(r"^(the\s+)?(state of|republic of|kingdom of)\s+", "", text.strip().casefold())
    for candidate in (text.strip().casefold(), key):
        if candidate in countries:
            return _display_name(countries[candidate], text.strip())
    return ""


def _display_name(code: str, fallback: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return fallback
    return getattr(country, "common_name", None) or country.name


def _find_delegation(title: str, body: str, countries: dict[str, str], *, exclude: str) -> str:
    """The country the release speaks for: the one named most, the title counting double,
    leaving out the host of the event."""
    counts: Counter[str] = Counter()
    for text, weight in ((title, 2), (body, 1)):
        folded = text.casefold()
        for name, code in countries.items():
            if len(name) < 4 and not re.search(r"[\u0600-\u06ff]", name):
                continue
            hits = len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", folded))
            if hits:
                counts[code] += hits * weight
    if not counts:
        return ""
    for code, _ in counts.most_common():
        name = _display_name(code, code)
        if name != exclude:
            return name
    return ""


# A small controlled vocabulary: topic -> words that signal it.  Editors add the rest.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Counter-terrorism": ("terrorism", "terrorist", "counter-terrorism", "extremism", "إرهاب"),
    "Border security": ("border security", "border management", "borders", "cross-border"),
    "Mediation": ("mediation", "mediator", "conflict resolution"),
    "Human rights": ("human rights",),
    "Humanitarian aid": ("humanitarian", "relief", "aid convoy"),
    "Climate change": ("climate", "emissions", "global warming"),
    "Development": ("sustainable development", "development goals", "sdgs", "poverty"),
    "Nuclear non-proliferation": ("non-proliferation", "nuclear weapons", "disarmament"),
    "Refugees and migration": ("refugee", "migration", "migrants", "displaced"),
    "Health": ("health", "pandemic", "covid", "vaccine"),
    "Trade and investment": ("trade", "investment", "economic cooperation"),
    "Energy": ("energy", "oil", "gas", "renewable"),
    "Peace and security": ("peace process", "ceasefire", "peacebuilding", "peacekeeping"),
    "Women, peace and security": ("women", "gender"),
    "Cybersecurity": ("cyber",),
    "Education": ("education", "schools", "scholarship"),
}


def _find_topics(text: str, *, limit: int = 4) -> list[str]:
    folded = text.casefold()
    scores: Counter[str] = Counter()
    for topic, words in TOPIC_KEYWORDS.items():
        for word in words:
            scores[topic] += len(re.findall(rf"(?<!\w){re.escape(word)}", folded))
    return [topic for topic, score in scores.most_common(limit) if score >= 2]


def _find_kind(title: str, body: str) -> str:
    head = f"{title} {body[:400]}".casefold()
    if "joint statement" in head or "joint communiqué" in head or "joint communique" in head:
        return "joint_statement"
    if re.search(r"\b(speech|remarks|address)\b", title.casefold()):
        return "speech"
    if "interview" in title.casefold():
        return "interview"
    return "press_release"


# --- saving what the editor confirmed -----------------------------------------------------


@dataclass
class ConfirmedSpeaker:
    name: str
    honorific: str = ""
    role: str = ""


def save_page_draft(
    *,
    title: str,
    body: str,
    delivered_on: datetime.date,
    kind: str,
    language: str,
    country=None,
    event=None,
    new_event_name: str = "",
    new_event_city: str = "",
    new_event_country=None,
    speakers: list[ConfirmedSpeaker] = (),
    topics: list[str] = (),
    source_name: str = "",
    source_url: str = "",
    original_text: str = "",
    user=None,
):
    """Save an imported page as a draft through the services, creating the speakers, event
    and topics it names when the archive does not know them yet."""
    from django.db import transaction

    from archive import services
    from archive.models import EventKind, Speaker, Status

    with transaction.atomic():
        if event is None and new_event_name.strip():
            from archive.models import Event

            event = Event.objects.filter(name__iexact=new_event_name.strip()).first()
            if event is None:
                event = services.create_event(
                    name=new_event_name, start_date=delivered_on, city=new_event_city.strip(),
                    # What the name says it is; the editor corrects it in the event's form.
                    country=new_event_country, kind=EventKind.guess(new_event_name),
                )
        roles = []
        for person in speakers:
            if not person.name.strip():
                continue
            parsed = split_name(person.name)
            speaker = _existing_speaker(Speaker, parsed.name)
            if speaker is None:
                speaker = services.create_speaker(
                    name=parsed.name,
                    honorific=person.honorific.strip() or parsed.honorific,
                    country=country,
                )
            roles.append(services.SpeakerRole(speaker=speaker, role=person.role))
        topic_rows = [services.get_or_create_topic(name=t) for t in topics if t.strip()]
        return services.create_statement(
            title=title, body=body, delivered_on=delivered_on, kind=kind, language=language,
            country=country, event=event, speakers=roles, topics=topic_rows,
            source_name=source_name, source_url=source_url,
            original_text=original_text or body, status=Status.DRAFT, user=user,
        )


def _existing_speaker(model, name: str):
    key = name_key(name)
    last = name.split()[-1] if name.split() else name
    for speaker in model.objects.filter(name__icontains=last)[:200]:
        if name_key(speaker.name) == key:
            return speaker
    return None
