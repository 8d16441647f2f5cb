"""The article inside a page: headline, body, dateline and metadata, without the site's chrome.

A page arrives as pasted text, an uploaded ``.txt`` or ``.html``, or a fetched URL.  HTML goes
through trafilatura first (main text, title, site name, date); text, whether pasted or from
trafilatura, then goes through the same rules, which are structural rather than a list of
sites: an article is a run of sentence-like paragraphs (the lede is the first long one), the
headline is the short line before it that shares its words, and what surrounds them (menus,
breadcrumbs, share and print links, captions, "Read more" and related lists, cookie notices,
footers) is chrome.

Every step is linear in the page: the page and each line are capped, patterns run on bounded
slices, and nothing compares every line with every other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import FoundDate, find_dates
from .places import city_named, fold
from .text import repair_c1_controls

__all__ = ["Article", "Dateline", "PageTooLarge", "read_article", "MAX_PAGE_CHARS"]

# A press release is a few thousand characters; a saved web page a few hundred thousand.
MAX_PAGE_CHARS = 1_000_000
MAX_HTML_BYTES = 5 * 1024 * 1024
# The rules read at most this much of one line (a paragraph of a release is under 3,000);
# the body keeps the whole line.
MAX_LINE_CHARS = 20_000


class PageTooLarge(ValueError):
    """The page is over the size the importer reads; the message says by how much."""


@dataclass
class Dateline:
    city: str = ""
    agency: str = ""
    date: FoundDate | None = None
    text: str = ""


@dataclass
class Article:
    title: str = ""
    title_evidence: str = ""
    title_confidence: float = 0.0
    paragraphs: list[str] = field(default_factory=list)
    source: str = ""
    source_evidence: str = ""
    dateline: Dateline = field(default_factory=Dateline)
    page_dates: list[tuple[FoundDate, str]] = field(default_factory=list)  # (date, its line)
    meta_date: str = ""
    url: str = ""
    banner: list[str] = field(default_factory=list)  # short lines above the headline
    place_city: str = ""  # "Geneva, 4 March 2024" on a line of its own
    meta: dict[str, str] = field(default_factory=dict)  # "Location: Geneva" and the like
    language: str = "en"


# --- chrome ----------------------------------------------------------------------------------

# Whole lines that are a site's furniture (compared folded, without punctuation).
_CHROME_LINES = {
    "search", "search for", "search site", "type to search", "close this search box",
    "close search", "open search", "menu", "main menu", "open menu", "close menu", "navigation",
    "skip to content", "skip to main content", "skip to navigation", "toggle navigation",
    "jump to content", "home", "homepage", "back to top", "go to top", "top", "print", "email",
    "e mail", "share", "share this", "share this article", "share this page", "share article",
    "share on facebook", "share on twitter", "share on x", "share on linkedin",
    "share on whatsapp", "share via email", "tweet", "facebook", "twitter", "x", "linkedin",
    "whatsapp", "telegram", "instagram", "youtube", "flickr", "rss", "copy link", "link copied",
    "read more", "read more news", "more news", "latest news", "all news", "news",
    "news and events", "press releases", "press release", "media", "media centre",
    "media center", "statements", "speeches", "accept", "accept all", "accept cookies",
    "decline", "reject all", "cookie settings", "manage cookies", "got it", "ok", "i agree",
    "tags", "tag", "categories", "category", "previous post", "next post", "previous",
    "next", "previous article", "next article", "english", "arabic", "français", "francais",
    "español", "русский", "中文", "print this page", "print page", "font size", "a a a",
    "a a", "listen", "listen to this article", "download", "download pdf", "pdf",
    "subscribe", "newsletter", "follow us", "contact us", "contact", "sitemap", "site map",
    "login", "log in", "sign in", "register", "more", "loading", "advertisement",
    "photo gallery", "video", "videos", "gallery", "related", "go", "submit", "enlarge",
    "bookmark", "save", "comments", "0 comments", "no comments", "leave a comment",
    "بحث", "إغلاق", "اغلاق", "القائمة", "القائمه", "الرئيسية", "الرئيسيه", "مشاركة", "مشاركه",
    "طباعة", "طباعه", "اقرأ المزيد", "اقرا المزيد", "المزيد", "الأخبار", "الاخبار",
    "أخبار", "اخبار", "تويتر", "فيسبوك", "واتساب", "إرسال", "ارسال", "البريد الإلكتروني",
    "نسخ الرابط", "تحميل", "العودة للأعلى", "للأعلى", "حجم الخط", "English", "عربي",
    "العربية", "العربيه", "اتصل بنا", "خريطة الموقع", "الوسوم", "وسوم", "كلمات مفتاحية",
}
_CHROME_KEYS = {" ".join(re.sub(r"[^\w\s]|_", " ", k.casefold()).split()) for k in _CHROME_LINES}
# Line openings that mark a line as chrome whatever follows.
_CHROME_PREFIX = re.compile(
    r"^(?:tags?|keywords|topics|categories|category|filed under|posted in|share this|"
    r"share on|follow us|read more|read also|see also|also read|related|you are here|"
    r"you may also like|photo(?:\s+caption)?|photos|image(?:\s+caption)?|picture|caption|"
    r"file photo|credit|video|"
    r"last updated|updated|last modified|modified|reading time|print|listen|"
    r"subscribe|sign up|الوسوم|وسوم|كلمات مفتاحية|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|اقرأ المزيد|"
    r"شارك|مشاركة|صورة|الصورة|تصوير|فيديو|آخر تحديث|اخر تحديث|تاريخ التحديث|تم التحديث|"
    r"طباعة|مواضيع ذات صلة|font\s+size|text\s+size)\s*[:：\-–|]",
    re.IGNORECASE,
)
_SHORT_CHROME = re.compile(
    r"^(?:back to|go back|return to|sign up|subscribe|font size|text size|page \d+ of \d+|"
    r"previous|next|العودة إلى|العودة الى|اشترك)\b"
)
# Lines after which the page holds related links, not the article (unless a long paragraph
# of the article follows: a "related" box can sit in the middle of the text).
_RELATED = re.compile(
    r"^(?:recent posts?|recent post s|related (?:posts?|news|articles?|stories|content|"
    r"links|items)|latest (?:posts?|news|articles?|stories)|more (?:news|stories|from|on)|"
    r"most (?:read|viewed|popular)|popular (?:posts?|news)|you may also like|you might also|"
    r"read (?:also|more|next)|see also|also read|trending|top stories|"
    r"أخبار ذات صلة|اخبار ذات صله|أخبار متعلقة|آخر الأخبار|اخر الاخبار|الأكثر قراءة|"
    r"الاكثر قراءه|مواضيع ذات صلة|اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|اقرأ المزيد|المزيد من الأخبار|"
    r"قد يهمك|شاهد أيضا)\b",
    re.IGNORECASE,
)
_COOKIE = re.compile(
    r"\bcookies?\b.{0,200}\b(?:use|uses|using|accept|consent|policy|experience|agree)\b|"
    r"ملفات تعريف الارتباط|الكوكيز",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|جميع الحقوق محفوظة|حقوق النشر)|"
    r"all rights reserved\.?$|جميع الحقوق محفوظة\.?$",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"\s(?:>|›|»|/|\||•|·)\s")
_SOURCE_LINE = re.compile(
    r"^\s*(?:source|المصدر|مصدر الخبر)\s*[:：]\s*(?P<source>.{2,150}?)\s*$", re.IGNORECASE
)
# Key-value lines of speech pages: "Delivered by: ...", "Location: Geneva", "From: ...".
_META_LINE = re.compile(
    r"^\s*(?P<key>delivered\s+by|speaker|speech\s+by|location|venue|place|delivered\s+on|"
    r"from|published\s+by|event|المكان|الموقع|المتحدث|مكان\s+الانعقاد)\s*[:：]\s*"
    r"(?P<value>.{2,200}?)\s*$",
    re.IGNORECASE,
)
# "Mr. President,", "Excellencies, ladies and gentlemen,": the first words of a speech.
_SALUTATION = re.compile(r"^[^.!?]{3,80}[,،]\s*$")
_BYLINE = re.compile(
    r"^(?:by|written by|posted by|published by|author|بقلم|كتب)\b\s*[:：]?\s*\S", re.IGNORECASE
)
_TIME_OR_COUNT = re.compile(
    r"^[\d\s:.,/|\-–]*(?:am|pm|gmt|utc|ص|م)?\s*$|^\d+\s*(?:min(?:ute)?s?\s+read|views?|"
    r"comments?|shares?|مشاهدة|قراءة)\b",
    re.IGNORECASE,
)
_UPDATED = re.compile(
    r"\b(?:last\s+)?(?:updated|modified|edited|revised)\b|"
    r"آخر تحديث|اخر تحديث|تم التحديث|تاريخ التحديث",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?؟…][\"'”’»)\]]*\s*$")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_STOP = {
    "the", "and", "for", "with", "from", "that", "this", "his", "her", "its", "are", "was",
    "were", "has", "have", "had", "will", "on", "of", "in", "at", "to", "a", "an", "by",
    "في", "من", "على", "إلى", "الى", "عن", "مع", "أن", "ان", "التي", "الذي", "هذا", "هذه",
}
# Words of site navigation: a line made mostly of them is a menu, not a headline.
_MENU_WORDS = {
    "home", "about", "us", "news", "media", "contact", "services", "ministry", "minister",
    "embassy", "consular", "events", "gallery", "press", "releases", "release", "visa",
    "search", "login", "language", "english", "arabic", "français", "foreign", "policy",
    "statements", "speeches", "photos", "videos", "publications", "documents", "mission",
    "careers", "faq", "links", "sitemap", "the", "and", "e-services", "eservices", "centre",
    "center", "latest", "multimedia", "resources", "partners", "programs", "programmes",
    "الرئيسية", "عن", "الوزارة", "الأخبار", "الاخبار", "المركز", "الإعلامي", "الاعلامي",
    "الخدمات", "اتصل", "بنا", "السفارة", "القنصلية", "الوسائط", "البيانات", "الخطابات",
    "الفعاليات", "المنشورات", "الصور", "الفيديو", "و",
}


def _key(line: str) -> str:
    folded = line.casefold().replace("’", "").replace("'", "")
    return " ".join(re.sub(r"[^\w\s]|_", " ", folded).split())


def words(text: str) -> list[str]:
    return _WORD.findall(text)


# Words that rows of buttons are made of ("Share: Facebook Twitter", "Print Email").
_BUTTON_WORDS = {
    "share", "print", "email", "e", "mail", "facebook", "twitter", "x", "linkedin", "whatsapp",
    "telegram", "instagram", "youtube", "tweet", "copy", "link", "font", "size", "a", "pdf",
    "download", "rss", "save", "bookmark", "like", "follow", "us", "on", "via", "text",
    "larger", "smaller", "reset", "listen", "mastodon", "reddit", "pinterest", "vk", "weibo",
    "wechat", "مشاركة", "طباعة", "تويتر", "فيسبوك", "واتساب", "البريد", "الإلكتروني", "حجم",
    "الخط", "نسخ", "الرابط", "تحميل",
}


def is_chrome(line: str) -> bool:
    if len(line) > 2_000:
        return False  # chrome is short; a long line is text
    key = _key(line)
    if not key:
        return len(line.strip()) < 40  # a row of icons or separators
    if key in _CHROME_KEYS or _CHROME_PREFIX.match(line.strip()):
        return True
    if re.sub(r"\s*\d+$", "", key) in _CHROME_KEYS:
        return True  # "Photo gallery (12)", "Comments 3"
    if len(line) < 60 and _SHORT_CHROME.match(key):
        return True  # "Back to News", "Sign up for our newsletter"
    tokens = key.split()
    if len(tokens) <= 12 and all(t in _BUTTON_WORDS for t in tokens):
        return True
    if len(line) < 400 and _COOKIE.search(line):
        return True
    if _COPYRIGHT.search(line.strip()) and len(line) < 300:
        return True
    if _TIME_OR_COUNT.match(line.strip()) and not find_dates(line[:200]):
        return True
    return is_menu(line)


def is_menu(line: str) -> bool:
    """A line of navigation: separators between short items, or mostly menu words."""
    tokens = words(line)
    if len(line) > 300 or not tokens:
        return False
    if len(_BREADCRUMB.findall(line)) >= 2 and len(tokens) <= 25 and not _SENTENCE_END.search(
            line):
        return True
    if len(tokens) >= 4:
        menu = sum(t.casefold() in _MENU_WORDS for t in tokens)
        return menu / len(tokens) >= 0.6
    return False


def is_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line[-20:])) or len(words(line[:MAX_LINE_CHARS])) >= 30


def is_related_marker(line: str) -> bool:
    """A heading over a box of related links ("Related news", "أخبار ذات صلة")."""
    key = _key(line)
    if len(key) >= 60 or re.search(r"[:：]\s*\S", line):
        return False  # "READ MORE: Another headline" is one line of chrome
    return bool(_RELATED.match(key) or _RELATED.match(line.strip()))


def content_words(text: str) -> set[str]:
    return {fold(w) for w in words(text) if len(w) > 3 and w.casefold() not in _STOP}


# --- entry point -----------------------------------------------------------------------------


def clean_input(content: str) -> str:
    """The text with stray controls, byte-order marks and NULs gone and line ends unified."""
    content = repair_c1_controls(content or "")
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    content = content.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x0b", "\n")
    content = content.replace("\f", "\n\n")
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f\ufeff\ufffe\uffff]", "", content)


def check_size(content: str, *, is_html: bool) -> None:
    limit = MAX_HTML_BYTES if is_html else MAX_PAGE_CHARS
    if len(content) > limit:
        kind = "HTML page" if is_html else "page"
        raise PageTooLarge(
            f"The {kind} is {len(content):,} characters long; the importer reads at most "
            f"{limit:,} (a press release is rarely over 50,000). Paste only the article."
        )


def looks_like_html(content: str) -> bool:
    return bool(re.search(r"<(?:html|body|p|div|article|h1|main|section)\b", content[:5000], re.I))


def read_article(content: str, *, is_html: bool | None = None, url: str = "") -> Article:
    """The article of a page.  Raises ``PageTooLarge`` above the size limits."""
    if is_html is None:
        is_html = looks_like_html(content)
    check_size(content, is_html=is_html)
    content = clean_input(content)
    meta_title = meta_source = meta_date = ""
    if is_html:
        content, meta_title, meta_source, meta_date, meta_url = _html_to_text(content, url)
        url = url or meta_url
        check_size(content, is_html=False)
    article = _read_lines(_lines(content), meta_title=meta_title)
    article.source = article.source or meta_source
    if meta_source and not article.source_evidence:
        article.source_evidence = meta_source
    article.meta_date = meta_date
    article.url = url
    text = " ".join(article.paragraphs[:5])
    arabic = len(_ARABIC.findall(text))
    article.language = "ar" if arabic > 0.3 * max(1, len(re.findall(r"[^\W\d_]", text))) else "en"
    return article


def _html_to_text(html: str, url: str) -> tuple[str, str, str, str, str]:
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False,
        include_tables=False, include_images=False, favor_recall=True,
        output_format="python", date_extraction_params={"original_date": True},
    )
    if document is None or not (getattr(document, "text", "") or "").strip():
        return _plain_html_text(html), "", "", "", ""
    text = document.text or ""
    title = _strip_site_name((getattr(document, "title", "") or "").strip(),
                             (getattr(document, "sitename", "") or "").strip())
    if title and not any(_key(line) == _key(title) for line in text.split("\n")[:8]):
        text = title + "\n\n" + text
    return (
        text.replace("\n", "\n\n"),
        title,
        (getattr(document, "sitename", "") or "").strip(),
        (getattr(document, "date", "") or "").strip(),
        (getattr(document, "url", "") or "").strip(),
    )


def _strip_site_name(title: str, site: str) -> str:
    """"Minister speaks at forum | Ministry of Foreign Affairs" -> "Minister speaks at forum"."""
    parts = re.split(r"\s+[|–—-]\s+", title)
    if len(parts) < 2:
        return title
    tail = parts[-1]
    if (site and _key(tail) == _key(site)) or _PUBLISHER_LINE.match(tail) or len(
            words(tail)) <= 4:
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    return title


def _plain_html_text(html: str) -> str:
    """Text of an HTML page trafilatura found no article in: blocks on lines of their own."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for block in tree.xpath("//p|//div|//li|//h1|//h2|//h3|//h4|//br|//tr|//section|//article"):
        block.tail = "\n\n" + (block.tail or "")
    return tree.text_content()


