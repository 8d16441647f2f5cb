"""The reporting frame of a release: who spoke, in what role, at which event, for which State.

Releases name people in a few sentence frames, in English and Arabic alike:

* an honorific and a name, then an appositive role: "HE Dr. X, the Special Envoy of ... for
  ..., said", "سعادة الدكتور X، المبعوث الخاص ...، أن";
* a role, then the name: "Foreign Minister X said", "Qatar's Permanent Representative, HE X,",
  "HE Special Envoy ... Dr. X", "وزير الخارجية سعادة X";
* the speech act: "X said / stressed / delivered a statement", "The remarks were made by X",
  "ألقى سعادة X كلمة"; later mentions by surname ("Dr. Al Qahtani") or by style alone.

People named in other frames are not speakers: the minister who hosted, the moderator, a
counterpart met, someone quoted.  Each person found is scored by the frames around their
mentions; the speakers are those a speech act or a delivery names.

Events are noun phrases headed by an event word (conference, session, debate, ceremony,
review; مؤتمر, الدورة, اجتماع ...) with their complement ("of the Human Rights Council",
"on ...") and place ("in Dushanbe, Tajikistan"); a city in the name ("Munich Security
Conference") is the event's city, else the place after it, else the dateline's.

Every pattern runs on one sentence, cut to ``MAX_SENTENCE`` characters, so the work is linear
in the page.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import regex

from .names import name_key
from .places import (
    AMBIGUOUS_COUNTRY_WORDS,
    arabic_fold,
    city_named,
    country_code,
    country_display_name,
    country_names,
    country_of_adjective,
    fold,
)

MAX_SENTENCE = 1_500
MAX_SENTENCES = 400

# --- vocabulary: offices, honorifics, verbs (the language of releases, not of any page) ----

OFFICE_HEADS = {
    "minister", "ministers", "secretary", "secretary-general", "under-secretary-general",
    "under-secretary", "undersecretary", "assistant-secretary-general", "ambassador",
    "envoy", "representative", "president", "vice-president", "director", "director-general",
    "chair", "chairman", "chairwoman", "chairperson", "spokesperson", "spokesman",
    "spokeswoman", "coordinator", "commissioner", "rapporteur", "governor", "mayor", "emir",
    "king", "queen", "prince", "consul", "consul-general", "counsellor", "counselor",
    "adviser", "advisor", "chancellor", "premier", "delegate", "officer", "head", "chief",
    "leader", "member", "ceo", "chargé", "charge", "chargé d'affaires", "attaché", "attache",
    "judge", "observer", "negotiator", "mediator", "sherpa", "senator", "speaker", "deputy",
    "administrator", "registrar", "prosecutor", "commander", "minister-counsellor",
    "high representative", "sultan", "monarch", "crown", "diplomat", "official",
}
_MODIFIERS = {
    "special", "permanent", "deputy", "assistant", "acting", "senior", "foreign", "prime",
    "executive", "vice", "high", "first", "second", "third", "chief", "general", "state",
    "crown", "resident", "regional", "national", "interim", "alternate", "honorary",
    "principal", "lead", "former", "incoming", "outgoing", "associate", "personal", "joint",
    "un", "u.n.", "eu", "au", "gcc", "undersecretary", "under", "secretary", "minister",
}
_PORTFOLIO = {
    "affairs", "foreign", "defence", "defense", "interior", "justice", "finance", "economy",
    "economic", "trade", "industry", "health", "education", "energy", "state", "development",
    "cooperation", "security", "environment", "climate", "culture", "information",
    "communications", "labour", "labor", "social", "planning", "international", "public",
    "relations", "external", "commerce", "investment", "agriculture", "water", "transport",
    "tourism", "youth", "sports", "women", "family", "human", "rights", "humanitarian",
    "counter-terrorism", "terrorism", "mediation", "conflict", "resolution", "peace",
    "political", "legal", "multilateral", "bilateral", "protocol", "department", "office",
    "ministry", "embassy", "mission", "nations", "united", "council", "assembly", "general",
    "government", "republic", "kingdom", "emirate", "federation", "union", "organization",
    "organisation", "committee", "commission", "agency", "programme", "program", "fund",
    "bank", "court", "parliament", "house", "senate", "cabinet", "presidency", "global",
    "world", "regional", "european", "african", "arab", "asian", "islamic", "gulf", "league",
    "headquarters", "conference", "summit", "forum", "session", "meeting", "delegation",
}
_NOT_NAME_WORDS = {
    "the", "a", "an", "in", "on", "at", "during", "this", "that", "these", "those", "his",
    "her", "their", "its", "he", "she", "we", "it", "they", "as", "after", "before", "while",
    "when", "speaking", "addressing", "according", "following", "meanwhile", "also", "and",
    "but", "for", "from", "with", "by", "of", "to", "said", "says", "today", "yesterday",
    "mr", "ms", "mrs", "dr", "statement", "remarks", "speech", "address", "press", "release",
    "news", "photo", "source", "excellency", "highness", "majesty", "read", "more", "share",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "our", "my", "your", "there", "here", "all",
    "both", "each", "every", "other", "such", "however", "moreover", "furthermore",
    "opening", "closing", "concluding", "welcoming", "noting", "thanking", "highlighting",
    "qna", "wam", "spa", "kuna", "bna", "ona", "sputnik", "reuters", "afp", "ap", "xinhua",
    "high-level", "ministerial", "open", "debate", "review", "ceremony", "flag", "periodic",
    "universal", "special", "north", "south", "east", "west", "new",
}


@functools.cache
def _not_name() -> frozenset[str]:
    from nameparser.config import CONSTANTS

    titles = {t for t in CONSTANTS.titles if len(t) > 2}
    events = set(re.sub(r"\\s\+", " ", _EVENT_NOUNS + "|" + _LOWER_MOD).split("|"))
    words = OFFICE_HEADS | _MODIFIERS | _PORTFOLIO | _NOT_NAME_WORDS | titles | events
    words |= {w for name in country_names() for w in name.split() if w.isascii()}
    # Words that name people more often than offices (nameparser lists them as titles).
    return frozenset(words - {"lady", "sister", "dean", "grand", "count", "major", "judge"})


_HONORIFIC_FORMS = [
    (r"(?:His|Her)\s+Royal\s+Highness", "HRH"), (r"H\.\s?R\.\s?H\.?|HRH", "HRH"),
    (r"(?:His|Her)\s+Excellency", "HE"), (r"(?:His|Her)\s+Highness", "HH"),
    (r"(?:His|Her)\s+Majesty", "HM"), (r"H\.\s?E\.?|H\s?E", "HE"), (r"H\.\s?H\.?|HH", "HH"),
    (r"Dr\.?|Doctor", "Dr."), (r"Prof\.?|Professor", "Prof."), (r"Ambassador|Amb\.", "Ambassador"),
    (r"Sheikha|Shaikha", "Sheikha"), (r"Sheikh|Shaikh|Shaykh", "Sheikh"),
    (r"Princess", "Princess"), (r"Prince", "Prince"), (r"Mr\.?", "Mr."), (r"Mrs\.?", "Mrs."),
    (r"Ms\.?", "Ms."), (r"Mme\.?|Madame", "Mme"), (r"Sir", "Sir"), (r"Dame", "Dame"),
    (r"Judge", "Judge"), (r"Senator", "Senator"), (r"Minister", "Minister"),
    (r"General|Gen\.", "General"), (r"Lieutenant\s+General|Lt\.?\s?Gen\.", "Lieutenant General"),
    (r"Major\s+General|Maj\.?\s?Gen\.", "Major General"), (r"Colonel|Col\.", "Colonel"),
    (r"Archbishop", "Archbishop"), (r"Cardinal", "Cardinal"), (r"Bishop", "Bishop"),
    (r"Father|Fr\.", "Father"), (r"Engineer|Eng\.", "Eng."), (r"Emir", "Emir"),
]
_PERSONAL_HON = (
    r"(?:His|Her)\s+(?:Royal\s+)?(?:Excellency|Highness|Majesty)|H\.\s?E\.?|HE|H\.\s?H\.?|HH|HRH|"
    r"Dr\.?|Prof\.?|Mr\.?|Mrs\.?|Ms\.?|Sheikh|Sheikha|Shaikh|Shaikha"
)
_HONORIFIC_RES = [(re.compile(rf"^(?:{p})$"), form) for p, form in _HONORIFIC_FORMS]
_HON = "|".join(p for p, _ in sorted(_HONORIFIC_FORMS, key=lambda x: -len(x[0])))
_UPPER = r"\p{Lu}"
_LOWER = r"\p{Ll}"
_PARTICLE = (
    r"(?:bin|bint|ibn|binti|al|el|Al|El|de|da|del|della|di|du|dos|das|do|van|von|der|den|la|"
    r"le|ben|ould|y|e|Abu|Abd|Abdul)"
)
_TOKEN = (
    rf"(?!(?:Dr|Mr|Mrs|Ms|Prof|Amb|Gen|Col|Lt|Maj|Mme|Fr|Eng|St)\.)"
    rf"(?:{_UPPER}[{_LOWER}'’]+(?:[-’'][{_UPPER}{_LOWER}][{_LOWER}'’]*)*"
    rf"|(?:Al|El|Bin|Abu|Abd|Ibn|O|Mc|Mac|D)[-’'](?:{_UPPER}[{_LOWER}]+)|{_UPPER}\.)"
)
_NAME = rf"{_TOKEN}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_TOKEN}){{0,6}}"
_MENTION = regex.compile(rf"(?<![\w\-’'])(?P<hon>(?:(?:{_HON})\s+){{0,3}})(?P<name>{_NAME})")

SPEECH_VERBS = (
    r"said|says|stated|stressed|affirmed|noted|underlined|underscored|highlighted|emphasi[sz]ed|"
    r"reiterated|added|told|called|urged|expressed|pointed|explained|indicated|delivered|"
    r"addressed|gave|spoke|remarked|warned|announced|declared|asserted|praised|commended|"
    r"presented|argued|recalled|reaffirmed|confirmed|mentioned|considered|observed|"
    r"welcomed|thanked|appealed|insisted|cautioned|outlined|reviewed|shared|conveyed|"
    r"read|made|opened|briefed|participated|took\s+part|headed|led|represented|chaired|"
    r"joined|attended|has\s+said|had\s+said|was\s+speaking|is\s+quoted"
)
_SPEECH_AFTER = re.compile(
    r"^[’']s\s+(?:(?:opening|closing|keynote|video|written)\s+)?(?:remarks|statement|speech|"
    r"address|message|intervention|briefing|interview|words)\b|"
    rf"^\s*(?:,\s*)?(?:(?:also|further|then|later|today|yesterday|on\s+\w+day|"
    rf"has|had|have|once\s+again|again)\s+)*(?:{SPEECH_VERBS})\b",
    re.IGNORECASE,
)
_AGENT_BEFORE = re.compile(
    r"(?:statement|remarks|speech|address|words|keynote|briefing|intervention|message|"
    r"delivered|made|given|presented|read|headed|led|represented|signed|issued)\s+"
    r"(?:(?:was|were)\s+)?by\s*(?:the\s*)?(?:[^,.;]{0,140},\s*)?$|"
    r"(?:^|[,;.]\s*)(?:speaking|addressing\s+[^,]{0,80}|in\s+(?:his|her|a)\s+(?:statement|"
    r"speech|remarks|address)[^,]{0,80})\s*,\s*$",
    re.IGNORECASE,
)
_DISTRACTOR_BEFORE = re.compile(
    r"(?:hosted|chaired|moderated|organi[sz]ed|convened|facilitated|welcomed|attended|"
    r"sponsored|introduced|received|accompanied|invited|opened|inaugurated|appointed|"
    r"nominated|elected|congratulated|thanked|praised|briefed)\s+by\s+(?:the\s+)?$|"
    r"(?:in\s+the\s+presence\s+of|at\s+the\s+invitation\s+of|under\s+the\s+(?:patronage|"
    r"auspices)\s+of|met(?:\s+with)?|meeting\s+with|talks\s+with|discussions\s+with|"
    r"quoting|quoted|according\s+to|counterpart|the\s+late|thanked|praised|"
    r"congratulated|welcomed|received|hosted|invited|with|and\s+his|and\s+her|"
    r"moderator|moderated\s+by|conveyed\s+to|letter\s+(?:to|from)|message\s+(?:to|from)|"
    r"on\s+behalf\s+of|wife\s+of|husband\s+of)\s+(?:the\s+)?(?:[\w\-’']+\s+){0,6}$",
    re.IGNORECASE,
)
_ORG_ROLE = re.compile(
    r"\b(?:United\s+Nations|U\.?N\.?|UNICEF|UNHCR|UNDP|UNESCO|WHO|WFP|OCHA|IAEA|ILO|FAO|IOM|"
    r"UNRWA|UNFPA|OHCHR|UNEP|UNCTAD|UNODC|UNOCT|OPCW|WTO|IMF|World\s+Bank|Secretary-General|"
    r"Secretary\s+General|High\s+Commissioner|Special\s+Rapporteur|Under-Secretary|"
    r"Resident\s+Coordinator|Special\s+Representative\s+of\s+the\s+Secretary|"
    r"African\s+Union\s+Commission|European\s+Commission|League\s+of\s+Arab\s+States|"
    r"Arab\s+League|Gulf\s+Cooperation\s+Council|GCC|OIC|Organi[sz]ation\s+of|"
    r"الأمم\s+المتحدة|الامم\s+المتحدة|الأمين\s+العام|الامين\s+العام|المفوض\s+السامي|"
    r"المفوضة\s+السامية|المقرر\s+الخاص|المقررة\s+الخاصة|وكيل\s+الأمين|منظمة|جامعة\s+الدول|"
    r"مجلس\s+التعاون)",
    re.IGNORECASE,
)

# --- Arabic ----------------------------------------------------------------------------------

_AR_HONORIFICS = [
    ("صاحب السمو الملكي", "HRH"), ("صاحبة السمو الملكي", "HRH"), ("صاحب السمو", "HH"),
    ("صاحبة السمو", "HH"), ("سعادة", "HE"), ("معالي", "HE"), ("فخامة", "HE"), ("سمو", "HH"),
    ("الدكتورة", "Dr."), ("الدكتور", "Dr."), ("د.", "Dr."), ("السفيرة", "Ambassador"),
    ("السفير", "Ambassador"), ("الشيخة", "Sheikha"), ("الشيخ", "Sheikh"),
    ("الأميرة", "Princess"), ("الأمير", "Prince"), ("السيدة", "Ms."), ("السيد", "Mr."),
    ("الأستاذة", "Prof."), ("الأستاذ", "Prof."), ("البروفيسور", "Prof."), ("المهندس", "Eng."),
    ("المهندسة", "Eng."), ("اللواء", "Major General"), ("الفريق", "Lieutenant General"),
    ("العميد", "Brigadier"),
]
_AR_HON = "|".join(re.escape(h) for h, _ in sorted(_AR_HONORIFICS, key=lambda x: -len(x[0])))
_AR_HON_FORMS = dict(_AR_HONORIFICS)
_AR_WORD = r"[\u0621-\u064a\u0671-\u06d3]+"
# Words that end an Arabic name: particles, verbs of speech, time words, office words.
_AR_STOP = {
    "في", "من", "إلى", "الى", "على", "عن", "مع", "خلال", "أن", "ان", "إن", "اليوم", "أمس",
    "امس", "كلمة", "كلمه", "بيانا", "بيان", "وذلك", "حيث", "الذي", "التي", "لدى", "أمام",
    "امام", "قائلا", "قائلة", "مؤكدا", "مؤكدة", "مشيرا", "مشيرة", "وزير", "وزيرة", "المندوب",
    "المندوبة", "مندوب", "سفير", "سفيرة", "رئيس", "رئيسة", "نائب", "مساعد", "مدير", "الأمين",
    "ممثل", "المبعوث", "مبعوث", "المتحدث", "مستشار", "عضو", "وكيل", "حول", "بشأن", "أهمية",
    "اهمية", "ضرورة", "ضروره", "هذا", "هذه", "ذلك", "بعد", "قبل", "عند", "منذ", "بين",
    "ضمن", "أيضا", "ايضا", "كما", "وقد", "قد", "لقد", "ثم", "هو", "هي", "الذين", "بمناسبة",
    "نيابة", "بالنيابة", "بحضور", "برئاسة", "الدائم", "الدائمة", "والمبعوث",
    "ووزير", "وسعادة", "ومعالي",
}
_AR_OFFICE = (
    r"(?:ال|و|وال|لل|ل)?(?:وزير|وزيرة|مندوب|مندوبة|سفير|سفيرة|مبعوث|مبعوثة|ممثل|ممثلة|رئيس|"
    r"رئيسة|نائب|نائبة|مساعد|مساعدة|مدير|مديرة|أمين|امين|الأمين|متحدث|متحدثة|مستشار|مستشارة|"
    r"وكيل|وكيلة|قنصل|قائم|منسق|منسقة|مفوض|مفوضة|مقرر|مقررة|عضو|أمير|أميرة|ملك|سلطان|ولي|"
    r"حاكم|محافظ|مدير|المدير|القائم)"
)
_AR_SPEECH = (
    r"(?:و|ف)?(?:قال|قالت|أكد|أكدت|اكد|اكدت|أشار|أشارت|اشار|اشارت|شدد|شددت|أوضح|أوضحت|اوضح|"
    r"اوضحت|ألقى|ألقت|القى|القت|ألقاها|ألقتها|لفت|لفتت|دعا|دعت|أعرب|أعربت|اعرب|اعربت|نوه|"
    r"نوهت|جدد|جددت|رحب|رحبت|طالب|طالبت|أضاف|أضافت|اضاف|اضافت|تحدث|تحدثت|استعرض|استعرضت|"
    r"ترأس|ترأست|ترأسها|شارك|شاركت|تلا|تلت|أدلى|أدلت|أعلن|أعلنت|ثمن|ثمنت|حث|حثت|قدم|قدمت|"
    r"أبرز|أبرزت|بين|بينت|أفاد|أفادت|يقول|تقول|يؤكد|تؤكد|برئاسة|ترؤس|بكلمة|كلمة)"
)
_AR_DISTRACTOR = re.compile(
    r"(?:^|\s)(?:بحضور|بدعوة\s+من|رعاية|برعاية|مع|أدار|أدارت|أدارها|أدارتها|ادار|ادارها|نظمها|نظمته|"
    r"استضافها|استضافه|استضاف|ترأسها|نقلا\s+عن|الراحل|الراحلة|نظيره|نظيرته|التقى|التقت|"
    r"استقبل|استقبلت|وبين|هنأ|هنأت|شكر|شكرت|لقائه|لقائها|مقابلة)\s+(?:\S+\s+){0,2}$"
)
# A lookahead, so that "معالي نائب وزير الخارجية المهندس X" yields the mention at "المهندس"
# too, not only the one at "معالي" (whose words are a role).
_AR_MENTION = re.compile(
    rf"(?<![\u0621-\u064a])(?=(?P<hon>(?:(?:{_AR_HON})\s+){{1,3}})"
    rf"(?P<name>{_AR_WORD}(?:\s+{_AR_WORD}){{1,6}}))"
)

# --- results ---------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    honorific: str = ""
    role: str = ""
    score: float = 0.0
    first: int = 0  # sentence index of the first mention
    evidence: str = ""
    role_evidence: str = ""
    country_hint: str = ""  # alpha-3 from the role ("of Qatar", "Qatar's")
    distractor: int = 0
    speech: int = 0


@dataclass
class Event:
    name: str = ""
    city: str = ""
    country: str = ""  # display name
    evidence: str = ""
    confidence: float = 0.0
    city_evidence: str = ""
    sidelines: bool = False  # named as what the speaker was "on the sidelines of"


_SIDELINES_PENALTY = 6


@dataclass
class Frames:
    speakers: list[Person] = field(default_factory=list)
    event: Event = field(default_factory=Event)
    country: str = ""
    country_evidence: str = ""
    country_confidence: float = 0.0


# --- sentences -------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "prof", "st", "no", "nos", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "h.e", "e", "h", "u.n", "u.s", "u.k",
    "amb", "gen", "col", "lt", "maj", "mme", "rev", "fr", "eng", "vs", "etc", "inc", "co",
}
_SENTENCE_BREAK = re.compile(r"(?<=[.!?؟])[\"'”’»)]*\s+(?=[\"“‘«(]?[^\W\d_a-z])")


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph (an abbreviation's full stop ends none)."""
    out, start = [], 0
    for match in _SENTENCE_BREAK.finditer(paragraph):
        before = paragraph[max(start, match.start() - 12): match.start()]
        word = re.split(r"[\s(]", before.rstrip(".!?\"'”’»)"))[-1].casefold()
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        out.append(paragraph[start: match.start()].strip())
        start = match.end()
    out.append(paragraph[start:].strip())
    return [s[:MAX_SENTENCE] for s in out if s]


