"""Settings for the Diplomatic Statements Archive.

Everything that differs between a laptop, CI and a server comes from the environment; the
defaults are the embedded ones (SQLite and a Whoosh folder under ``var/``).  Without
``DJANGO_DEBUG`` the site is in production mode and refuses to start without a secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ARCHIVE_VAR_DIR", BASE_DIR / "var"))
# SQLite cannot create its file in a missing folder; a fresh clone has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production mode (DJANGO_DEBUG unset) needs a secret "
            "key; for local development run `make run`, or set DJANGO_DEBUG=1."
        )
    # Development only: a fixed, obviously unsafe key so sessions survive restarts.
    SECRET_KEY = "dev-only-insecure-key-not-for-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin with the archive's own site (archive/admin_site.py).
    "archive.admin_site.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # search before haystack: its rebuild_index/update_index replace haystack's commands.
    "search",
    "haystack",
    "archive",
    "research",
    "django.contrib.sitemaps", "rest_framework", "drf_spectacular", "api",
    # Agreed language (passages statements share) and email alerts of new statements.
    "reuse", "alerts",
    # Edit history of the archive's records, admin login throttling, CSP system checks.
    "simple_history", "axes", "csp",
    # The deployment's own system checks, and the cache table created by migrate.
    "config.apps.SiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the header middleware (so its pages carry them), outside everything that may
    # touch the database, the body or the cache (see config/middleware.py).
    # The interface language comes from the address (/ar/... is Arabic; everything without
    # a prefix is English), and is set before any middleware that may answer with a page of
    # its own (503, 400, 413, 429), so those pages speak the language of the address too.
    # It reads no cookie or session for unprefixed addresses (prefix_default_language=False).
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.middleware.QueryCharactersMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "config.middleware.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After sessions and authentication (it asks whether the visitor is staff), before any
    # view reads: where this request's reads go (config/db_router.py).
    "config.db_router.ReadRoutingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _postgres_timeouts(database: dict, connect_env: str = "DATABASE_CONNECT_TIMEOUT") -> None:
    """A database that accepts connections and never answers, or a query that never ends,
    must end in the 503 page (config/middleware.py) within seconds, before gunicorn's 30 s
    timeout kills the worker.  Seconds; 0 switches either off (e.g. a maintenance command)."""
    options = database.setdefault("OPTIONS", {})
    connect = int(float(os.environ.get(connect_env)
                        or os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
    if connect > 0:
        options.setdefault("connect_timeout", max(connect, 2))  # libpq's minimum is 2
    statement_ms = int(float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "15")) * 1000)
    if statement_ms > 0:
        options["options"] = " ".join(
            filter(None, [options.get("options", ""), f"-c statement_timeout={statement_ms}"])
        )


DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'archive.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the web server) work while the index worker or an import writes.
    # IMMEDIATE: a transaction takes the write lock when it begins, so a second writer waits
    # (up to "timeout") instead of failing at once with "database is locked" when its read
    # snapshot cannot be upgraded (tests/test_concurrency.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
    # Writers take turns through a file lock instead of SQLite's sleeping retries.
    DATABASES["default"]["ENGINE"] = "config.sqlite_backend"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _postgres_timeouts(DATABASES["default"])

# Read replicas (streaming standbys of the primary), one alias each: replica_1, replica_2 ...
# Public pages and search read from a healthy one; writes, the admin and an editor's own
# reads stay on the primary (config/db_router.py).  Each has the primary's options; in tests
# it mirrors the test database, since Django cannot create a test database on a standby.
DATABASE_READ_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = dj_database_url.parse(
        _url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS entry {_number} is not a postgres:// URL: replicas are "
            "PostgreSQL streaming standbys of the primary."
        )
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS is set but DATABASE_URL is not PostgreSQL: replicas copy a "
            "PostgreSQL primary."
        )
    _postgres_timeouts(_replica, connect_env="DATABASE_REPLICA_CONNECT_TIMEOUT")
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_READ_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
# A replica further behind than this (seconds) serves no reads until it catches up; each
# replica's state is measured again after DATABASE_REPLICA_CHECK_S seconds (per process).
DATABASE_REPLICA_MAX_LAG_S = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_S", "5"))
DATABASE_REPLICA_CHECK_S = float(os.environ.get("DATABASE_REPLICA_CHECK_S", "5"))
# After a save, that browser reads from the primary for this long (seconds): longer than any
# lag a replica may have and still serve.
DATABASE_PRIMARY_PIN_S = int(
    os.environ.get("DATABASE_PRIMARY_PIN_S", str(int(DATABASE_REPLICA_MAX_LAG_S) + 10))
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out username+address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface languages.  English is the default and has no prefix in addresses; Arabic
# pages live under /ar/ (config/urls.py).  Our English strings are the source text, so only
# Arabic has a catalogue (locale/ar/LC_MESSAGES; `make messages` refreshes it).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English keeps the British date and number formats it always had (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The admin lives at a configurable path so that it is not where every scanner looks first.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# Search: the engine is chosen by SEARCH_URL (see search/engine/config.py and the README).
SEARCH_URL = os.environ.get("SEARCH_URL", f"whoosh:{VAR_DIR / 'whoosh'}")
from search.engine.config import haystack_connections  # noqa: E402  (needs SEARCH_URL above)

HAYSTACK_CONNECTIONS = haystack_connections(
    SEARCH_URL, database_engine=DATABASES["default"]["ENGINE"]
)
if HAYSTACK_CONNECTIONS["default"].get("DATABASE_URL"):
    # SEARCH_URL=postgres://...: the search tables live in a database of their own; the
    # search app's router (search/routers.py) sends their reads and writes there.
    DATABASES[HAYSTACK_CONNECTIONS["default"]["DATABASE"]] = dj_database_url.parse(
        HAYSTACK_CONNECTIONS["default"]["DATABASE_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASE_ROUTERS = [*globals().get("DATABASE_ROUTERS", []), "search.routers.SearchRouter"]
# Indexing goes through the durable queue and the single index worker, never through
# haystack's signal processors (see search/freshness.py).
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20
# rebuild_index: processes to build with (0: one per core) and the postings each one holds in
# memory before it writes a segment (search/engine/whoosh/bulk.py); together they bound the
# rebuild's memory.
SEARCH_REBUILD_PROCESSES = int(os.environ.get("SEARCH_REBUILD_PROCESSES", "0"))
SEARCH_REBUILD_SEGMENT_MB = int(os.environ.get("SEARCH_REBUILD_SEGMENT_MB", "48"))
# The longest query (in characters) the search page, the API, the feeds and the exports read
# (longer text is cut, with a notice): one number, defined with the query language.
from search import parsing as _query_language  # noqa: E402

SEARCH_QUERY_MAX_CHARS = _query_language.MAX_QUERY_CHARS

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # axes.apps announces itself at INFO on every start, management commands included.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes.apps": {"level": "WARNING"}},
}

# Production hardening, consistent by default: production is HTTPS only (the redirect, HSTS,
# secure cookies); DJANGO_SSL_REDIRECT=0 alone makes a plain-HTTP site (a private network),
# and each setting can still be switched on its own.  Behind a TLS-terminating proxy keep the
# redirect on and set DJANGO_BEHIND_PROXY=1: Django then reads X-Forwarded-Proto, sees HTTPS
# and never redirects, while a request that reached it over plain HTTP is sent to HTTPS.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if SECURE_SSL_REDIRECT else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds the whole domain and its subdomains to HTTPS
# for months: the domain owner's decision, taken with DJANGO_HSTS_PRELOAD=1, so its absence
# is not a deployment warning.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A body larger than this is refused with 413 before anything reads it (uploads included).
MAX_REQUEST_BYTES = int(os.environ.get("DJANGO_MAX_REQUEST_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = min(MAX_REQUEST_BYTES, 2_621_440)  # larger uploads spool to disk
# Behind N reverse proxies the client is the Nth address from the right of X-Forwarded-For
# (each proxy appends the address it saw); without a proxy, REMOTE_ADDR.  Rate limits, the
# admin login lockout and the API throttle all count per this address.
CLIENT_PROXY_COUNT = int(
    os.environ.get("DJANGO_PROXY_COUNT", "1" if env_bool("DJANGO_BEHIND_PROXY") else "0")
)

# No inline script or style anywhere (the admin included): injected markup cannot run.
# JSON-LD blocks are data, not scripts, and are not affected.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Rate limits and the API throttle are counted in the default cache, so it must be shared by
# every worker process: a per-process cache (locmem://) gives each gunicorn worker its own
# budget, and two workers double every limit.  The default is a table in the database
# (created by migrate); Redis (CACHE_URL=redis://...) is faster when there is one.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
CACHE_TABLE = "archive_cache"
if CACHE_URL in ("", "db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Past this many live entries a third are dropped, counts included; rate-limit
            # entries live a minute, so this is ten thousand addresses at once.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("file://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_URL.removeprefix("file://"),
        }
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL {CACHE_URL!r} is not understood: use db:// (the default), "
        "redis://host:6379/0, file:///path/to/folder or locmem:// (one count per process)."
    )

# Requests per client address (N/s, N/m, N/h or N/d; "off" for none) to the pages that
# cost a search each time.  The JSON API, the exports and the search feed share the API's
# throttle instead (ARCHIVE_API_THROTTLE_RATE), counted per the same address.
ARCHIVE_RATE_LIMITS = {
    "search": os.environ.get("ARCHIVE_RATE_LIMIT_SEARCH", "60/m"),
    "autocomplete": os.environ.get("ARCHIVE_RATE_LIMIT_AUTOCOMPLETE", "300/m"),
    # Each statement page asks for its related statements once, in the background.
    "related": os.environ.get("ARCHIVE_RATE_LIMIT_RELATED", "120/m"),
    # Each subscription sends a confirmation mail: few per address, so that nobody can fill
    # someone else's mailbox from one place.
    "alerts": os.environ.get("ARCHIVE_RATE_LIMIT_ALERTS", "10/h"),
}

# Mail (alerts): EMAIL_URL says where it goes (config/email.py; printed on the console
# unless set).  Links in mail sent by `manage.py send_alerts` (no request to read the host
# from) start with ARCHIVE_SITE_URL, e.g. https://archive.example.org.
from .email import email_settings  # noqa: E402

globals().update(email_settings(os.environ.get("EMAIL_URL", "console:")))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "archive@localhost")
ARCHIVE_SITE_URL = os.environ.get("ARCHIVE_SITE_URL", "").rstrip("/")

# Agreed language (reuse/): the shortest passage, in words, that counts as shared, and when
# a run of words is boilerplate (found in more than the larger of MIN statements and SHARE of
# all published statements) rather than reuse.  See reuse/shingles.py.
ARCHIVE_REUSE_MIN_WORDS = int(os.environ.get("ARCHIVE_REUSE_MIN_WORDS", "12"))
ARCHIVE_REUSE_BOILERPLATE_MIN = int(os.environ.get("ARCHIVE_REUSE_BOILERPLATE_MIN", "10"))
ARCHIVE_REUSE_BOILERPLATE_SHARE = float(
    os.environ.get("ARCHIVE_REUSE_BOILERPLATE_SHARE", "0.005")
)

# Importing a page by its address (admin import, import_page --url, harvest) refuses
# loopback, private and link-local addresses, so an editor's request cannot reach services
# inside the network; set to 1 where pages are served from such addresses on purpose.
ARCHIVE_INTAKE_ALLOW_PRIVATE_HOSTS = env_bool("ARCHIVE_INTAKE_ALLOW_PRIVATE_HOSTS")

# Admin login: after this many failed attempts for one username from one address, that pair
# is locked out for the cool-off time (a page says when to try again); after
# ARCHIVE_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the usernames, the
# address is (one password tried on every username).  See config/login_lockout.py.
AXES_FAILURE_LIMIT = int(os.environ.get("ARCHIVE_LOGIN_FAILURE_LIMIT", "5"))
ARCHIVE_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("ARCHIVE_LOGIN_ADDRESS_FAILURE_LIMIT", "20")
)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ARCHIVE_LOGIN_COOLOFF_MINUTES", "15")))
# The order matters: config.login_lockout reads the pair first, then the address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "config.login_lockout.LoginLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "config.middleware.login_lockout_response"

# The read-only JSON API (api/): public, anonymous, throttled per client address.
API_THROTTLE_RATE = os.environ.get("ARCHIVE_API_THROTTLE_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.views.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": CLIENT_PROXY_COUNT,  # the same client address as the rate limits
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diplomatic Statements Archive API",
    "DESCRIPTION": "Read-only access to the archive's published statements.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatementKindEnum": "archive.models.Kind",
        "EventKindEnum": "archive.models.EventKind",
    },
}
