"""Settings shared by every environment.

Everything that differs between a laptop and production comes from environment
variables; ``local``, ``test`` and ``production`` only change defaults.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-key-only-for-development")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "guardian",
    "django_q",
    "django_ratelimit",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "routing",
    "complaints",
    "officers",
    "transparency",
    "open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages compress about sevenfold (the filter lists are long). Django pads the
    # compressed length at random against BREACH; static files come precompressed.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page (not on static files, served above):
    # above the page cache, so a cached page gets the header of the current policy.
    "csp.middleware.CSPMiddleware",
    # Above the session, CSRF and messages middleware: it sees their cookies.
    "transparency.caching.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Officers' sessions end after WARGA_OFFICER_SESSION_SECONDS of idleness.
    "officers.middleware.OfficerSessionExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by django-axes into the lockout page.
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
                "transparency.context_processors.portal",
            ],
        },
    },
]

# The embedded default is a SQLite file beside the code; production sets
# DATABASE_URL=postgres://... (see README).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web + worker) share one file: wait for the lock instead of
    # failing, and take the write lock at BEGIN so a transaction never has to
    # upgrade a read lock (the classic "database is locked" error).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A read replica of the primary (PostgreSQL streaming replication): the public
# portal's anonymous reads go there, everything else to "default" (see
# config/routers.py and config/replica.py; docs/deployment.md). Without it there is
# no "replica" alias at all and every query goes to "default".
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL", "")
# After a POST, the same browser reads from the primary for this many seconds
# (longer than the replication lag), so that it sees what it just did.
WARGA_REPLICA_PIN_SECONDS = env_int("WARGA_REPLICA_PIN_SECONDS", 15)
DATABASE_ROUTERS: list[str] = []
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # Tests never create a second database: the replica alias reads the test one.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.replica.ReplicaReadsMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a login while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS + "UserAttributeSimilarityValidator"},
    {"NAME": _VALIDATORS + "MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": _VALIDATORS + "CommonPasswordValidator"},
    {"NAME": _VALIDATORS + "NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "transparency:home"
LOGOUT_REDIRECT_URL = "transparency:home"

# Cookies: never readable by scripts, not sent on cross-site requests other than a
# top-level link (an emailed sign-in link still finds its session); production
# adds Secure.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Citizens stay signed in for two weeks; an officer's (or supervisor's) session ends
# after this many seconds without a request (officers/middleware.py).
WARGA_OFFICER_SESSION_SECONDS = env_int("WARGA_OFFICER_SESSION_SECONDS", 8 * 3600)

# django-axes: after WARGA_LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused for WARGA_LOGIN_LOCKOUT_MINUTES (each
# further try during the lock starts the wait again), on /akun/masuk/ and
# /admin/login/ alike. Counted in the shared cache (Redis with REDIS_URL), so every
# web node sees the same count. API tokens and Open311 keys are not passwords:
# they are not counted. Guessing many usernames from one address is slowed by the
# login limit per IP (WARGA_RATE_LOGINS_PER_IP) instead.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = env_int("WARGA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WARGA_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "transparency.ratelimits.client_ip"
AXES_LOCKOUT_CALLABLE = "transparency.views.accounts.locked_out"
# The attempt tables in the admin stay empty with the cache handler: not shown.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Photos on S3-compatible object storage (django-storages) instead of MEDIA_ROOT,
# so that every web node and worker sees the same files. The stored photos are
# re-encoded JPEGs without metadata under unguessable names, and the portal shows
# them to anyone: behind a CDN (WARGA_MEDIA_CDN_DOMAIN) the URLs are plain and
# cacheable; without one they are signed for WARGA_S3_URL_EXPIRE seconds, so the
# bucket itself can stay private. No ACL is sent: the bucket's policy decides.
WARGA_S3_BUCKET = env_str("WARGA_S3_BUCKET", "")
if WARGA_S3_BUCKET:
    _cdn_domain = env_str("WARGA_MEDIA_CDN_DOMAIN", "")
    _s3_options = {
        "bucket_name": WARGA_S3_BUCKET,
        "endpoint_url": env_str("WARGA_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("WARGA_S3_REGION", "") or None,
        "addressing_style": env_str("WARGA_S3_ADDRESSING_STYLE", "") or None,
        "custom_domain": _cdn_domain or None,
        "querystring_auth": env_bool("WARGA_S3_QUERYSTRING_AUTH", not _cdn_domain),
        "querystring_expire": env_int("WARGA_S3_URL_EXPIRE", 3600),
        "default_acl": None,
        # Like FileSystemStorage: a name already taken gets a suffix, never
        # overwritten (names are random, so this costs one HEAD and never hits).
        "file_overwrite": False,
        "object_parameters": {"CacheControl": "public, max-age=86400"},
    }
    # Without these two, boto3 finds credentials itself (AWS_* variables, the
    # machine's instance role).
    if env_str("WARGA_S3_ACCESS_KEY_ID", ""):
        _s3_options["access_key"] = env_str("WARGA_S3_ACCESS_KEY_ID")
        _s3_options["secret_key"] = env_str("WARGA_S3_SECRET_ACCESS_KEY")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": _s3_options,
    }
# Serve uploaded photos from Django itself (with safe headers). Off when a web
# server or object storage serves them (always with WARGA_S3_BUCKET: there are no
# local files then).
WARGA_SERVE_MEDIA = env_bool("WARGA_SERVE_MEDIA", True) and not WARGA_S3_BUCKET
# Request bodies: up to WARGA_MAX_PHOTOS photos of WARGA_MAX_PHOTO_BYTES each, plus
# text. Text fields above DATA_UPLOAD_MAX_MEMORY_SIZE are refused by Django; files
# are cut at the photo limit by complaints.uploads (then refused as too large); the
# proxy in front should cap the whole body too (see README).
WARGA_MAX_PHOTOS = env_int("WARGA_MAX_PHOTOS", 5)
WARGA_MAX_PHOTO_BYTES = env_int("WARGA_MAX_PHOTO_BYTES", 12 * 1024 * 1024)
WARGA_MAX_PHOTO_PIXELS = env_int("WARGA_MAX_PHOTO_PIXELS", 50_000_000)
WARGA_PHOTO_MAX_EDGE = env_int("WARGA_PHOTO_MAX_EDGE", 1600)
WARGA_THUMBNAIL_EDGE = env_int("WARGA_THUMBNAIL_EDGE", 480)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = WARGA_MAX_PHOTOS + 5
FILE_UPLOAD_HANDLERS = [
    "complaints.uploads.PhotoSizeCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Citizens may dispute a completion for this many days; after it the report closes
# by itself. Past WARGA_MAX_DISPUTES disputes a supervisor decides.
WARGA_DISPUTE_WINDOW_DAYS = env_int("WARGA_DISPUTE_WINDOW_DAYS", 7)
WARGA_MAX_DISPUTES = env_int("WARGA_MAX_DISPUTES", 2)

# SLA ladder: a report past a deadline warns its unit; every further
# WARGA_ESCALATE_AFTER_HOURS it escalates one unit up (kelurahan -> kecamatan ->
# kota; suku dinas -> dinas), at most WARGA_ESCALATION_LEVELS rungs.
WARGA_ESCALATE_AFTER_HOURS = env_int("WARGA_ESCALATE_AFTER_HOURS", 24)
WARGA_ESCALATION_LEVELS = env_int("WARGA_ESCALATION_LEVELS", 2)
# "Untouched" in the monitoring room: waiting for the unit longer than this.
WARGA_UNTOUCHED_HOURS = env_int("WARGA_UNTOUCHED_HOURS", 24)
# Completed reports drawn for a supervisor's audit, per unit and month.
WARGA_AUDIT_SAMPLE_SIZE = env_int("WARGA_AUDIT_SAMPLE_SIZE", 5)

# How far (in metres) outside every simplified kelurahan polygon a point may fall
# and still be taken as inside Jakarta (the polygons leave thin gaps).
WARGA_NEAREST_AREA_METRES = env_int("WARGA_NEAREST_AREA_METRES", 500)
# "Fewer twins": open reports of the same category this close (in metres) are
# offered to a citizen before filing, and to officers as likely duplicates.
WARGA_TWIN_RADIUS_METRES = env_int("WARGA_TWIN_RADIUS_METRES", 150)
WARGA_TICKET_PREFIX = env_str("WARGA_TICKET_PREFIX", "JKT")
WARGA_MAP_TILE_URL = env_str(
    "WARGA_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
WARGA_MAP_TILE_ATTRIBUTION = env_str(
    "WARGA_MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)


def _origin(url: str) -> str:
    """``https://host[:port]`` of an absolute URL ("" for a relative one); a
    Leaflet ``{s}`` sub-domain becomes a wildcard."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def _media_origins() -> list[str]:
    """Where photos are loaded from when they are not on this site."""
    origins = [_origin(MEDIA_URL)]
    if WARGA_S3_BUCKET:
        options = STORAGES["default"]["OPTIONS"]
        endpoint = options["endpoint_url"]
        if options["custom_domain"]:
            origins.append(f"https://{options['custom_domain']}")
        elif endpoint:
            # Path-style (endpoint/bucket/...) or a bucket sub-domain of it.
            host = urlsplit(endpoint)
            origins += [
                _origin(endpoint),
                f"{host.scheme}://{WARGA_S3_BUCKET}.{host.netloc}",
            ]
        else:
            region = options["region_name"]
            origins.append(f"https://{WARGA_S3_BUCKET}.s3.amazonaws.com")
            if region:
                origins += [
                    f"https://{WARGA_S3_BUCKET}.s3.{region}.amazonaws.com",
                    f"https://s3.{region}.amazonaws.com",
                ]
    return [origin for origin in origins if origin]