# --- English people --------------------------------------------------------------------------


def _honorific_form(text: str) -> str:
    text = " ".join(text.split())
    for pattern, form in _HONORIFIC_RES:
        if pattern.match(text):
            return form
    return ""


_HON_SPLIT = regex.compile(rf"(?<![\w\-’'])(?:{_HON})(?=\s|$)")


def _split_honorifics(text: str) -> list[str]:
    forms = []
    for match in _HON_SPLIT.finditer(text):
        form = _honorific_form(match.group())
        if form and form not in forms:
            forms.append(form)
    return forms


def _clean_name(name: str) -> tuple[str, str]:
    """(name, leading words cut off it): "Foreign Minister Jane Doe" -> ("Jane Doe", ...)."""
    tokens = name.split()
    not_name = _not_name()
    cut = 0
    while cut < len(tokens) and not re.fullmatch(r"[A-Z]\.", tokens[cut]) and (
            tokens[cut].casefold().strip(".’'") in not_name
            or tokens[cut].casefold().endswith(("’s", "'s"))):
        cut += 1
    rest = tokens[cut:]
    for index, token in enumerate(rest):
        key = token.casefold()
        if key.endswith(("’s", "'s")):
            # "Sergey Lavrov's remarks": the possessive ends the name.
            rest = [*rest[:index], token[:-2]]
            break
        if index and (key in OFFICE_HEADS or key in _NOT_NAME_WORDS or key in _PORTFOLIO):
            rest = rest[:index]
            break
    while rest and re.fullmatch(_PARTICLE, rest[-1]):
        rest.pop()
    return " ".join(rest), " ".join(tokens[:cut])


