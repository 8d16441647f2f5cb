"""Fetching a page by its address, for the admin import and ``harvest``.

Only http and https; a timeout on connecting and reading; at most ``MAX_FETCH_BYTES`` read;
HTML, XHTML, XML feeds and plain text only.  Every failure is a ``FetchError`` whose message
says what went wrong (the network is off, the server answered 404, the page is too big...),
never a traceback for the editor.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

__all__ = ["FetchError", "FetchedPage", "fetch_page", "MAX_FETCH_BYTES", "check_url"]

MAX_FETCH_BYTES = 5 * 1024 * 1024
TIMEOUT_SECONDS = 15
ALLOWED_SCHEMES = ("http", "https")
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml",
               "text/xml", "application/rss+xml", "application/atom+xml")
USER_AGENT = "DiplomaticStatementsArchive/1.0 (+intake; an editor's request)"


class FetchError(Exception):
    """A page could not be fetched; the message is meant for the editor."""


@dataclass
class FetchedPage:
    url: str  # after redirects
    text: str
    content_type: str

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type

    @property
    def is_xml(self) -> bool:
        return "xml" in self.content_type and "html" not in self.content_type


def check_url(url: str) -> str:
    """The address, stripped, if its scheme is allowed, it names a host, and that host is
    public (unless ``ARCHIVE_INTAKE_ALLOW_PRIVATE_HOSTS``)."""
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchError(f"Only http and https addresses can be imported (not “{url[:80]}”).")
    if not parts.hostname:
        raise FetchError(f"“{url[:80]}” names no host.")
    if not _private_hosts_allowed():
        _refuse_private(parts.hostname, url)
    return url


def _private_hosts_allowed() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "ARCHIVE_INTAKE_ALLOW_PRIVATE_HOSTS", False))


def _refuse_private(host: str, url: str) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"The host of {url} could not be found: the network may be off, "
                         "or the address is wrong.") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved \
                or ip.is_multicast or ip.is_unspecified:
            raise FetchError(f"{url} is on a private or local address ({ip}); pages are "
                             "fetched from public addresses only.")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Each redirect is checked like the first address before it is followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects)


def fetch_page(url: str, *, timeout: float = TIMEOUT_SECONDS,
               max_bytes: int = MAX_FETCH_BYTES) -> FetchedPage:
    url = check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "text/html,application/xhtml+xml,"
                                                   "application/xml;q=0.9,text/plain;q=0.8"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            final = response.geturl()
            content_type = (response.headers.get("Content-Type") or "").lower()
            kind = content_type.split(";")[0].strip()
            if kind and kind not in _TEXT_TYPES:
                raise FetchError(f"{url} is not a web page ({kind}); the importer reads HTML "
                                 "and text.")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(_too_big(url, max_bytes))
            raw = response.read(max_bytes + 1)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered {exc.code} {exc.reason}.") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"{url} did not answer within {timeout:g} s.") from None
        if isinstance(reason, socket.gaierror):
            raise FetchError(f"The host of {url} could not be found: the network may be off, "
                             "or the address is wrong.") from None
        raise FetchError(f"{url} could not be reached ({reason}): the network may be off.") \
            from None
    except TimeoutError:
        raise FetchError(f"{url} did not answer within {timeout:g} s.") from None
    except (ConnectionError, OSError, ValueError) as exc:
        raise FetchError(f"{url} could not be read ({exc}).") from None
    if len(raw) > max_bytes:
        raise FetchError(_too_big(url, max_bytes))
    if not raw.strip():
        raise FetchError(f"{url} is empty.")
    return FetchedPage(final, decode(raw, content_type), kind or _sniff(raw))


def _too_big(url: str, max_bytes: int) -> str:
    return (f"{url} is larger than {max_bytes // (1024 * 1024)} MB; the importer reads pages "
            "up to that.")


def decode(raw: bytes, content_type: str = "") -> str:
    """Bytes of a page as text: the declared charset, else UTF-8, else Windows-1252."""
    charset = ""
    match = re.search(r"charset=([\w\-]+)", content_type)
    if match:
        charset = match.group(1)
    else:
        meta = re.search(rb"<meta[^>]{0,200}charset=[\"']?([\w\-]+)", raw[:4096], re.I)
        if meta:
            charset = meta.group(1).decode("ascii", "ignore")
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return raw.decode(candidate).replace("\ufeff", "")
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("cp1252", errors="replace")


def _sniff(raw: bytes) -> str:
    head = raw[:2048].lstrip().lower()
    if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<urlset" in head:
        return "application/xml"
    if b"<html" in head or b"<!doctype html" in head or b"<body" in head:
        return "text/html"
    return "text/plain"
