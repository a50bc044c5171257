"""Settings of the circular portal: one file, driven by the environment.

With no environment at all the portal runs on its embedded default: SQLite under
``var/``, Celery tasks run eagerly in the web process, email is printed to the console
and the cache is local memory. Setting ``DATABASE_URL``, ``CELERY_BROKER_URL`` and
``REDIS_URL`` moves it onto PostgreSQL and Redis. ``DJANGO_ENV=production`` turns on
HTTPS-only cookies, HSTS and the rest of ``manage.py check --deploy``.

Every variable is read strictly: a value that cannot be parsed stops start-up with a
message naming the variable; an empty value counts as unset. A secret may also come from ``<NAME>_FILE``.
"""

import datetime
import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# An empty value is the same as no value: compose and .env files write `DATABASE_URL=`
# for "not set", and each variable then takes its default.
env.ENVIRON = {name: value for name, value in os.environ.items() if value.strip() != ""}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=None)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_secret(name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    path = env.str(f"{name}_FILE", default=None)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
    return env.str(name, default=None)


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r} must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DJANGO_ENV=production.")
    # Embedded default: a random key generated once and kept beside the SQLite file,
    # so sessions survive a restart of `make demo`.
    VAR_DIR.mkdir(exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the portal, used in emails and on the PDFs' verification QR code.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "portal.axes_app.AxesConfig",
    # Database triggers declared in model Meta (append-only events, frozen issued
    # circulars), installed by ordinary migrations (AddTrigger). Its migration operations
    # and install/prune commands act only on PostgreSQL connections and are no-ops on
    # SQLite, so the embedded default migrates and tests as before, without the triggers.
    # PGTRIGGER_INSTALL_ON_MIGRATE stays off (the default): migrations are the one way
    # triggers get installed, so there is no second, unversioned path.
    "pgtrigger",
    "core",
    "units",
    "signing",
    "circulars",
    "registers",
    "acknowledgements",
    "chasing",
    "dashboard",
    # Last: its post_migrate hook (the role groups) runs once every app's permissions exist.
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages and API answers compressed for whoever accepts it (commune offices on slow links);
    # Django's gzip pads each answer against BREACH and CSRF tokens are masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.RefuseNulMiddleware",
    "portal.middleware.PortalLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # SQLite serialises writers; wait for a lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------
# Without a broker every task runs at once, in the process that queued it; Celery is
# still given an in-memory transport so that it never tries a network broker.
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A message whose worker died unacknowledged comes back after this long. Every task is
# idempotent (they claim their rows), so ten minutes is safe and beats Redis's one hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600)}
# Waking the outbox sender is a hint: if the broker is down, give up after one quick
# retry rather than hold the web request; the every-minute drain sends the rows anyway.
# (Turning publish retries off entirely makes kombu wait for the broker forever.)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE: dict = {
    # Sends what the outbox still holds: mail queued while the broker was down, retries,
    # rows whose worker died. The outbox's watchdog.
    "drain-outbox": {"task": "acknowledgements.tasks.send_outbox", "schedule": 60.0},
    # Finds every delivery that has reached a reminder stage; idempotent, so a missed or
    # doubled tick changes nothing.
    "chase-sweep": {"task": "chasing.tasks.chase_sweep", "schedule": 15 * 60.0},
    "daily-digest": {"task": "chasing.tasks.send_digests", "schedule": 15 * 60.0},
}

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "units.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a login (page, admin or API token) while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    # Refuses any login from an address past its failure limit (password spraying).
    "portal.lockout.AddressLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures for one username from one address lock that pair for 15 minutes; other
