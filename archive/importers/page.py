"""Suggestions for a statement from a ministry web page: pasted text, .txt, .html or a URL.

One pipeline for every way a page arrives.  ``layout`` finds the article (headline, body,
dateline, the page's own dates) inside the site's chrome; ``frames`` reads the reporting frame
(who spoke, in what role, at which event, where, for which State); ``dates`` reads the
statement's date.  Each suggestion carries the sentence it came from and a confidence, so
the editor sees why before correcting and saving.  Nothing here knows a particular site.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from .dates import complete_year, find_dates, weekday_in
from .frames import find_delegation, find_event, find_speakers, sentences
from .layout import Article, PageTooLarge, read_article
from .names import name_key, split_name

__all__ = [
    "Evidence",
    "PageSuggestion",
    "PageTooLarge",
    "SuggestedEvent",
    "SuggestedSpeaker",
    "suggest_from_page",
]


@dataclass
class Evidence:
    """Where a suggestion came from: the sentence (or line) and how sure the rule is."""

    text: str = ""
    confidence: float = 0.0

    def as_json(self) -> dict:
        return {"text": self.text[:400], "confidence": round(self.confidence, 2)}


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
    evidence: dict[str, Evidence | list[Evidence]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The documented JSON shape of ``import_page --json``."""
        evidence = {
            key: ([item.as_json() for item in value] if isinstance(value, list)
                  else value.as_json())
            for key, value in self.evidence.items()
        }
        return {
            "title": self.title,
            "body": self.body,
            "source": self.source,
            "source_url": self.source_url,
            "date": self.date.isoformat() if self.date else None,
            "speakers": [asdict(s) for s in self.speakers],
            "event": asdict(self.event),
            "country": self.country,
            "topics": list(self.topics),
            "kind": self.kind,
            "language": self.language,
            "evidence": evidence,
        }

    def field_evidence(self, key: str) -> Evidence | None:
        value = self.evidence.get(key)
        return value if isinstance(value, Evidence) else None


# --- entry point --------------------------------------------------------------------------


def suggest_from_page(
    content: str,
    *,
    is_html: bool | None = None,
    published_on: datetime.date | None = None,
    source_url: str = "",
    today: datetime.date | None = None,
) -> PageSuggestion:
    """Suggest a statement's fields from a page's text or HTML.

    ``published_on`` is the page's publication date when the editor knows it: it resolves a
    weekday ("participated Tuesday") and a dateline without a year.  Raises ``PageTooLarge``
    for a page over the size limit.
    """
    article = read_article(content, is_html=is_html, url=source_url)
    suggestion = PageSuggestion(source_url=source_url or article.url, language=article.language)
    suggestion.title = article.title
    suggestion.body = "\n\n".join(article.paragraphs)
    suggestion.evidence["title"] = Evidence(article.title_evidence, article.title_confidence)
    suggestion.evidence["body"] = Evidence(
        article.paragraphs[0] if article.paragraphs else "", 0.8 if article.paragraphs else 0)

    sents = _leading_sentences(article.paragraphs)
    suggestion.kind = _find_kind(article.title, suggestion.body)
    people_sents = sents
    if _TITLE_FRAME.match(article.title):
        # "Remarks by Ambassador X at the Security Council briefing on Y": the headline names
        # the speaker, as the first sentence of the page would (events read it anyway).
        people_sents = [article.title, *sents]
    delivered_by = article.meta.get("delivered by") or article.meta.get(
        "speaker") or article.meta.get("speech by") or article.meta.get("المتحدث")
    if delivered_by:
        # "Delivered by: Simon Garrett, UK Ambassador to ...": a statement by that person.
        people_sents = [f"The statement was delivered by {delivered_by}.", *people_sents]
    people = find_speakers(people_sents, title=article.title, language=article.language,
                           joint=suggestion.kind == "joint_statement")
    suggestion.speakers = [SuggestedSpeaker(p.name, p.honorific, p.role) for p in people]
    suggestion.evidence["speakers"] = [
        Evidence(p.evidence, min(0.95, 0.5 + 0.1 * p.score)) for p in people]
    suggestion.evidence["roles"] = [
        Evidence(p.role_evidence if p.role else "", 0.8 if p.role else 0.0) for p in people]

    event = find_event(sents, title=article.title, language=article.language,
                       dateline_city=article.dateline.city or article.place_city)
    suggestion.event = SuggestedEvent(event.name, event.city, event.country)
    suggestion.evidence["event"] = Evidence(event.evidence, event.confidence)
    suggestion.evidence["city"] = Evidence(
        article.dateline.text if event.city and event.city == article.dateline.city
        else event.city_evidence, 0.8 if event.city else 0.0)

    suggestion.source, source_evidence = _find_source(article)
    suggestion.evidence["source"] = Evidence(source_evidence, 0.8 if suggestion.source else 0.0)
    country, evidence, confidence = find_delegation(
        title=article.title, paragraphs=article.paragraphs, speakers=people,
        banner=article.banner, host=event.country, source=suggestion.source)
    suggestion.country = country
    suggestion.evidence["country"] = Evidence(evidence, confidence)

    date, date_evidence, date_confidence = _find_date(
        article, sents, published_on=published_on, today=today or datetime.date.today())
    suggestion.date = date
    suggestion.evidence["date"] = Evidence(date_evidence, date_confidence)
    suggestion.topics = _find_topics(article.title + " " + suggestion.body[:FRAME_CHARS])
    return suggestion