_ROLE_END = re.compile(
    r",|;|:|\(|\)|\s[-–—]\s|(?<!\b[A-Z])(?<!\b(?:Dr|Mr|Ms|St|No))\.(?=\s|$)|"
    r"\s(?:said|says|told|stated|who|which|has|had|have|is|was|were|will|would|delivered|"
    r"addressed|spoke|noted|stressed|affirmed|called|urged|expressed|highlighted|"
    r"underlined|reiterated|emphasi[sz]ed|added|warned|gave|made|welcomed|pointed|explained|"
    r"participated|took|led|headed|opened|announced|during|at\s+the|before\s+the|in\s+a|"
    r"in\s+his|in\s+her|on\s+\w+day|yesterday|today)\b",
    re.IGNORECASE,
)


def _has_office(tokens: list[str], within: int = 7) -> bool:
    for token in tokens[:within]:
        key = token.casefold().strip(",.’'")
        if key in OFFICE_HEADS or key.split("-")[0] in OFFICE_HEADS:
            return True
    return False


def _role_after(text: str) -> str:
    """An appositive role right after a name: ", the Special Envoy of ... for ...,"."""
    match = re.match(r"^\s*,\s*(?:(?:who\s+is|currently|the\s+then|now)\s+)?", text)
    if not match:
        return ""
    rest = text[match.end(): match.end() + 400]
    if re.match(r"(?:and|or|but|who|which|where|said|a\s+|an\s+)\b", rest, re.I):
        return ""
    end = _ROLE_END.search(rest)
    role = rest[: end.start()] if end else rest
    tokens = role.split()
    if not tokens or len(tokens) > 30 or not _has_office(
            [t for t in tokens if t.casefold() not in {"the", "a", "an"}]):
        return ""
    return _tidy_role(role)