def _lines(text: str) -> list[str]:
    # Lines are kept whole (the body loses nothing); the rules read bounded slices of them.
    out = []
    for raw in text.split("\n"):
        line = re.sub(r"[ \t\u00a0\u2000-\u200b\u3000]+", " ", raw).strip()
        if line:
            out.append(line)
    return out


# Lines are short enough that these patterns run on bounded text (MAX_LINE_CHARS).
def _lede_index(lines: list[str], start: int = 0) -> int | None:
    for index in range(start, len(lines)):
        line = lines[index]
        count = len(words(line[:MAX_LINE_CHARS]))
        if count >= 15 and is_sentence(line) and not is_chrome(line):
            return index
    for index in range(start, len(lines)):
        if len(words(lines[index])) >= 10 and not is_chrome(lines[index]):
            return index
    return None


def _is_date_line(line: str) -> bool:
    if len(line) >= 120:
        return False  # a date line is a date and a few words
    found = find_dates(line[:200], limit=3)
    if not found:
        return False
    rest = line
    for item in found:
        rest = rest.replace(item.text, " ")
    leftover = [w for w in words(rest) if not re.fullmatch(
        r"(?:published|posted|date|on|at|am|pm|hrs|gmt|the|of|\w+day|"
        r"نشر|بتاريخ|تاريخ|النشر|الموافق|هـ|م|يوم|\w*اء|\w*ثنين|\w*ميس|\w*معة|\w*بت|\w*حد)",
        w, re.I)]
    return len(leftover) <= 3 and len(line) < 120