# Content-Security-Policy (django-csp) on every page: scripts and styles only from
# our own static files (no inline script, no style attribute in the templates; the
# map's scripts set styles through the DOM), images also from the map tiles, the
# photo storage and blob:/data: (photo previews, Leaflet), no plugins, no framing,
# forms posting only here. Uploaded photos served by config.views.media keep their
# own stricter policy. WARGA_CSP_EXTRA_IMG_SRC adds image origins (comma-separated).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            "blob:",
            *[o for o in [_origin(WARGA_MAP_TILE_URL)] if o],
            *_media_origins(),
            *env_list("WARGA_CSP_EXTRA_IMG_SRC", []),
        ],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Warga <noreply@warga.localhost>")

# A cache every process shares (web workers and the django-q2 cluster, whose
# liveness /healthz reads from it). The database cache needs no extra server; with
# REDIS_URL (redis://host:6379/0, rediss://..., unix:///path/redis.sock) the cache
# and the sessions move to Redis, off the primary database, shared by every node.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "warga",
            "OPTIONS": {
                # A Redis that is down fails a request in seconds instead of
                # hanging it; pooled connections are re-checked after a failover.
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                "health_check_interval": 30,
            },
        }
    }
    # Sessions in the cache only (not cached_db): no database write at each
    # sign-in and no read per request. Losing Redis signs people out, nothing
    # more; see docs/deployment.md.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "warga_cache",
        }
    }