# people at the same commune office (one shared address) can still log in.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address behind a reverse proxy (core.addresses): how many proxies stand
# in front, or which addresses are proxies. Neither set: the connecting address.
PROXY_COUNT = env_int("PROXY_COUNT", env_int("AXES_PROXY_COUNT", 0))
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "core.addresses.client_ip"
# Failed logins from one address across all usernames before that address waits for the
# cool-off: far above what a commune office mistypes, far below a password spray.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # each role lands on its work (portal.views.landing)
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after two hours without a request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
# Uploaded files live outside static/ and are served only through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Static files under hashed names, compressed, with far-future cache headers (whitenoise):
# in production, and in the demo (which runs collectstatic first); in development and the
# tests, straight from static/ so that an edit shows at once.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Digital signatures (signing/) ---------------------------------------------------
# Where a credential's key lives when the administrator does not say (pkcs12, pkcs11, csc).
SIGNING_DEFAULT_BACKEND = env.str("SIGNING_DEFAULT_BACKEND", default="pkcs12")
if SIGNING_DEFAULT_BACKEND not in {"pkcs12", "pkcs11", "csc"}:
    raise ImproperlyConfigured(f"SIGNING_DEFAULT_BACKEND={SIGNING_DEFAULT_BACKEND!r} must be pkcs12, pkcs11 or csc.")
# The PKCS#11 module of tokens and HSMs whose credential names none (Debian's SoftHSM2 here).
SIGNING_PKCS11_MODULE = env.str("SIGNING_PKCS11_MODULE", default="/usr/lib/softhsm/libsofthsm2.so")
# An RFC 3161 timestamp authority: set, signatures are PAdES B-T (B-B without).
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# Fetch OCSP/CRL for the signer's certificate: before signing (a revoked certificate does
# not sign) and into the file (B-LT, with a timestamp authority); and when validating.
SIGNING_REVOCATION_CHECK = env_bool("SIGNING_REVOCATION_CHECK", False)
# Seconds a token, a CSC service or a timestamp authority has to answer.
SIGNING_TIMEOUT_SECONDS = env_int("SIGNING_TIMEOUT_SECONDS", 30)
# Where `manage.py demo_pki` keeps the demo CA and the demo key files.
SIGNING_DEMO_DIR = VAR_DIR / "signing"

# Chasing policy (a circular may override the first three).
REMINDERS = {
    "before_working_days": env_int("REMIND_BEFORE_WORKING_DAYS", 1),
    "head_after_working_days": env_int("ESCALATE_HEAD_AFTER_WORKING_DAYS", 2),
    "monitor_after_working_days": env_int("ESCALATE_MONITOR_AFTER_WORKING_DAYS", 5),
    # Local hour (Asia/Ho_Chi_Minh) of the daily digest email.
    "digest_hour": env_int("DIGEST_HOUR", 7),
    # A monitor chases the same unit about the same circular at most once in this many hours.
    "manual_every_hours": env_int("MANUAL_CHASE_EVERY_HOURS", 4),
    "batch_size": env_int("CHASE_BATCH_SIZE", 2000),
}

# One-click acknowledgement links in emails stay valid this long (seconds).
ACK_LINK_MAX_AGE = env_int("ACK_LINK_MAX_AGE", 14 * 24 * 60 * 60)

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng công văn <no-reply@localhost>")

# --- API ------------------------------------------------------------------------------
# An API token unused for this long stops working (a new login gives a new one).
API_TOKEN_IDLE_HOURS = env_int("API_TOKEN_IDLE_HOURS", 7 * 24)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.rest.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.rest.JSONParser",
        "core.rest.FormParser",
        "core.rest.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "public": env.str("THROTTLE_PUBLIC", default="60/min"),
    },
    "EXCEPTION_HANDLER": "core.rest.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Circular portal API",
    "DESCRIPTION": "Circulars, their distribution to units, acknowledgements and reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CircularStatusEnum": "circulars.models.Circular.Status",
        "DeliveryStatusEnum": "acknowledgements.models.Delivery.Status",
        "ReportStatusEnum": "acknowledgements.models.ImplementationReport.Status",
        "ReportItemStatusEnum": "acknowledgements.models.ReportItem.Status",
        "UrgencyEnum": "circulars.models.Urgency",
        "DocumentTypeEnum": "circulars.models.DocumentType",
        "IncomingDocumentTypeEnum": "circulars.models.INCOMING_DOCUMENT_TYPES",
        "SecrecyEnum": "circulars.models.Secrecy",
        "AssignmentStatusEnum": "circulars.models.Assignment.Status",
    },
}

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