_PUBLISHER_LINE = re.compile(
    r"^(?:the\s+)?(?:(?:Ministry|Embassy|Permanent\s+Mission|Mission|Consulate|Office|Department|"
    r"Government|Presidency|Royal\s+Court|Federal|Foreign\s+Office|News\s+Agency|Agency)\b"
    r"(?!.*\b(?:marks|holds|hosts|says|calls|urges|welcomes|condemns|participates|"
    r"attends|launches|celebrates|receives|signs|joins|presents|takes|speaks|addresses)\b)"
    r"|(?:وزارة|سفارة|البعثة|بعثة|القنصلية|مكتب|الديوان|وكالة)\s(?!.*\s(?:تحتفل|تشارك|تستضيف|"
    r"تدين|ترحب|تقدم|تطلق|تستقبل|تؤكد|يشارك|يستقبل)(?:\s|$)))",
    re.IGNORECASE,
)


def _is_label(line: str) -> bool:
    """A section label ("Human Rights Council", "Peace and Security"): a few capitalised
    words, no verb, no lowercase content word."""
    tokens = words(line)
    if len(tokens) > 4 or _ARABIC.search(line):
        return False
    return all(t[:1].isupper() or t.casefold() in _STOP for t in tokens)


def _headline_score(line: str, lede_words: set[str], rank: int) -> float:
    """How much ``line`` looks like the headline; ``rank`` counts the candidate lines between
    it and the lede (0 for the nearest)."""
    count = len(words(line))
    if not 3 <= count <= 45 or line.rstrip().endswith((":", "：", ",", "،")) or is_chrome(line):
        return -9.0  # a salutation ("Ladies and gentlemen,") opens a speech, not a page
    if _is_date_line(line) or _BYLINE.match(line) or is_related_marker(line):
        return -9.0
    if _UPDATED.search(line) and find_dates(line[:200], limit=1):
        return -9.0  # "Published ... - Last updated ...": stamps, however many words
    if re.match(r"^[^:：]{2,25}[:：]\s*\S", line) and count <= 6:
        return -9.0  # "Font size: A A A", "Location: Geneva": a label and its value
    shared = len(content_words(line) & lede_words)
    score = 2.5 - rank * 0.8 + min(shared, 4) * 0.6
    if _SENTENCE_END.search(line):
        score -= 2.5 if count <= 25 else 4  # a standfirst or a paragraph, not a headline
    if _PUBLISHER_LINE.match(line.strip()):
        score -= 3
    if _is_label(line):
        score -= 2.5
    return score