# django-ratelimit (citizens' actions, sign-in links, Open311) counts in that
# cache with add() then incr(). In Redis both are single atomic commands (SET NX,
# INCR), so the count is exact with any number of web nodes. The database cache
# increments with a read and a write, not atomically: under a rare race a few
# extra requests get through, acceptable for the embedded set-up. DRF's throttles
# (the API) keep a list of request times with get() then set() on every backend,
# so they may let a few extra requests through under concurrency either way.
# W001 only says the backend is not one the library tests on (it knows
# django-redis, not Django's own RedisCache); E003 is the non-atomic database cache.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# Citizens' actions on a report page, per account ("count/period": s, m, h, d).
WARGA_RATE_COMMENTS = env_str("WARGA_RATE_COMMENTS", "10/h")
WARGA_RATE_SUPPORTS = env_str("WARGA_RATE_SUPPORTS", "30/h")
WARGA_RATE_FOLLOWS = env_str("WARGA_RATE_FOLLOWS", "30/h")
# Sign-in links by email, per client IP and per address asked for.
WARGA_RATE_EMAIL_LINKS_PER_IP = env_str("WARGA_RATE_EMAIL_LINKS_PER_IP", "5/h")
WARGA_RATE_EMAIL_LINKS_PER_ADDRESS = env_str(
    "WARGA_RATE_EMAIL_LINKS_PER_ADDRESS", "3/h"
)
# Reports filed through the web form (/lapor/), per client IP and per signed-in
# account; the officers' intake form (walk-in, phone, letters: a desk may enter
# many in an hour) has its own, higher limits. Login POSTs per client IP (an office
# behind one address signs many officers in each morning).
WARGA_RATE_REPORTS_PER_IP = env_str("WARGA_RATE_REPORTS_PER_IP", "20/h")
WARGA_RATE_REPORTS_PER_USER = env_str("WARGA_RATE_REPORTS_PER_USER", "10/h")
WARGA_RATE_OFFICER_REPORTS_PER_IP = env_str(
    "WARGA_RATE_OFFICER_REPORTS_PER_IP", "600/h"
)
WARGA_RATE_OFFICER_REPORTS_PER_USER = env_str(
    "WARGA_RATE_OFFICER_REPORTS_PER_USER", "120/h"
)
WARGA_RATE_LOGINS_PER_IP = env_str("WARGA_RATE_LOGINS_PER_IP", "100/h")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "config.api.IntegratorRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("WARGA_API_RATE", "600/minute"),
        "anon": env_str("WARGA_API_ANON_RATE", "120/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.api_exception_handler",
}

# The OpenAPI 3 schema at /api/v1/schema/, drawn from the views themselves.
SPECTACULAR_SETTINGS = {
    "TITLE": "Warga API",
    "DESCRIPTION": (
        "Read and file citizen reports, work them through the workflow, and read "
        "the reference data and public statistics. Authenticate with "
        "`Authorization: Token <key>`: the key of an integrator (a channel "
        "connector or a unit's system). The same key is the Open311 `api_key` "
        "at /open311/v2/."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "complaints.models.Report.Status",
        "RejectionReasonEnum": "complaints.models.Report.RejectionReason",
    },
}