_TITLE_FRAME = re.compile(
    r"^(?:(?:Opening|Closing|Keynote|Introductory|Concluding)\s+)?(?:Statement|Remarks|Speech|"
    r"Address|Keynote|Intervention|Briefing|Message|Lecture|Explanation\s+of\s+Vote)s?\s+"
    r"(?:delivered\s+|made\s+|given\s+)?by\b|^(?:كلمة|بيان|خطاب)\s|"
    r"^[^.:]{3,120}[’']s\s+(?:(?:opening|closing|keynote)\s+)?(?:remarks|statement|speech|"
    r"address|message|intervention)\b",
    re.IGNORECASE,
)
_RELATIVE_DAY = re.compile(r"\b(?:yesterday|today)\b|(?<!\S)(?:أمس|امس|اليوم)(?!\S)", re.I)


def _dateparser(text: str, *, relative_to: datetime.date | None = None):
    import dateparser

    settings = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}
    if relative_to is not None:
        settings["RELATIVE_BASE"] = datetime.datetime.combine(relative_to, datetime.time(12))
    parsed = dateparser.parse(text, languages=["en", "ar"], settings=settings)
    return parsed.date() if parsed else None


def _parse_meta_date(text: str) -> datetime.date | None:
    """A page's metadata date ("2024-04-16T09:00:00Z", "Tue, 16 Apr 2024"), read by
    dateparser."""
    if not text:
        return None
    found = find_dates(text, limit=1)
    if found and found[0].date:
        return found[0].date
    return _dateparser(text[:100])


# The reporting frame sits at the top of a release: the rules read this much of the body.
FRAME_CHARS = 40_000


def _leading_sentences(paragraphs: list[str]) -> list[str]:
    out, used = [], 0
    for paragraph in paragraphs:
        if used >= FRAME_CHARS:
            break
        piece = paragraph[: FRAME_CHARS - used]
        used += len(piece)
        out.extend(sentences(piece))
    return out


_PUBLISHER = re.compile(
    r"^(?:the\s+)?(?:(?:[A-Z][\w.’'\-]*\s+){0,3}?(?:Ministry|Embassy|Permanent\s+Mission|Mission|Consulate(?:\s+General)?|"
    r"Office|Department|Government|Presidency|Royal\s+Court|Prime\s+Minister[’']s\s+Office|"
    r"Federal\s+(?:Foreign\s+)?Office|Foreign\s+Office)\b.{0,120}"
    r"|(?:وزارة|سفارة|البعثة|بعثة|الوفد\s+الدائم|القنصلية|مكتب|الديوان)\s.{0,80})$",
    re.IGNORECASE,
)


def _find_source(article: Article) -> tuple[str, str]:
    """The publisher: a "Source:" line, the agency of a dateline, the site, or the ministry
    named in the banner above the headline."""
    if article.source_evidence and article.source and article.source_evidence != article.source:
        return article.source, article.source_evidence
    if article.dateline.agency:
        return article.dateline.agency, article.dateline.text
    if article.source:
        return article.source, article.source_evidence or article.source
    for line in article.banner:
        if len(line) < 140 and _PUBLISHER.match(line.strip()):
            return line.strip(), line
    return "", ""


def _find_date(
    article: Article, sents: list[str], *, published_on: datetime.date | None,
    today: datetime.date,
) -> tuple[datetime.date | None, str, float]:
    """The statement's date: the dateline's, else the page's date line, else the metadata's,
    else an explicit date in the first sentences; a weekday or a year-less dateline is read
    against the publication date."""
    page_date = next((d.date for d, _ in article.page_dates if d.date), None)
    meta = _parse_meta_date(article.meta_date)
    reference = published_on or page_date or meta or today
    dateline = article.dateline.date
    if dateline is not None:
        if dateline.date:
            return dateline.date, article.dateline.text, 0.9
        if dateline.month_day:
            completed = complete_year(dateline.month_day, reference)
            if completed:
                return completed, article.dateline.text, 0.8
    for found, line in article.page_dates:
        if found.date and not found.hijri:
            return found.date, line, 0.85
    for found, line in article.page_dates:
        if found.date:
            return found.date, line, 0.8
    if meta:
        return meta, article.meta_date, 0.7
    for sentence in sents[:3]:
        for found in find_dates(sentence, limit=5):
            if found.date and not found.hijri and found.date <= reference:
                return found.date, sentence, 0.6
            if found.month_day and (published_on or page_date or meta):
                # "... said on 4 March": the year of the page's own date.
                completed = complete_year(found.month_day, reference)
                if completed:
                    return completed, sentence, 0.6
    if published_on is not None:
        for sentence in sents[:2]:
            relative = _RELATIVE_DAY.search(sentence)
            if relative:
                parsed = _dateparser(relative.group(), relative_to=published_on)
                if parsed:
                    return parsed, sentence, 0.7
        for sentence in [article.title, *sents[:2]]:
            weekday = weekday_in(sentence)
            if weekday is not None:
                days = (published_on.weekday() - weekday) % 7
                return published_on - datetime.timedelta(days=days), sentence, 0.7
        return published_on, "", 0.5
    return None, "", 0.0


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