def _read_lines(lines: list[str], *, meta_title: str) -> Article:
    article = Article()
    # A "Source:" line and "Related" lists end the article wherever they are.
    kept: list[str] = []
    for line in lines:
        meta = _META_LINE.match(line) if len(line) < 240 else None
        if meta:
            key = " ".join(meta["key"].casefold().split())
            article.meta.setdefault(key, meta["value"])
            if key in {"location", "venue", "place", "المكان", "الموقع", "مكان الانعقاد"}:
                city = meta["value"].split(",")[0].strip()
                if city_named(city):
                    article.place_city = article.place_city or city
            elif key == "delivered on":
                found = find_dates(meta["value"], limit=1)
                if found and found[0].date:
                    article.page_dates.append((found[0], line))
            elif key in {"from", "published by"}:
                article.source = article.source or re.split(r"\s+and\s+", meta["value"])[0]
                article.source_evidence = article.source_evidence or line
            continue
        source = _SOURCE_LINE.match(line)
        if source and len(line) < 200:
            article.source = article.source or source.group("source").strip(" .")
            article.source_evidence = line
            continue
        kept.append(line)
    lines = kept
    lede = _lede_index(lines)
    if lede is None:
        article.paragraphs = [line for line in lines if not is_chrome(line)]
        if meta_title:
            article.title, article.title_evidence, article.title_confidence = (
                meta_title, meta_title, 0.5)
        elif article.paragraphs:
            article.title = article.paragraphs.pop(0)
            article.title_evidence, article.title_confidence = article.title, 0.3
        return article

    lede_words = content_words(" ".join(lines[lede: lede + 2]))
    title_index = None
    if meta_title:
        for index in range(max(0, lede - 12), min(len(lines), lede + 1)):
            if _key(lines[index]) == _key(meta_title):
                title_index = index
                break
    if title_index is None:
        best, rank = 0.0, 0
        for index in range(lede - 1, max(-1, lede - 12), -1):
            line = lines[index]
            if is_chrome(line) or _is_date_line(line) or _BYLINE.match(line):
                continue
            score = _headline_score(line, lede_words, rank)
            rank += 1
            if score > best:
                best, title_index = score, index
    if title_index is not None:
        article.title = lines[title_index]
        article.title_evidence = lines[title_index]
        article.title_confidence = 0.9 if meta_title else min(0.9, 0.5 + 0.1 * len(
            content_words(article.title) & lede_words))
        article.banner = [line for line in lines[max(0, title_index - 15): title_index]
                          if not is_menu(line)]
    elif meta_title:
        article.title, article.title_evidence, article.title_confidence = (
            meta_title, meta_title, 0.6)
    head_start = (title_index + 1) if title_index is not None else lede
    if title_index is None:
        article.banner = lines[max(0, lede - 15): lede]

    # Between the headline and the lede: a standfirst (kept), dates, bylines and chrome.
    body: list[str] = []
    for line in lines[head_start:lede]:
        updated = _UPDATED.search(line)
        if updated and len(line) < 120:
            # "Published: 3 Dec 2023 - Last updated: 5 Dec 2023": the first date is the
            # page's; only the stamp after the marker is not.
            before = line[: updated.start()]
            found = find_dates(before, limit=3) if _is_date_line(before) else []
            if found:
                article.page_dates.append((_gregorian_first(found), line))
            continue
        found = find_dates(line[:300], limit=3)
        if _is_date_line(line) and found:
            # "1445/08/12 هـ - الموافق 21 فبراير 2024 م": the Gregorian date of the two.
            date = _gregorian_first(found)
            article.page_dates.append((date, line))
            article.place_city = article.place_city or _city_of_date_line(line, date)
            continue
        if is_chrome(line) or _BYLINE.match(line) or is_related_marker(line):
            continue
        if (is_sentence(line) and len(words(line)) >= 6) or _SALUTATION.match(line):
            body.append(line)

    if not article.page_dates:
        # No date between the headline and the text: one just above the headline will do.
        for line in article.banner[-4:]:
            found = find_dates(line[:300], limit=3) if _is_date_line(line) else []
            if found and not _UPDATED.search(line):
                article.page_dates.append((_gregorian_first(found), line))
    skipping = False
    for line in lines[lede:]:
        if is_related_marker(line):
            skipping = True
            continue
        if skipping:
            # A related box ends where the article's paragraphs resume.
            if len(words(line)) >= 12 and _SENTENCE_END.search(line) and not is_chrome(line):
                skipping = False
            else:
                continue
        if is_chrome(line) or _BYLINE.match(line):
            continue
        if _is_date_line(line):
            found = find_dates(line[:300], limit=3)
            if found and not _UPDATED.search(line):
                article.page_dates.append((found[0], line))
            continue
        body.append(line)
    # After the last sentence: lists of links and footers.
    while body and not is_sentence(body[-1]):
        body.pop()
    article.paragraphs = body
    if body:
        article.dateline = read_dateline(body[0])
    return article