def _tidy_role(role: str) -> str:
    role = " ".join(role.split()).strip(" ,;:-–—")
    role = regex.sub(rf"(?:\s+(?:{_PERSONAL_HON}))+$", "", role)
    role = re.sub(r"(?<!Crown)\s+(?:Prince|Princess)$", "", role)
    role = re.sub(r"^(?:the|a|an|and\s+the|and)\s+", "", role, flags=re.I)
    role = re.sub(r"\s+(?:and|of|the|for|to)$", "", role, flags=re.I)
    return role


_BOUNDARY = re.compile(
    r"(?:[,;:“\"(]|\bby\b|\bwith\b|\bthat\b|\bwhen\b|\bwhile\b|\bas\b|\bwhere\b|\bsaid\b|"
    r"\bsays\b|\bafter\b|\bin\s+(?:a|his|her|the)\b)"
)


def _role_before(text: str) -> tuple[str, str]:
    """A role right before a name: "... headed by HE Special Envoy ... for X " -> role and
    the style found in it ("HE").  ``text`` ends where the name (or its honorific) starts."""
    segment = text[-400:]
    comma = bool(re.search(r",\s*$", segment))
    stripped = segment.rstrip(" ,")
    cut = 0
    for match in _BOUNDARY.finditer(stripped):
        # "in Conflict Resolution" belongs to the role; only lowercase "in a/the" bounds it.
        cut = match.end()
    piece = stripped[cut:]
    if not piece.strip():
        return "", ""
    tokens = piece.split()
    office = next((i for i, t in enumerate(tokens)
                   if t.casefold().strip(",.") in OFFICE_HEADS
                   or t.casefold().split("-")[0] in OFFICE_HEADS), None)
    if office is None:
        return "", ""
    start = office
    style = ""
    while start > 0:
        token = tokens[start - 1]
        if _honorific_form(token) in {"HE", "HH", "HRH"} or re.fullmatch(r"Excellency|Highness",
                                                                          token):
            style = _honorific_form(" ".join(tokens[max(0, start - 3): start])) or \
                _honorific_form(token) or "HE"
            break
        if token[:1].isupper() or token.casefold() in _MODIFIERS or token.endswith(("’s", "'s")):
            start -= 1
            continue
        break
    role_tokens = tokens[start:]
    if len(role_tokens) > 30:
        return "", ""
    role = " ".join(role_tokens)
    if comma and not role:
        return "", ""
    return _tidy_role(role), style


def _possessive_country(role: str) -> tuple[str, str]:
    """"Qatar's Permanent Representative" -> ("Permanent Representative", "QAT"); so too
    "Saudi Foreign Minister" and "وزير الخارجية القطري"."""
    match = re.match(r"^((?:[A-Z][\w\-]+\s+){0,3}[A-Z][\w\-]+)[’']s\s+(.+)$", role)
    if match:
        code = country_code(match.group(1))
        if code:
            return match.group(2), code
    match = re.match(r"^(?:the\s+)?([A-Z][\w\-]+)\s+(.+)$", role)
    if match and _has_office(match.group(2).split()):
        code = country_of_adjective(match.group(1))
        if code:
            return match.group(2), code
    match = re.match(r"^(.+?)\s+(ال[\u0621-\u064a]+)$", role)
    if match and len(match.group(1).split()) >= 1:
        code = country_of_adjective(match.group(2))
        if code:
            return match.group(1), code
    return role, ""


def _role_country(role: str) -> str:
    # "Permanent Representative of Norway to the United Nations": the State after "of".
    for match in re.finditer(r"\b(?:of|for)\s+(?:the\s+)?((?:[A-Z][\w\-’']+\s*){1,4})", role):
        words = match.group(1).split()
        for size in range(len(words), 0, -1):
            code = country_code(" ".join(words[:size]))
            if code:
                return code
    for match in re.finditer(r"(?:لدولة|دولة|لـ?مملكة|مملكة|لسلطنة|سلطنة|جمهورية|لجمهورية)\s+"
                             r"(" + _AR_WORD + r"(?:\s" + _AR_WORD + r")?)", role):
        for candidate in (match.group(1), match.group(1).split()[0]):
            code = country_code(candidate)
            if code:
                return code
    return ""


_PARTICLE_KEYS = {"bin", "bint", "ibn", "binti", "al", "el", "de", "da", "del", "della", "di",
                  "du", "dos", "das", "do", "van", "von", "der", "den", "la", "le", "ben",
                  "ould", "y", "e", "abu", "abd", "abdul", "بن", "بنت", "آل", "ال", "أبو"}


class _People:
    def __init__(self) -> None:
        self.people: list[Person] = []

    def find(self, name: str) -> Person | None:
        """The person already met whom ``name`` names: the same name, or part of it ("Dr.
        Al Qahtani", "Sheikh Faisal" and "Ambassador Soto" after the full name)."""
        key = name_key(name)
        tokens = set(key.split()) - _PARTICLE_KEYS
        if not tokens:
            return None
        for person in self.people:
            known = name_key(person.name)
            if known == key:
                return person
            known_tokens = set(known.split()) - _PARTICLE_KEYS
            if tokens <= known_tokens or known_tokens <= tokens:
                return person
        return None

    def add(self, name: str, *, honorifics: list[str], role: str, index: int,
            sentence: str, role_evidence: str = "") -> Person:
        person = self.find(name)
        if person is None:
            person = Person(name=name, first=index, evidence=sentence)
            self.people.append(person)
        elif len(name.split()) > len(person.name.split()):
            person.name = name
        for form in honorifics:
            if form not in person.honorific.split():
                person.honorific = f"{person.honorific} {form}".strip()
        if role and not person.role:
            role, hint = _possessive_country(role)
            person.role = role
            person.role_evidence = role_evidence or sentence
            person.country_hint = hint or _role_country(role)
        return person


def _find_people_en(sents: list[str], people: _People, title: str) -> None:
    for index, sentence in enumerate(sents):
        for match in _MENTION.finditer(sentence):
            raw_hon, raw_name = match["hon"], match["name"]
            name, cut = _clean_name(raw_name)
            honorifics = _split_honorifics(raw_hon)
            if cut:
                honorifics += [f for f in _split_honorifics(cut) if f not in honorifics]
            known = people.find(name) if name else None
            tokens = name.split()
            if not name or (len(tokens) < 2 and not known and not (
                    honorifics and set(honorifics) - {"Minister", "Mr.", "Ms.", "Mrs."})):
                continue
            if len(tokens) == 1 and not known and tokens[0].casefold() in _not_name():
                continue
            name_start = match.start("name") + raw_name.find(name.split()[0])
            name_end = name_start + len(name)
            start = match.start() if raw_hon else name_start
            before = sentence[max(0, start - 400): start]
            after = sentence[name_end: name_end + 500]
            role = _role_after(after)
            style = ""
            role_before = ""
            if cut and _has_office(cut.split()):
                # "UN Secretary-General Tomas Varga": the office words cut off the name, and
                # the capitalised words before them ("UN").
                role_before, style = _role_before(before)
                role_before = role_before or _tidy_role(regex.sub(rf"^(?:{_HON})\s+", "", cut))
            if not role_before:
                role_before, style = _role_before(before)
            if style and style not in honorifics:
                honorifics.insert(0, style)
            if "Minister" in honorifics:
                honorifics.remove("Minister")
                role_before = role_before or "Minister"
            person = people.add(name, honorifics=honorifics, role=role or role_before,
                                index=index, sentence=sentence)
            _score(person, before, after, role, index)


def _score(person: Person, before: str, after: str, role: str, index: int) -> None:
    rest = after
    if role:
        # Skip the appositive to reach the verb: "X, the envoy ..., said".
        comma = after.find(",", after.find(role[:20]) + len(role[:20]) if role else 0)
        rest = after[comma + 1:] if comma >= 0 else ""
    if _DISTRACTOR_BEFORE.search(before[-160:]):
        person.distractor += 1
        person.score -= 5
        return
    agent = _AGENT_BEFORE.search(before[-160:].rstrip())
    if _SPEECH_AFTER.match(rest) or _SPEECH_AFTER.match(after) or agent:
        person.speech += 1
        person.score += 3
    person.score += 0.5 if index < 3 else 0.25


