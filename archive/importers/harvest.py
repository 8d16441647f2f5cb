"""Where ``manage.py harvest`` finds pages: a folder, a ZIP, a WARC file, or a site's RSS/Atom
feed or sitemap (a file or an address).  Each source yields ``HarvestedPage`` objects; a page
that cannot be read is yielded as a ``SkippedPage`` with the reason, so the report can say
why and the harvest goes on.
"""

from __future__ import annotations

import datetime
import email.utils
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .fetch import FetchError, decode, fetch_page

__all__ = ["HarvestedPage", "SkippedPage", "pages_from", "MAX_PAGES"]

PAGE_SUFFIXES = (".html", ".htm", ".txt", ".xhtml")
MAX_MEMBER_BYTES = 5 * 1024 * 1024
MAX_PAGES = 5_000


@dataclass
class HarvestedPage:
    origin: str  # where it came from: a path, a ZIP member, a WARC record, an address
    source_url: str
    content: str
    is_html: bool
    published_on: datetime.date | None = None


@dataclass
class SkippedPage:
    origin: str
    reason: str


def pages_from(target: str, *, limit: int = MAX_PAGES) -> Iterator[HarvestedPage | SkippedPage]:
    """The pages of ``target``: a folder, a .zip, a .warc/.warc.gz, a feed or sitemap file,
    or an http(s) address of a page, feed or sitemap."""
    count = 0
    for item in _dispatch(target):
        yield item
        if isinstance(item, HarvestedPage):
            count += 1
            if count >= limit:
                return


def _dispatch(target: str):
    if target.startswith(("http://", "https://")):
        try:
            page = fetch_page(target)
        except FetchError as exc:
            yield SkippedPage(target, str(exc))
            return
        if page.is_xml or _looks_like_feed(page.text):
            yield from _from_feed(page.text, origin=page.url)
        else:
            yield HarvestedPage(page.url, page.url, page.text, page.is_html)
        return
    path = Path(target)
    if path.is_dir():
        yield from _from_folder(path)
    elif not path.is_file():
        yield SkippedPage(target, "no such file or folder")
    elif path.suffix.lower() == ".zip":
        yield from _from_zip(path)
    elif path.name.lower().endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        yield from _from_warc(path)
    elif path.suffix.lower() in {".xml", ".rss", ".atom"}:
        yield from _from_feed(path.read_bytes().decode("utf-8", "replace"), origin=str(path))
    elif path.suffix.lower() in PAGE_SUFFIXES:
        yield _read_file(path, path.read_bytes())
    else:
        yield SkippedPage(target, "not a folder, .zip, .warc, feed, sitemap or page")