def _gregorian_first(found: list[FoundDate]) -> FoundDate:
    """Of the dates of one line, the first Gregorian one ("1445/08/12 هـ - الموافق 21 فبراير
    2024 م" is the page's 21 February 2024), else the first."""
    return min(found, key=lambda d: d.hijri)


def _city_of_date_line(line: str, found: FoundDate) -> str:
    head = line[: line.find(found.text)] if found.text in line else ""
    head = re.sub(r"(?:\s+في)?\s*[,،\-–]?\s*$", "", head).strip()
    head = re.sub(r"^(?:published|posted|date)\s*[:：]?\s*", "", head, flags=re.I)
    if head and len(head) < 40 and city_named(head):
        return head
    return ""


# --- datelines -------------------------------------------------------------------------------

_DL_DATE = (
    r"(?:(?:\w+day,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,8}\.?|[A-Z][a-z]{2,8}\.?\s+"
    r"\d{1,2})(?:,?\s+\d{4})?|\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}/\d{4})"
)
_EN_DATELINE = re.compile(
    rf"^(?P<city>[A-Z][A-Za-z'’.\-]{{1,25}}(?:\s[A-Z][A-Za-z'’.\-]{{1,25}}){{0,2}})"
    rf"(?:,\s*(?P<region>[A-Z][A-Za-z.\-]{{1,20}}(?:\s[A-Z][A-Za-z.\-]{{1,20}})?))?"
    rf"(?:,?\s+(?P<date>{_DL_DATE}))?"
    r"(?:\s*\((?P<agency>[^()]{2,40})\)|\s*/\s*(?P<agency2>[^/]{2,40}?)\s*/|"
    r",\s*(?P<agency3>[A-Z]{2,8})(?=\s*(?:--|[-–—])))?"
    r"\s*(?P<sep>--|[-–—:])\s*"
)
# "Doha / Information Office / The State of ...": city and desk between slashes.
_EN_SLASH_DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Za-z'’.\-]{1,25}(?:\s[A-Z][A-Za-z'’.\-]{1,25}){0,2})\s*/\s*"
    r"(?P<agency2>[^/]{2,40}?)\s*/\s*"
)
_AR_DATELINE = re.compile(
    r"^(?P<city>[\u0621-\u064a]{2,20}(?:\s[\u0621-\u064a]{2,20})?)\s*[،,]?\s*(?:في\s+)?"
    r"(?P<date>[\d٠-٩]{1,2}\s+[\u0621-\u064a]{3,8}(?:\s+[\u0621-\u064a]{3,8})?(?:\s+[\d٠-٩]{4})?)?"
    r"\s*(?:/(?P<agency>[^/]{2,30})/|\((?P<agency2>[^()]{2,30})\)|[-–—]\s*(?P<agency3>"
    r"[\u0621-\u064a]{2,10})\s*[:：])?\s*(?P<sep>--|[-–—:]|\s)?\s*"
)