# django-q2: the ORM broker keeps the embedded set-up to one database. With
# WARGA_Q_REDIS_URL (else REDIS_URL) the queue is a Redis list that workers on any
# machine pop from. That Redis must not evict keys (maxmemory-policy noeviction or
# volatile-*): a cache that evicts would drop queued tasks.
WARGA_Q_REDIS_URL = env_str("WARGA_Q_REDIS_URL", "") or REDIS_URL
Q_CLUSTER = {
    "name": "warga",
    **({"redis": WARGA_Q_REDIS_URL} if WARGA_Q_REDIS_URL else {"orm": "default"}),
    "workers": env_int("WARGA_WORKERS", 2),
    # A task running longer is stopped; one not acknowledged (its worker died) is
    # handed out again after ``retry`` seconds, which must be longer.
    "timeout": env_int("WARGA_Q_TIMEOUT", 60),
    "retry": env_int("WARGA_Q_RETRY", 120),
    "max_attempts": 5,
    "catch_up": False,
    "poll": 1,
    "label": "Tugas latar",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Anonymous public pages kept in the shared cache at most this many seconds (each is
# dropped as soon as what it shows changes; see transparency/caching.py); 0: off.
WARGA_PAGE_CACHE_SECONDS = env_int("WARGA_PAGE_CACHE_SECONDS", 300)

# Absolute links in emails (tracking links) start with this.
WARGA_SITE_URL = env_str("WARGA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Behind a reverse proxy REMOTE_ADDR is the proxy's address: the request.META key of
# the header in which the proxy puts the visitor's (e.g. HTTP_X_REAL_IP), for the
# limits per IP. Empty: REMOTE_ADDR. See transparency.ratelimits.client_ip.
RATELIMIT_IP_META_KEY = env_str("WARGA_CLIENT_IP_HEADER", "") or None

# Webhooks for integrators (complaints.services.webhooks): a signed POST on every
# status change, tried at once and then after each back-off step (seconds) until
# WARGA_WEBHOOK_MAX_ATTEMPTS tries have failed.
WARGA_WEBHOOK_TIMEOUT_SECONDS = env_int("WARGA_WEBHOOK_TIMEOUT_SECONDS", 5)
WARGA_WEBHOOK_MAX_ATTEMPTS = env_int("WARGA_WEBHOOK_MAX_ATTEMPTS", 6)
WARGA_WEBHOOK_BACKOFF_SECONDS = [
    int(step)
    for step in env_list(
        "WARGA_WEBHOOK_BACKOFF_SECONDS", ["60", "300", "1800", "7200", "43200"]
    )
]
WARGA_WEBHOOK_MAX_PER_INTEGRATOR = env_int("WARGA_WEBHOOK_MAX_PER_INTEGRATOR", 10)
# Plain http:// URLs, and receivers on loopback or private addresses, only for
# development: in production they would leak the events or reach internal hosts.
WARGA_WEBHOOK_HTTPS_ONLY = env_bool("WARGA_WEBHOOK_HTTPS_ONLY", not DEBUG)
WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WARGA_WEBHOOK_ALLOW_PRIVATE_HOSTS", DEBUG)

# Open311 GeoReport v2 at /open311/v2/ (open311/). GETs are limited per client IP,
# POSTs per api_key ("count/period"); a GET of requests answers
# WARGA_OPEN311_PAGE_SIZE requests unless it asks for up to the spec's 1000
# (?page_size=), more through ?page=. A page of 1000 took a second to write.
WARGA_OPEN311_RATE_GET = env_str("WARGA_OPEN311_RATE_GET", "120/minute")
WARGA_OPEN311_RATE_POST = env_str("WARGA_OPEN311_RATE_POST", "60/minute")
WARGA_OPEN311_PAGE_SIZE = env_int("WARGA_OPEN311_PAGE_SIZE", 100)
# What discovery.xml says about whom to contact and how to get an api_key; empty
# for the built-in sentences.
WARGA_OPEN311_CONTACT = env_str("WARGA_OPEN311_CONTACT", "")
WARGA_OPEN311_KEY_SERVICE = env_str("WARGA_OPEN311_KEY_SERVICE", "")
# Photos fetched from a URL a channel sends (Open311 media_url,
# complaints.services.photos.photo_fetch): seconds for the whole download, and
# whether loopback or private addresses may be fetched (development and tests only:
# in production that would let a caller reach internal hosts).
WARGA_MEDIA_FETCH_TIMEOUT = env_int("WARGA_MEDIA_FETCH_TIMEOUT", 5)
WARGA_MEDIA_FETCH_PRIVATE = env_bool("WARGA_MEDIA_FETCH_PRIVATE", False)