def _read_file(origin, raw: bytes) -> HarvestedPage | SkippedPage:
    if len(raw) > MAX_MEMBER_BYTES:
        return SkippedPage(str(origin), f"larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
    name = str(origin).lower()
    text = decode(raw)
    return HarvestedPage(str(origin), _canonical_url(text), text,
                         name.endswith((".html", ".htm", ".xhtml")))


def _from_folder(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in PAGE_SUFFIXES:
            yield _read_file(path, path.read_bytes())


def _from_zip(path: Path):
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        yield SkippedPage(str(path), "not a readable ZIP file")
        return
    with archive:
        for info in archive.infolist():
            origin = f"{path}!{info.filename}"
            if info.is_dir() or not info.filename.lower().endswith(PAGE_SUFFIXES):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                yield SkippedPage(origin, f"larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB")
                continue
            yield _read_file(origin, archive.read(info))


def _from_warc(path: Path):
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as stream:
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                origin = f"{path}#{url}"
                headers = record.http_headers
                status = headers.get_statuscode() if headers else "200"
                content_type = (headers.get_header("Content-Type") or "") if headers else ""
                if status != "200":
                    yield SkippedPage(origin, f"the archived answer was {status}")
                    continue
                if content_type and not any(t in content_type for t in ("html", "text/plain")):
                    continue  # images, scripts and styles of the archived site
                raw = record.content_stream().read(MAX_MEMBER_BYTES + 1)
                if len(raw) > MAX_MEMBER_BYTES:
                    yield SkippedPage(origin, "larger than 5 MB")
                    continue
                text = decode(raw, content_type.lower())
                yield HarvestedPage(origin, url if url.startswith("http") else "", text,
                                    "html" in content_type or "<html" in text[:2000].lower())
        except ArchiveLoadFailed as exc:
            yield SkippedPage(str(path), f"not a readable WARC file ({exc})")


def _looks_like_feed(text: str) -> bool:
    head = text[:2000].lower()
    return "<rss" in head or "<feed" in head or "<urlset" in head or "<sitemapindex" in head


def _parse_xml(text: str):
    from lxml import etree

    # No entities, no network, no huge trees: a feed is data, not a program.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=True)
    return etree.fromstring(text.encode("utf-8"), parser=parser)


def _from_feed(text: str, *, origin: str, depth: int = 0):
    """RSS items, Atom entries and sitemap locations, fetched one by one."""
    try:
        root = _parse_xml(text)
    except Exception as exc:  # lxml raises several kinds on broken input
        yield SkippedPage(origin, f"not a readable feed or sitemap ({exc})")
        return
    if root is None:
        yield SkippedPage(origin, "not a readable feed or sitemap")
        return
    entries: list[tuple[str, datetime.date | None]] = []
    tag = _local(root.tag)
    if tag == "sitemapindex" and depth == 0:
        for loc in root.iter("{*}loc"):
            url = (loc.text or "").strip()
            try:
                yield from _from_feed(fetch_page(url).text, origin=url, depth=1)
            except FetchError as exc:
                yield SkippedPage(url, str(exc))
        return
    for element in root.iter():
        name = _local(element.tag) if isinstance(element.tag, str) else ""
        if name == "item":  # RSS
            link = element.find("link")
            date = element.find("pubDate")
            entries.append(((link.text or "").strip() if link is not None else "",
                            _date(date.text if date is not None else "")))
        elif name == "entry":  # Atom
            link = next((el for el in element.iter("{*}link")
                         if el.get("rel", "alternate") == "alternate"), None)
            date = element.find("{*}published")
            if date is None:
                date = element.find("{*}updated")
            entries.append(((link.get("href") or "").strip() if link is not None else "",
                            _date(date.text if date is not None else "")))
        elif name == "url":  # sitemap
            loc = element.find("{*}loc")
            modified = element.find("{*}lastmod")
            entries.append(((loc.text or "").strip() if loc is not None else "",
                            _date(modified.text if modified is not None else "")))
    if not entries:
        yield SkippedPage(origin, "the feed or sitemap lists no pages")
        return
    for url, published in entries:
        if not url:
            yield SkippedPage(origin, "an entry without an address")
            continue
        try:
            page = fetch_page(url)
        except FetchError as exc:
            yield SkippedPage(url, str(exc))
            continue
        yield HarvestedPage(url, page.url, page.text, page.is_html, published)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _date(text: str | None) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _canonical_url(text: str) -> str:
    """A saved page's own address (<link rel="canonical">, og:url), if it gives one."""
    import re

    head = text[:20000]
    for pattern in (r"<link[^>]{0,200}rel=[\"']canonical[\"'][^>]{0,200}href=[\"']([^\"']+)",
                    r"<link[^>]{0,200}href=[\"']([^\"']+)[\"'][^>]{0,200}rel=[\"']canonical",
                    r"<meta[^>]{0,200}property=[\"']og:url[\"'][^>]{0,200}content=[\"']([^\"']+)"):
        match = re.search(pattern, head, re.I)
        if match and match.group(1).startswith(("http://", "https://")):
            return match.group(1)[:1000]
    return ""