def read_dateline(line: str) -> Dateline:
    """"DOHA, Dec. 5 (QNA) --", "Geneva, 12 March 2024 –", "الدوحة في 5 ديسمبر /قنا/"."""
    head = line[:220]
    match = _EN_DATELINE.match(head)
    slash = _EN_SLASH_DATELINE.match(head)
    if match or slash:
        groups = (match or slash).groupdict()
        match = match or slash
        city_text = match["city"]
        has_marker = groups.get("date") or groups.get("agency") or groups.get(
            "agency2") or groups.get("agency3")
        shouting = city_text.isupper() and len(city_text) > 2
        city = city_named(city_text.title() if shouting else city_text)
        if city and (has_marker or shouting) and len(match.group()) < 120:
            dates = find_dates(groups.get("date") or "", limit=1)
            agency = (groups.get("agency") or groups.get("agency2") or groups.get("agency3")
                      or "").strip()
            in_brackets = find_dates(agency, limit=1)
            if in_brackets:  # "GENEVA (12 March 2024) –": a date in the brackets
                dates, agency = in_brackets, ""
            if re.search(r"\b(?:Office|Ministry|Department|Desk|Section)\b", agency):
                agency = ""  # "Doha / Information Office /": the ministry's own desk
            return Dateline(
                city=(city_text.title() if shouting else city_text).strip(),
                agency=agency,
                date=dates[0] if dates else None, text=match.group().strip(),
            )
    match = _AR_DATELINE.match(head)
    if match and (match["date"] or match["agency"] or match["agency2"] or match["agency3"]):
        city = city_named(match["city"].split()[0]) or city_named(match["city"])
        if city:
            dates = find_dates(match["date"] or "", limit=1)
            surface = match["city"] if city_named(match["city"]) else match["city"].split()[0]
            return Dateline(
                city=surface,
                agency=(match["agency"] or match["agency2"] or match["agency3"] or "").strip(),
                date=dates[0] if dates else None, text=match.group().strip(),
            )
    return Dateline()
