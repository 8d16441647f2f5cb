"""``EMAIL_URL``: where the site's mail goes, as one address (read by settings.py).

* ``console:`` (the default): each message is printed on standard output, nothing is sent.
* ``smtp://[user:password@]host[:port]``: plain SMTP (port 25 unless given).
* ``smtp+tls://...`` or ``submission://...``: SMTP with STARTTLS (port 587 unless given).
* ``smtps://...``: SMTP over TLS from the first byte (port 465 unless given).
* ``file:///path/to/folder``: each message written to a file there.
* ``locmem:``: kept in ``django.core.mail.outbox`` (tests).

A user name or password holding ``@``, ``:`` or ``/`` is percent-encoded in the address.
``?timeout=N`` sets the SMTP timeout in seconds (10 unless given).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "submission": (587, True, False),
    "smtps": (465, False, True),
}


def email_settings(url: str) -> dict:
    """The ``EMAIL_*`` settings ``url`` stands for; ImproperlyConfigured when it is not one."""
    url = (url or "console:").strip()
    scheme = url.partition(":")[0].lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        path = unquote(urlsplit(url).path)
        if not path:
            raise ImproperlyConfigured("EMAIL_URL file:///path needs a folder.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": path,
        }
    if scheme not in _SMTP_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL {url.split('@')[-1]!r} is not understood: use console:, "
            "smtp://host:port, smtp+tls://user:password@host:587, smtps://host:465, "
            "file:///folder or locmem:."
        )
    parts = urlsplit(url)
    default_port, starttls, ssl = _SMTP_SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {exc}") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL smtp://host:port needs a host.")
    options = parse_qs(parts.query)
    try:
        timeout = float(options.get("timeout", ["10"])[0])
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL ?timeout= must be a number of seconds.") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": timeout,
    }