# --- Arabic people ---------------------------------------------------------------------------


def _ar_name(raw: str) -> str:
    tokens = []
    for token in raw.split():
        if token in _AR_STOP or re.fullmatch(_AR_OFFICE, token) or token.startswith(
                ("وزير", "المندوب", "سفير")) or re.fullmatch(_AR_EVENT_NOUN, token):
            break
        tokens.append(token)
    return " ".join(tokens[:6])


def _ar_role_after(text: str) -> str:
    match = re.match(r"^\s*[،,]\s*", text) or re.match(rf"^\s+(?={_AR_OFFICE})", text)
    if not match:
        return ""
    rest = text[match.end(): match.end() + 400]
    end = re.search(r"[،,.؛:]|\s(?:أن|ان|إن|قائلا|قائلة|مؤكدا|مؤكدة|خلال|اليوم|أمس)\s", rest)
    role = (rest[: end.start()] if end else rest).strip()
    if not re.match(_AR_OFFICE, role) or len(role.split()) > 25:
        return ""
    return role


def _ar_role_before(text: str) -> str:
    """"... وزير الدولة للشؤون الخارجية " right before the honorific."""
    segment = text[-300:].rstrip(" ،,")
    cut = 0
    for match in re.finditer(r"[،,.؛:]|\b(?:أن|إن|ان|التي|الذي|على|عن)\s", segment):
        cut = match.end()
    piece = segment[cut:].strip()
    match = re.search(rf"(?:^|\s)({_AR_OFFICE}\S*(?:\s\S+){{0,20}})$", piece)
    if not match:
        return ""
    role = match.group(1).strip()
    role = re.sub(r"^و(?=ال|وزير)", "", role)
    return role


_AR_INSTITUTION = (
    r"(?:و|ل|ب)?(?:مجلس|وزارة|هيئة|منظمة|جامعة|الاتحاد|اتحاد|لجنة|مكتب|دائرة|جهاز|مركز|بعثة|"
    r"سفارة|حكومة|دولة|مملكة|جمهورية|الأمم|الدولة|الخارجية|الوزراء)(?:\s|$)"
)


_AR_TIME = (
    r"(?:اليوم|أمس|امس|الليلة|صباح|مساء|حاليا|الأحد|الاثنين|الثلاثاء|الأربعاء|الخميس|"
    r"الجمعة|السبت)"
)


def _ar_tidy_role(role: str) -> str:
    role = " ".join(role.split()).strip(" ،,.")
    role = re.split(rf"\s+{_AR_TIME}(?:\s|$)", role)[0]
    return re.sub(rf"(?:\s+(?:{_AR_HON}))+$", "", role)


_AR_ROLE_NAME = re.compile(
    rf"(?:^|\s){_AR_SPEECH}\s+(?P<role>{_AR_OFFICE}\S*(?:\s+(?:ال|لل|ل|و|ب)\S+){{0,8}})\s+"
    rf"(?P<name>(?!ال)[\u0621-\u064a]+(?:\s+[\u0621-\u064a]+){{1,4}})"
)


# "شارك سامح شكري وزير الخارجية في ...": verb, name, then the office, no honorific.
_AR_NAME_ROLE = re.compile(
    rf"(?:^|\s){_AR_SPEECH}\s+(?P<name>(?!ال)[\u0621-\u064a]{{2,}}(?:\s+[\u0621-\u064a]{{2,}}){{1,3}}?)"
    rf"\s+(?P<role>{_AR_OFFICE}\S*(?:\s+(?:ال|لل|ل|و|ب)\S+){{0,8}})"
)


def _find_people_ar(sents: list[str], people: _People) -> None:
    for index, sentence in enumerate(sents):
        covered = -1  # where the name of the last mention starts
        for match in _AR_NAME_ROLE.finditer(sentence):
            name = _ar_name(match["name"])
            if len(name.split()) < 2 or name != match["name"] or re.match(
                    _AR_HON, match["name"]) or re.match(_AR_INSTITUTION, name):
                continue
            person = people.add(name, honorifics=[], role=_ar_tidy_role(match["role"]),
                                index=index, sentence=sentence)
            person.speech += 1
            person.score += 3.5 if index < 3 else 3.25
        for match in _AR_ROLE_NAME.finditer(sentence):
            # "قال الأمين العام للأمم المتحدة توماس فارغا ...": no honorific, role first.
            name = _ar_name(match["name"])
            if len(name.split()) < 2 or re.match(_AR_HON, match["name"]) or re.match(
                    _AR_INSTITUTION, name):
                continue
            person = people.add(name, honorifics=[], role=_ar_tidy_role(match["role"]),
                                index=index, sentence=sentence)
            person.speech += 1
            person.score += 3.5 if index < 3 else 3.25
        for match in _AR_MENTION.finditer(sentence):
            name = _ar_name(match["name"])
            if len(name.split()) < 2 and not people.find(name):
                continue
            honorifics = []
            for word in re.findall(_AR_HON, match["hon"]):
                form = _AR_HON_FORMS.get(word)
                if form and form not in honorifics:
                    honorifics.append(form)
            if any(sentence[match.start("name"):].startswith(h) for h, _ in _AR_HONORIFICS):
                continue  # the next honorific of the same run starts its own mention
            if match.start() < covered:
                continue  # a later honorific of a run already read ("معالي الدكتور X")
            covered = match.start("name")
            name_end = match.start("name") + len(name)
            before = sentence[max(0, match.start() - 300): match.start()]
            after = sentence[name_end: name_end + 500]
            role = _ar_tidy_role(_ar_role_after(after) or _ar_role_before(before))
            style = re.search(rf"(?:^|\s)({_AR_HON})\s+{_AR_OFFICE}\S*(?:\s+\S+){{0,12}}\s*$",
                              before)
            if style and not _ar_role_after(after):
                form = _AR_HON_FORMS.get(style.group(1))
                if form and form not in honorifics:
                    honorifics.insert(0, form)
            person = people.add(name, honorifics=honorifics, role=role, index=index,
                                sentence=sentence)
            tail = before[-80:]
            if _AR_DISTRACTOR.search(tail):
                person.distractor += 1
                person.score -= 5
                continue
            # The verb comes first in Arabic: "أكد سعادة ..." or "أكد وزير الدولة سعادة ...".
            head = before[-200:]
            if re.search(rf"(?:^|\s){_AR_SPEECH}(?:\s+\S+){{0,12}}\s*$", head) or re.match(
                    rf"^\s*(?:[،,][^،,]{{0,200}}[،,]\s*)?{_AR_SPEECH}\b", after):
                person.speech += 1
                person.score += 3
            person.score += 0.5 if index < 3 else 0.25


# --- choosing the speakers -------------------------------------------------------------------


_SPOKESPERSON = re.compile(r"spokes(?:person|man|woman)|المتحدث|الناطق", re.IGNORECASE)


def _choose_speakers(people: list[Person], *, joint: bool) -> list[Person]:
    candidates = [p for p in people if p.distractor == 0 or p.speech > p.distractor]
    # A spokesperson reporting what the minister said is not a second speaker.
    others = [p for p in candidates if not _SPOKESPERSON.search(p.role) and p.speech]
    if others:
        candidates = [p for p in candidates if not _SPOKESPERSON.search(p.role)
                      or p.score > max(o.score for o in others)]
    if not candidates:
        return []
    best = max(candidates, key=lambda p: (p.score, -p.first))
    chosen = [p for p in candidates if p.speech and p is not best and p.score >= 3]
    if joint:
        chosen += [p for p in candidates if p is not best and p.role and p.first <= best.first + 1
                   and p not in chosen]
    if best.score <= 0.5 and best.speech == 0 and not best.role:
        return []
    ordered = [best, *sorted(chosen, key=lambda p: p.first)]
    if joint:
        ordered.sort(key=lambda p: p.first)
    return ordered


def find_speakers(sents: list[str], *, title: str, language: str, joint: bool) -> list[Person]:
    people = _People()
    sents = sents[:MAX_SENTENCES]
    if language == "ar":
        _find_people_ar(sents, people)
    _find_people_en(sents, people, title)
    return _choose_speakers(people.people, joint=joint)


# --- events ----------------------------------------------------------------------------------

