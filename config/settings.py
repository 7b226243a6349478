"""Rekindle settings: one module, every value from the environment (see .env.example)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import api_settings
from config.env import (
    env_bool,
    env_choice,
    env_e164,
    env_float,
    env_hours,
    env_int,
    env_list,
    env_str,
    load_dotenv,
    parse_quiet_hours,
)
from core.languages import SPOKEN as SPOKEN_LANGUAGES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
load_dotenv(BASE_DIR / ".env")

# Development is the default so that `make run` needs nothing; production sets DEBUG=false and
# must then bring its own SECRET_KEY.
DEBUG = env_bool("DEBUG", "true")

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DEBUG is off, so SECRET_KEY must be set to a long random value (at least 32 characters), "
        "not left empty or at the development key. "
        'Make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DEBUG is off, so ALLOWED_HOSTS must name the host(s) served.")

PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not PUBLIC_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"PUBLIC_BASE_URL must start with http:// or https://, not {PUBLIC_BASE_URL!r}"
    )
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL, *env_list("CSRF_TRUSTED_ORIGINS")]

INSTALLED_APPS = [
    "core.admin_config.RekindleAdminConfig",  # django.contrib.admin, signing in as /login/ does
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "volunteers",
    "messaging",
    "needs",
    "voice",
    "reactivation",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.twofactor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.errors.FriendlyErrorPages",
]

if not DEBUG:
    # gunicorn serves the collected static files itself; runserver does it in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.credits",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    name = Path(_db["NAME"])
    if not name.is_absolute() and str(name) != ":memory:":
        name = BASE_DIR / name
    if str(name) != ":memory:":
        name.parent.mkdir(parents=True, exist_ok=True)
    _db["NAME"] = str(name)
    _db["CONN_MAX_AGE"] = 0
    # WAL lets the web server read while the worker writes; IMMEDIATE transactions take the write
    # lock up front, so two writers queue on the timeout instead of failing with "database is
    # locked" half-way through.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and the task queue ------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A task may be retried by the broker when it is not acknowledged within `retry` seconds, so
# `timeout` stays well below `retry` and every task is written to be safe to run twice.
Q_CLUSTER: dict[str, Any] = {
    "name": "rekindle",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": env_int("Q_TIMEOUT", 60, minimum=1),
    "retry": env_int("Q_RETRY", 120, minimum=2),
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.5
if Q_CLUSTER["timeout"] >= Q_CLUSTER["retry"]:
    raise ImproperlyConfigured("Q_TIMEOUT must be lower than Q_RETRY, or a slow task would run twice.")

# --- SMS ----------------------------------------------------------------------------------------
SMS_BACKEND = env_str("SMS_BACKEND", "console" if DEBUG else "twilio")
if not SMS_BACKEND:
    raise ImproperlyConfigured("SMS_BACKEND must be console, locmem, twilio or a dotted path.")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# The number to call to hear a text read out (every text ends with it); default: the sender's.
PHONE_LINE_NUMBER = env_str("PHONE_LINE_NUMBER").strip() or TWILIO_FROM_NUMBER
if PHONE_LINE_NUMBER and not re.fullmatch(r"\+?[0-9 ()-]{7,20}", PHONE_LINE_NUMBER):
    raise ImproperlyConfigured(f"PHONE_LINE_NUMBER is not a phone number: {PHONE_LINE_NUMBER!r}")
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/")
if SMS_BACKEND == "twilio":
    missing = [n for n in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not globals()[n]]
    if not (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID):
        missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    if missing:
        raise ImproperlyConfigured(f"SMS_BACKEND=twilio needs {', '.join(missing)}.")
SMS_MAX_PER_SECOND = env_int("SMS_MAX_PER_SECOND", 10, minimum=1)
SMS_QUIET_HOURS = parse_quiet_hours("SMS_QUIET_HOURS", env_str("SMS_QUIET_HOURS", "21:00-08:00"))
SMS_SENDER_NAME = env_str("SMS_SENDER_NAME", "Rekindle")
VOICE_FROM_NUMBER = env_str("VOICE_FROM_NUMBER") or TWILIO_FROM_NUMBER  # calls to volunteers (voice/)
VOICE_CALLBACK_NUMBER = env_str("VOICE_CALLBACK_NUMBER") or VOICE_FROM_NUMBER  # said to answering machines
VOICE_MAX_CALLS_PER_SECOND = env_float("VOICE_MAX_CALLS_PER_SECOND", 1, minimum=0.01)  # all workers together
# The phone line (README): key 2 forwards to this E.164 number (empty: no key 2) in these hours.
PHONE_LINE_DUTY_NUMBER = env_e164("PHONE_LINE_DUTY_NUMBER")
PHONE_LINE_DUTY_HOURS = env_hours("PHONE_LINE_DUTY_HOURS", "09:00-17:00")
# Tunables of the sending pipeline.
# Seconds the twilio client waits for Twilio; without it a hung connection blocks a worker forever.
SMS_HTTP_TIMEOUT = env_float("SMS_HTTP_TIMEOUT", 10, minimum=1)
# Twilio drops a message still queued on its side after this long: an offer an hour late is harm.
SMS_VALIDITY_PERIOD = env_int("SMS_VALIDITY_PERIOD", 900, minimum=1)
# A row left in `sending` this long belongs to a worker that died: it becomes `unknown`.
SMS_STALE_SENDING_SECONDS = env_int("SMS_STALE_SENDING_SECONDS", 120, minimum=1)
# An `unknown` row Twilio has no record of after this long was never sent, so it is sent again.
SMS_UNKNOWN_GRACE_SECONDS = env_int("SMS_UNKNOWN_GRACE_SECONDS", 600, minimum=1)
# Bulk segments queued before new bulk texts wait (the brake on a runaway campaign); 0: an hour of
# sending at SMS_MAX_PER_SECOND.
SMS_BULK_BACKLOG_MAX = env_int("SMS_BULK_BACKLOG_MAX", 0, minimum=0)
# How long one drain task keeps sending before it hands back to the queue; 0: half of Q_TIMEOUT.
SMS_DRAIN_SECONDS = env_int("SMS_DRAIN_SECONDS", 0, minimum=0)
# Threads per worker process that make the HTTP requests of a claimed batch (each its own client).
SMS_SEND_THREADS = env_int("SMS_SEND_THREADS", 8, minimum=1)
# Tests only: run the outbox's and the inbox's tasks inline instead of through the worker.
SMS_TASKS_SYNC = env_bool("SMS_TASKS_SYNC", "false")

# --- Email (staff alerts) -----------------------------------------------------------------------
# DEBUG prints emails in the terminal; production sends them through an SMTP server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", "false")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rekindle <rekindle@localhost>")
# The hour (Europe/London) at which staff who chose a daily summary of alerts receive it.
ALERT_DIGEST_HOUR = env_int("ALERT_DIGEST_HOUR", 7, minimum=0)
if ALERT_DIGEST_HOUR > 23:
    raise ImproperlyConfigured(f"ALERT_DIGEST_HOUR must be an hour from 0 to 23, not {ALERT_DIGEST_HOUR}.")

# --- Health ------------------------------------------------------------------------------------
# /healthz/ fails when an urgent text (a reply, an offer) that may go now has waited this long.
HEALTH_OUTBOX_MAX_AGE_SECONDS = env_int("HEALTH_OUTBOX_MAX_AGE_SECONDS", 600, minimum=30)

# --- Geography ----------------------------------------------------------------------------------
GEOCODER = env_choice("GEOCODER", "offline", {"offline", "nominatim"})
# Map tiles for the Leaflet maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (respect the
# provider's usage policy). Empty: no background tiles; markers and areas still show.
LEAFLET_TILE_URL = env_str("LEAFLET_TILE_URL", "")
LEAFLET_TILE_ATTRIBUTION = env_str("LEAFLET_TILE_ATTRIBUTION", "")
# Every map draws council outlines and postcode districts from the postcode table, tiles or not.
# The credit its source's licence asks for, shown on each map and in every page's footer (README,
# "Maps and their data"). The default credits the shipped file (OS Code-Point Open, 2025 release).
POSTCODE_DATA_ATTRIBUTION = env_str(
    "POSTCODE_DATA_ATTRIBUTION",
    "Contains OS data © Crown copyright and database right 2025. "
    "Contains Royal Mail data © Royal Mail copyright and database right 2025. "
    "Contains National Statistics data © Crown copyright and database right 2025. "
    "Postcodes: OS Code-Point Open, Open Government Licence v3.0",
)
NOMINATIM_USER_AGENT = env_str("NOMINATIM_USER_AGENT", "rekindle (set NOMINATIM_USER_AGENT)")
NOMINATIM_TIMEOUT_SECONDS = env_int("NOMINATIM_TIMEOUT_SECONDS", 10, minimum=1)
# Places shown to someone who may not see a row's details (a viewer, another organisation's staff):
# a search by area must be at least PRIVACY_MIN_RADIUS_KM wide, and such rows are matched and shown
# by the centre of their cell of PRIVACY_CELL_KM (one of the matcher's cell sides), never by their
# stored point, so that no run of searches can narrow a person down below a cell.
PRIVACY_MIN_RADIUS_KM = env_float("PRIVACY_MIN_RADIUS_KM", 2.0, minimum=0.2)
PRIVACY_CELL_KM = float(env_choice("PRIVACY_CELL_KM", "0.8", {"0.4", "0.8", "1.6", "3.2"}))
# A coverage-gap cell with fewer open needs than this is merged into the coarser cell around it
# (up to 25.6 km), or left out: a count of one or two needs would point at a door.
COVERAGE_MIN_NEEDS = env_int("COVERAGE_MIN_NEEDS", 3, minimum=2)

# --- Needs and offers -----------------------------------------------------------------------------
# How long a volunteer has to answer an offer, by the need's urgency, before it goes to the next.
OFFER_EXPIRY_MINUTES = {
    "critical": env_int("OFFER_EXPIRY_CRITICAL_MINUTES", 15, minimum=1),
    "high": env_int("OFFER_EXPIRY_HIGH_MINUTES", 60, minimum=1),
    "normal": env_int("OFFER_EXPIRY_NORMAL_MINUTES", 240, minimum=1),
    "low": env_int("OFFER_EXPIRY_LOW_MINUTES", 1440, minimum=1),
}
OFFERS_PER_NEED = env_int("OFFERS_PER_NEED", 3, minimum=1)
# After an accepted need's window (or this many hours), the volunteer is asked whether it is done;
# the coordinators are told when that question is still unanswered this many hours later.
NEEDS_FOLLOWUP_AFTER_HOURS = env_int("NEEDS_FOLLOWUP_AFTER_HOURS", 24, minimum=1)
NEEDS_FOLLOWUP_ANSWER_HOURS = env_int("NEEDS_FOLLOWUP_ANSWER_HOURS", 24, minimum=1)
# A need still waiting for a volunteer this long is listed for re-confirming with the requester.
NEEDS_RECONFIRM_AFTER_HOURS = env_int("NEEDS_RECONFIRM_AFTER_HOURS", 48, minimum=1)
# How long the matcher's map of where volunteers are dense is kept before it is counted again.
NEEDS_MATCHER_DENSITY_TTL_SECONDS = env_int("NEEDS_MATCHER_DENSITY_TTL_SECONDS", 600, minimum=0)
# Requesters' name, phone and address are erased this many days after their need closes.
REQUESTER_ERASURE_DAYS = env_int("REQUESTER_ERASURE_DAYS", 30, minimum=1)
# The key of the erasure tombstones (HMAC-SHA256 of an erased number, which refuses its re-import;
# docs/contact-state.md). Derived from SECRET_KEY unless set: set it in production, so that rotating
# SECRET_KEY does not forget who asked to be erased.
CONTACT_TOMBSTONE_KEY = (
    env_str("CONTACT_TOMBSTONE_KEY")
    or hashlib.sha256(f"rekindle.contact-tombstone:{SECRET_KEY}".encode()).hexdigest()
)

# --- Reactivation ---------------------------------------------------------------------------------
# Consent older than this asks to renew it before any call (UK marketing-style messages).
REACTIVATION_CONSENT_MAX_AGE_DAYS = env_int("REACTIVATION_CONSENT_MAX_AGE_DAYS", 730, minimum=1)
# Readiness checks: how often each dormant group's organiser is asked, how long they have to answer
# before the check counts as missed, and how many misses in a row mark the contact stale.
REACTIVATION_READINESS_INTERVAL_DAYS = env_int("REACTIVATION_READINESS_INTERVAL_DAYS", 91, minimum=1)
REACTIVATION_READINESS_ANSWER_DAYS = env_int("REACTIVATION_READINESS_ANSWER_DAYS", 14, minimum=1)
REACTIVATION_STALE_AFTER_MISSES = env_int("REACTIVATION_STALE_AFTER_MISSES", 2, minimum=1)
# Governance: above either threshold a second person must approve before a campaign starts.
REACTIVATION_APPROVAL_RECIPIENTS = env_int("REACTIVATION_APPROVAL_RECIPIENTS", 200, minimum=0)
REACTIVATION_APPROVAL_COST_PENCE = env_int("REACTIVATION_APPROVAL_COST_PENCE", 2000, minimum=0)
# Someone messaged by another campaign within this many hours is left out, so two managers waking
# the same street do not text the same person twice.
REACTIVATION_OVERLAP_HOURS = env_int("REACTIVATION_OVERLAP_HOURS", 72, minimum=0)
# What Twilio bills per segment (UK long code, about 4p), and a campaign's spend cap by default.
REACTIVATION_PRICE_PER_SEGMENT_PENCE = env_float("REACTIVATION_PRICE_PER_SEGMENT_PENCE", 4.0, minimum=0)
REACTIVATION_DEFAULT_SPEND_CAP_PENCE = env_int("REACTIVATION_DEFAULT_SPEND_CAP_PENCE", 5000, minimum=0)
# With fewer than REACTIVATION_MIN_HISTORY earlier messages in an area, expect this share to answer.
REACTIVATION_DEFAULT_REPLY_RATE = env_float("REACTIVATION_DEFAULT_REPLY_RATE", 0.2, minimum=0.01)
REACTIVATION_MIN_HISTORY = env_int("REACTIVATION_MIN_HISTORY", 20, minimum=1)

# --- Auth, API ----------------------------------------------------------------------------------
# Staff sign-in: failed attempts allowed per address and per username within the window.
LOGIN_THROTTLE_FAILURES = env_int("LOGIN_THROTTLE_FAILURES", 10, minimum=1)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60, minimum=1)
# /join/: sign-up codes texted per address within the window (a family or a community centre may
# sign several people up from one connection; a script texting strangers may not).
JOIN_SENDS_PER_ADDRESS = env_int("JOIN_SENDS_PER_ADDRESS", 20, minimum=1)
JOIN_SENDS_PER_ADDRESS_WINDOW_SECONDS = env_int("JOIN_SENDS_PER_ADDRESS_WINDOW_SECONDS", 3600, minimum=1)
# Two-factor (a code from an authenticator app after the password) is optional for staff; with
# this on, superusers must set it up before they can do anything else.
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = env_bool("TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", "false")
OTP_TOTP_ISSUER = "Rekindle"  # the name the authenticator app shows beside the code
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The API's settings (DRF and the OpenAPI schema) are in their own module.
REST_FRAMEWORK = api_settings.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api_settings.SPECTACULAR_SETTINGS

# --- Internationalisation, static files ------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# The languages of volunteers' and requesters' texts, calls and pages (core/languages.py).
LANGUAGES = [(lang.code, lang.english) for lang in SPOKEN_LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Production hardening ---------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-q2 logs two INFO lines per task (hundreds for a campaign): only problems by default.
        "django-q": {"level": env_choice("Q_LOG_LEVEL", "WARNING", {"DEBUG", "INFO", "WARNING", "ERROR"})},
    },
}