_EVENT_NOUNS = (
    r"conference|summit|forum|meeting|meetings|session|sessions|dialogue|symposium|assembly|"
    r"congress|workshop|roundtable|round\s+table|ministerial|convention|talks|consultations|"
    r"retreat|debate|seminar|colloquium|expo|exhibition|ceremony|review|briefing|segment|"
    r"panel|event|webinar|week|festival|celebration|reception|launch|hearing|process|"
    r"dialogue|negotiations|consultation|gathering|commemoration|dinner|luncheon|breakfast"
)
_ORDINAL = (
    r"\d{1,3}(?:st|nd|rd|th)|\d{4}|first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|[a-z]+(?:ieth|ty)-(?:first|second|third|fourth|fifth|sixth|"
    r"seventh|eighth|ninth)|[a-z]+ieth|[a-z]+teenth"
)
_LOWER_MOD = (
    r"high-level|open|annual|ministerial|international|regional|special|extraordinary|"
    r"informal|virtual|side|closing|opening|plenary|general|thematic|inaugural|joint|"
    r"bilateral|trilateral|multilateral|consultative|technical|flag|flag-raising|"
    r"flag-hoisting|emergency|ordinary|resumed|periodic|official|national|global|formal|"
    r"interactive|expert|expert-level|senior|leaders'|leaders’|donors'|donors’|pledging|"
    r"preparatory|monthly|weekly|quarterly|biennial|triennial|ad\s+hoc|press|panel|"
    r"high-level|working|consultative|coordination|signing|award|launch"
)
_CAP = r"(?:[A-Z][\w\-’'.&]*|[A-Z]{2,}|\d{4})"
_EVENT = re.compile(
    rf"\b(?P<det>(?i:the|a|an|its|their|this\s+year's|this\s+year’s))\s+"
    rf"(?P<name>(?:(?:{_ORDINAL}|{_CAP}|(?i:{_LOWER_MOD}))(?:\s+(?:of|on|for|and|the|de)(?=\s+[A-Z]))?"
    rf"\s+){{0,10}}(?:(?!(?:the|and|for|with|from|that|this|his|her|its|their|said|says|will|"
    rf"would|also|then|which|who)\s)[a-z][a-z’']{{2,}}(?<!ed)\s+){{0,2}}"
    rf"(?:(?i:{_EVENT_NOUNS})|[A-Z][a-z]+(?:{_EVENT_NOUNS}))\b"
    rf"(?:\s+with\s+(?:the\s+)?{_CAP}(?:\s+(?:{_CAP}|of|and|the|for|on|in|to|&|de)){{0,10}}"
    rf"(?=\s+on\s|[\s,.;:]|$))?"
    rf"(?:\s+(?:of|on|for)\s+(?:the\s+)?(?:[“\"«][^”\"»]{{3,300}}[”\"»]|"
    rf"{_CAP}(?:\s+(?:{_CAP}|of|and|the|for|on|in|to|&|de|against|(?i:{_EVENT_NOUNS})\b)){{0,12}}|"
    rf"[a-z][\w\-’']*(?:\s+(?!in\b|at\b|held\b|which\b|that\b|organi[sz]ed\b|hosted\b|"
    rf"on\b|during\b|with\b|and\s+the\b)[\w\-’']+){{0,7}}))?)"
)
_PLACE_AFTER = re.compile(
    r"^,?\s*(?:(?:which|that)\s+(?:was|is|were|are)\s+)?(?:being\s+)?(?:held|convened|"
    r"taking\s+place|organi[sz]ed|hosted|underway|under\s+way)?\s*(?:\w+\s+){0,3}?"
    r"(?:in|at)\s+(?:the\s+)?(?:city\s+of\s+)?(?P<place>[A-Z][\w\-’'.]+(?:\s+[A-Z][\w\-’'.]+){0,3}"
    r"(?:,\s*(?:the\s+)?[A-Z][\w\-’'.]+(?:\s+[A-Z][\w\-’'.]+){0,3})?)"
)
_PARTICIPATION = re.compile(
    r"(?:\bat|\bbefore|\bduring|\bto|\bin|\baddressed|\battended|"
    r"\bparticipated\s+in|\bpart\s+in|\bopening\s+of|\bclosing\s+of|\bwork\s+of|\bon\s+behalf\s+of)"
    r"\s*$",
    re.IGNORECASE,
)
_GENERIC_EVENT = re.compile(rf"^(?:(?:{_LOWER_MOD})\s+)*(?:{_EVENT_NOUNS})$", re.IGNORECASE)
_NOT_THIS_EVENT = re.compile(
    r"(?:previous|last|next|upcoming|future|past|forthcoming|two|three|earlier|former|"
    r"coming|following)\s+$|sidelines\s+of\s+$",
    re.IGNORECASE,
)


def _place(text: str) -> tuple[str, str, str]:
    """(city, country display name, evidence) for "Dushanbe, Tajikistan", "Geneva", "Qatar"."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return "", "", ""
    first = parts[0]
    code = country_code(first)
    if code and len(parts) == 1:
        return "", country_display_name(code), text
    country = country_code(parts[1]) if len(parts) > 1 else ""
    words_ = first.split()
    for size in range(len(words_), 0, -1):
        city = city_named(" ".join(words_[:size]), prefer_country=country)
        if city:
            return " ".join(words_[:size]), country_display_name(country or city.country_code), text
    return "", country_display_name(country) if country else "", text


def _city_in_name(name: str) -> tuple[str, str]:
    """"Munich Security Conference" -> ("Munich", "Germany"): a city of 100,000 people or
    more, named as GeoNames names it, among the capitalised words of the name."""
    words_ = re.findall(r"[A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)?", name)
    for group in words_:
        for candidate in (group, group.split()[0]):
            key = candidate.casefold()
            if key in _PORTFOLIO or key in _not_name() or country_code(candidate):
                continue
            city = city_named(candidate)
            if city and city.population >= 100_000 and fold(city.gazetteer_name) == fold(
                    candidate):
                return candidate, country_display_name(city.country_code)
    return "", ""


def _clean_event_name(name: str) -> str:
    name = re.sub(r"[“”\"«»]", "", " ".join(name.split()))
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)
    # "... Week on Tuesday", "... Forum on 3 June": a time, not the event's subject.
    name = re.sub(r"\s+(?:on|in)\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|"
                  r"\d{1,2}\s+[A-Z]\w+|"
                  r"(?:January|February|March|April|May|June|July|August|September|October|"
                  r"November|December)\b).*$", "", name)
    return name.strip(" ,.;:")


def _find_event_en(sents: list[str], title: str) -> list[tuple[float, Event]]:
    found: list[tuple[float, Event]] = []
    title_words = {fold(w) for w in re.findall(r"[A-Z][\w\-]+", title)}
    # The headline is read too, as if it were the second sentence: it often names the event.
    sents = sents[:80]
    if title and (not sents or sents[0] != title):
        # "UK statement at the Council: interactive dialogue on X": after the colon, an event.
        sents = sents[:1] + [re.sub(r":\s+(?=[a-zA-Z])", ": the ", title)] + sents[1:]
    for index, sentence in enumerate(sents):
        for match in _EVENT.finditer(sentence):
            raw = match["name"]
            name = _clean_event_name(raw)
            before = sentence[max(0, match.start() - 80): match.start()]
            after = sentence[match.end(): match.end() + 200]
            if len(name) < 4:
                continue
            capitals = len(re.findall(r"\b[A-Z][\w\-]+", name))
            generic = bool(_GENERIC_EVENT.match(name))
            score = min(capitals, 5) * 1.0 + (2 if index == 0 else 1 if index < 3 else 0)
            if _PARTICIPATION.search(before):
                score += 3
            if generic:
                score -= 4
            if re.search(r"\b(?:on|about|regarding|concerning|comments?\s+on)\s+$", before,
                         re.IGNORECASE):
                score -= 4  # what the statement is about, not where it was made
            if _NOT_THIS_EVENT.search(before):
                score -= 6
                sidelines = bool(re.search(r"sidelines\s+of\s+$", before, re.I))
            else:
                sidelines = False
            score += len({fold(w) for w in re.findall(r"[A-Z][\w\-]+", name)} & title_words)
            if re.search(r"\b(?:next|last)\s+(?:year|month|week)\b|\bin\s+(?:19|20)\d\d\b",
                         after[:40]):
                score -= 3
            event = Event(name=name, evidence=sentence, confidence=0.0, sidelines=sidelines)
            inner = re.search(r"\s+in\s+(?:the\s+)?(?P<p>[A-Z][\w\-’'.]+(?:\s+[A-Z][\w\-’'.]+)"
                              r"{0,3}(?:,\s*[A-Z][\w\-’'.]+(?:\s+[A-Z][\w\-’'.]+){0,3})?)$", name)
            if inner and any(_place(inner["p"])[:2]):
                event.name = name[: inner.start()]
                after = name[inner.start():] + after
            place = _PLACE_AFTER.match(after)
            if place:
                event.city, event.country, event.city_evidence = _place(place["place"])
                if event.city:
                    event.city_evidence = sentence
            city, country = _city_in_name(name)
            if city:
                event.city, event.country, event.city_evidence = city, country, sentence
                score += 2
            found.append((score, event))
    return found


_AR_EVENT_NOUN = (
    r"(?:ب|ل|و|وب|ول|ف)?(?:ال)?(?:مؤتمر|قمة|منتدى|اجتماع|اجتماعات|جلسة|دورة|ندوة|حوار|ورشة|"
    r"حفل|مراسم|فعالية|فعاليات|استعراض|ملتقى|لقاء|مناقشة|نقاش|حدث|احتفال|معرض|أسبوع|"
    r"اسبوع|مشاورات|محادثات|مباحثات|مراجعة|إحاطة|احاطة)"
)
_AR_EVENT_STOP = (
    r"المنعقد|المنعقدة|المقام|المقامة|الذي|التي|خلال|اليوم|أمس|امس|حيث|وذلك|بمشاركة|بحضور|"
    r"برئاسة|على|ضمن|إن|أن|ان|مع|عن|إلى|الى|من|لمناقشة|أكد|وأكد|قال|وقال|بهذه|أمام|"
    r"والتي|والذي|بتاريخ|يوم"
)
_AR_EVENT = re.compile(
    rf"(?:^|\s)(?:أعمال\s+|فعاليات\s+)?(?P<name>{_AR_EVENT_NOUN}(?:\s+(?!(?:{_AR_EVENT_STOP})"
    rf"(?:\s|$))[^\s،,.؛:()]+){{1,12}})"
)
_AR_PLACE = re.compile(
    r"^\s*(?:،\s*)?(?:(?:الذي|التي)\s+(?:عقد|عقدت|تعقد|يعقد|انعقد|انعقدت|أقيم|أقيمت|"
    r"اقيم|اقيمت|نظم|نظمت)\S*\s+)?(?:المنعقد|المنعقدة|المقام|المقامة)?\s*(?:\S+\s+){0,3}?"
    r"(?:في|ب)\s*(?:مدينة\s+|العاصمة\s+\S+\s+)?(?P<city>[\u0621-\u064a]+)"
    r"(?:\s*[،,]?\s*(?P<country>[\u0621-\u064a]+(?:\s[\u0621-\u064a]+)?))?"
)


def _ar_cut_place(name: str) -> tuple[str, str]:
    """"مؤتمر ... في أمن الحدود" keeps its "في"; "مؤتمر ... في جنيف" ends before the place.
    Returns the name and the place phrase cut off it."""
    tokens = name.split()
    for index, token in enumerate(tokens):
        if token != "في" or index == 0:
            continue
        rest = tokens[index + 1:]
        if rest and rest[0] in {"مدينة", "العاصمة"}:
            return " ".join(tokens[:index]), " " + " ".join(tokens[index:])
        for size in (3, 2, 1):
            if len(rest) >= size and _ar_place_ends(rest, size) and city_named(
                    " ".join(rest[:size])):
                return " ".join(tokens[:index]), " " + " ".join(tokens[index:])
    return name, ""


def _ar_place_ends(tokens: list[str], size: int) -> bool:
    # A place is the end of the phrase, or is followed by its country ("جنيف السويسرية").
    if len(tokens) == size:
        return True
    following = tokens[size]
    return bool(country_code(following) or country_of_adjective(following))


def _find_event_ar(sents: list[str], title: str) -> list[tuple[float, Event]]:
    found = []
    title_words = {arabic_fold(w) for w in title.split() if len(w) > 3}
    for index, sentence in enumerate(sents[:80]):
        for match in _AR_EVENT.finditer(sentence):
            name, place_tail = _ar_cut_place(match["name"].strip(" ،,."))
            first, _, rest = name.partition(" ")
            first = re.sub(r"^(?:وب|ول|ب|ل|و|ف)(?=ال)", "", first)
            first = re.sub(r"^لل", "ال", first)
            name = f"{first} {rest}".strip()
            # A trailing city ("مؤتمر ميونخ للأمن" keeps it; "... في جنيف" was cut above).
            name = re.sub(r"\s+(?:و|،).*$", "", name) if len(name.split()) > 12 else name
            before = sentence[max(0, match.start() - 60): match.start()]
            after = place_tail + sentence[match.end(): match.end() + 200]
            score = min(len(name.split()), 6) * 0.7 + (2 if index == 0 else 1 if index < 3 else 0)
            if re.search(r"(?:في|أمام|خلال|امام|بمناسبة|شارك|شاركت|ألقى|ألقت|افتتاح)\s*$",
                         before):
                score += 3
            sidelines = bool(re.search(r"هامش\s*$", before))
            if re.search(r"(?:هامش|السابق|السابقة|المقبل|المقبلة|القادم|القادمة)\s*$", before):
                score -= 5
            if re.match(r"^\s*(?:ضمن|في\s+إطار)", after):
                score -= 3  # a panel "within" a named event: the named one is the event
            if re.search(r"(?:ضمن|إطار)(?:\s+أعمال|\s+فعاليات)?\s*$", before):
                score += 3
            score += len({arabic_fold(w) for w in name.split()} & title_words) * 0.5
            if len(name.split()) < 2:
                score -= 4
            event = Event(name=name, evidence=sentence, sidelines=sidelines)
            place = _AR_PLACE.match(after)
            if place:
                words_ = (place["city"] + " " + (place["country"] or "")).split()
                city, surface = None, ""
                for size in (3, 2, 1):
                    surface = " ".join(words_[:size])
                    city = city_named(surface) if len(words_) >= size else None
                    if city:
                        break
                if city:
                    event.city = surface
                    country = country_code(place["country"] or "") if place["country"] else ""
                    event.country = country_display_name(country or city.country_code)
                    event.city_evidence = sentence
            for word in name.split()[1:]:
                city = city_named(word)
                if city and city.population >= 100_000 and not country_code(word):
                    event.city = word
                    event.country = country_display_name(city.country_code)
                    event.city_evidence = sentence
                    score += 2  # a named event: "منتدى الدوحة", "مؤتمر ميونخ للأمن"
                    break
            found.append((score, event))
    return found


# "at COP28 in Dubai", "during UNGA78": events known by an acronym and a number.
_ACRONYM_EVENT = re.compile(
    r"\b(?:at|during|to|on\s+the\s+sidelines\s+of)\s+(?:the\s+)?(?P<name>[A-Z]{2,6}\s?\d{1,4})\b"
    r"(?:\s+in\s+(?P<place>[A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)?))?"
)


def find_event(sents: list[str], *, title: str, language: str, dateline_city: str) -> Event:
    candidates = (_find_event_ar(sents, title) if language == "ar" else []) + _find_event_en(
        sents, title)
    for index, sentence in enumerate(sents[:10]):
        for match in _ACRONYM_EVENT.finditer(sentence):
            event = Event(name=match["name"], evidence=sentence)
            if match["place"]:
                event.city, event.country, _ = _place(match["place"])
                event.city_evidence = sentence if event.city else ""
            candidates.append((3.5 + (2 if index == 0 else 0), event))
    # One event named twice (headline and text): its place from whichever mention gives it.
    places = {fold(e.name): e for _, e in candidates if e.city}
    for _, event in candidates:
        known = places.get(fold(event.name))
        if known is not None and not event.city:
            event.city, event.country = known.city, known.country
            event.city_evidence = known.city_evidence
    if candidates and max(score for score, _ in candidates) < 1:
        # Only events the speaker was "on the sidelines of": the nearest context there is.
        candidates = [(score + _SIDELINES_PENALTY, event) for score, event in candidates
                      if event.sidelines]
    if not candidates:
        event = Event()
    else:
        score, event = max(candidates, key=lambda item: item[0])
        if score < 1:
            event = Event()
        else:
            event.confidence = round(min(0.95, 0.4 + score / 15), 2)
    if not event.city and dateline_city:
        city = city_named(dateline_city)
        event.city = dateline_city
        if city and not event.country:
            event.country = country_display_name(city.country_code)
        event.city_evidence = event.city_evidence or dateline_city
    if not event.city and event.name and sents:
        # "... participated today in Geneva in ...": a city in the lede's place phrase.
        for match in re.finditer(r"\bin\s+(?P<place>[A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)?"
                                 r"(?:,\s*[A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)?)?)", sents[0]):
            city, country, _ = _place(match["place"])
            if city:
                event.city, event.country = city, event.country or country
                event.city_evidence = sents[0]
                break
        else:
            match = re.search(r"(?:في|بمدينة)\s+([\u0621-\u064a]+)", sents[0])
            if match and (city := city_named(match.group(1))) and not country_code(match.group(1)):
                event.city = match.group(1)
                event.country = event.country or country_display_name(city.country_code)
                event.city_evidence = sents[0]
    return event


# --- the delegation --------------------------------------------------------------------------

_DELEGATION_FRAMES = re.compile(
    r"\b(?:the\s+)?(?:State|Kingdom|Republic|Sultanate|Government|delegation|Delegation|"
    r"behalf|Permanent\s+Mission|Mission|Embassy|Ministry\s+of\s+Foreign\s+Affairs)\s+of\s+"
    r"(?:the\s+)?(?P<a>(?:[A-Z][\w\-’']+\s?){1,4})"
    r"|(?P<b>(?:[A-Z][\w\-’']+\s){0,2}[A-Z][\w\-’']+)(?:[’']s)?\s+(?:delegation|Delegation|"
    r"participated|participates|took\s+part|takes\s+part)"
    r"|(?<![\u0621-\u064a])(?:دولة|وفد\s+دولة|وفد|لدولة|مملكة|سلطنة|جمهورية|حكومة|سفارة|بعثة|وزارة\s+خارجية)\s+"
    r"(?P<c>[\u0621-\u064a]+(?:\s[\u0621-\u064a]+){0,2})"
)


# "the Qatari delegation", "وفد قطري" / "الوفد القطري".
_ADJECTIVE_DELEGATION = re.compile(
    r"\b([A-Z][a-z]+)\s+(?:delegation|government|mission|embassy)\b"
    r"|(?:الوفد|وفد|البعثة|الحكومة|السفارة)\s+(ال?[\u0621-\u064a]+ي(?:ة)?)(?!\S)"
)


def _country_in(text: str) -> str:
    words_ = text.split()
    for size in range(min(4, len(words_)), 0, -1):
        code = country_code(" ".join(words_[:size]))
        if code:
            return code
    return ""


def find_delegation(*, title: str, paragraphs: list[str], speakers: list[Person],
                    banner: list[str], host: str, source: str) -> tuple[str, str, float]:
    """(country display name, evidence, confidence); "" for international officials."""
    principal = speakers[0] if speakers else None
    if principal is not None:
        if principal.country_hint:
            return (country_display_name(principal.country_hint), principal.role_evidence, 0.9)
        if principal.role and _ORG_ROLE.search(principal.role):
            return "", principal.role_evidence, 0.7
    scores: Counter[str] = Counter()
    evidence: dict[str, str] = {}
    text = [title, *paragraphs[:12]]
    for weight, piece in ((3, t) for t in [*banner[-6:], source]):
        for match in _DELEGATION_FRAMES.finditer(piece or ""):
            code = _country_in(match["a"] or match["b"] or match["c"] or "")
            if code:
                scores[code] += weight
                evidence.setdefault(code, piece)
        if piece and len(piece) < 120 and (piece == source or _PUBLISHER_WORDS.search(piece)):
            # "Saudi Press Agency", "Qatar News Agency", "Embassy of Kenya": the publisher's
            # State, a weaker sign than a frame of the text.
            found = {country_of_adjective(w) for w in re.findall(r"[A-Z][a-z]+|ال\S+", piece)}
            found |= set(_country_mentions(piece))
            head = re.match(r"^(?:the\s+)?(.{2,40}?)\s+(?:Mission|Embassy|Ministry|Government|"
                            r"News\s+Agency|Press\s+Agency)\b", piece)
            if head:
                found.add(country_code(head.group(1)))
            for code in found - {""}:
                scores[code] += 1
                evidence.setdefault(code, piece)
    for number, piece in enumerate(text):
        for match in _DELEGATION_FRAMES.finditer(piece[:MAX_SENTENCE * 4]):
            code = _country_in(match["a"] or match["b"] or match["c"] or "")
            if code:
                scores[code] += 3
                evidence.setdefault(code, piece)
        for match in _ADJECTIVE_DELEGATION.finditer(piece[:MAX_SENTENCE * 4]):
            code = country_of_adjective(match.group(1) or match.group(2))
            if code:
                scores[code] += 3
                evidence.setdefault(code, piece)
        weight = 2 if number == 0 else 1
        for code, hits in _country_mentions(piece[:MAX_SENTENCE * 4]).items():
            scores[code] += hits * weight * 0.5
            evidence.setdefault(code, piece)
    host_code = country_code(host) if host else ""
    # The host of the event is where the statement was made, not whom it speaks for, unless
    # the page says more of it than that it is the place.
    ranked = [(code, score) for code, score in scores.most_common()
              if not (code == host_code and score < 3)]
    if ranked:
        code, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if score >= 1.5 or (score >= 0.5 and score > runner_up):
            return country_display_name(code), evidence[code][:300], round(min(0.9, score / 8), 2)
    return "", "", 0.0


_PUBLISHER_WORDS = re.compile(
    r"\b(?:Agency|Ministry|Embassy|Mission|Government|Presidency|Consulate)\b|"
    r"وكالة|وزارة|سفارة|بعثة|حكومة|القنصلية"
)
_SUBJECT_BEFORE = re.compile(
    r"\b(?:on|about|in|into|to|from|against|with|towards?|over|regarding|concerning|"
    r"situation\s+in|question\s+of|people\s+of|visit\s+to|and)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_AR_SPOKEN_OF = {"بين", "مع", "في", "إلى", "الى", "من", "حول", "عن", "على", "لدى", "تجاه",
                 "بشأن", "ضد", "و"}
_CAPITALISED_RUN = re.compile(r"[A-Z][\w\-’']+(?:\s+(?:of|the|and)?\s*[A-Z][\w\-’']+){0,4}")


def _country_mentions(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    names = country_names()
    for match in _CAPITALISED_RUN.finditer(text):
        if _SUBJECT_BEFORE.search(text[max(0, match.start() - 30): match.start()]):
            continue  # "a briefing on Ukraine", "the situation in Sudan": what is spoken of
        run = match.group().split()
        for size in range(len(run), 0, -1):
            candidate = " ".join(run[:size])
            key = fold(candidate)
            if key in names and key not in AMBIGUOUS_COUNTRY_WORDS:
                counts[names[key]] += 1
                break
    tokens = re.findall(r"[\u0621-\u064a]+", text)
    index = 0
    while index < len(tokens):
        spoken_of = index and tokens[index - 1] in _AR_SPOKEN_OF
        if re.match(r"^(?:ل|ب|و|ك)ال", tokens[index]) or spoken_of:
            # "والاتحاد الأوروبي", "مع قطر", "حول سوريا": a country spoken of or with.
            index += 1
            continue
        token = tokens[index]
        pair = f"{token} {tokens[index + 1]}" if index + 1 < len(tokens) else ""
        for candidate, width in ((pair, 2), (token, 1)):
            key = fold(candidate) if candidate else ""
            if key and key in names and key not in AMBIGUOUS_COUNTRY_WORDS:
                counts[names[key]] += 1
                index += width - 1
                break
        index += 1
    return counts
