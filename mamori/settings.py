"""Settings.  Everything a municipality may change comes from the environment:

MAMORI_HOME          directory for the SQLite database, the record key and uploads (default ./var)
DATABASE_URL         e.g. postgres://mamori@127.0.0.1:5432/mamori (default: SQLite in MAMORI_HOME)
MAMORI_SECRET_KEY    Django's secret key (default: generated once into MAMORI_HOME/secret.key)
MAMORI_RECORD_KEY    key of the record hash chain (default: generated once into MAMORI_HOME/record.key)
MAMORI_PACK_DIRS     extra directories holding a municipality's own regulation packs (os.pathsep separated)
MAMORI_DEBUG         1 for development
MAMORI_EMAIL_*       SMTP settings for notifications (HOST, PORT, USER, PASSWORD, USE_TLS, FROM)
MAMORI_ANCHOR_DIR    where the chains' heads are anchored (default MAMORI_HOME/anchors; records/anchors.py)
MAMORI_MAX_REQUEST_BYTES  largest request body accepted (default 10 MiB); larger ones get 413
MAMORI_HTTPS         1 behind HTTPS (production): secure cookies, HSTS, the proxy's X-Forwarded-Proto
MAMORI_HSTS_SECONDS  HSTS max-age with MAMORI_HTTPS (default 31536000; 0 to leave HSTS off)
MAMORI_CSRF_TRUSTED_ORIGINS  comma separated, e.g. https://mamori.city.lg.jp (with MAMORI_HTTPS)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("MAMORI_HOME", Path.cwd() / "var")).resolve()
# MAMORI_HOME holds the database, its WAL, the record key and the notification mails: readable by
# mamori's own user only.  The umask makes every file created from here on 0600 and every folder
# 0700 (SQLite creates its -wal and -shm files itself, so a chmod after the fact would be too late).
os.umask(0o077)
HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
if HOME.stat().st_uid == os.getuid():
    HOME.chmod(0o700)


def _key_file(name: str) -> str:
    """A key kept in a file beside the database, generated on first use, readable by the owner only."""
    path = HOME / name
    if not path.exists():
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
    path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


DEBUG = os.environ.get("MAMORI_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("MAMORI_SECRET_KEY") or _key_file("secret.key")
MAMORI_RECORD_KEY = os.environ.get("MAMORI_RECORD_KEY") or _key_file("record.key")
MAMORI_PACK_DIRS = [p for p in os.environ.get("MAMORI_PACK_DIRS", "").split(os.pathsep) if p]
ALLOWED_HOSTS = [h for h in os.environ.get("MAMORI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules",
    "django_filters",
    "django_tables2",
    "mamori.core",
    "mamori.records",
    "mamori.registers",
    "mamori.regulations",
    "mamori.organisation",
    "mamori.accounts",
    "mamori.workflows",
    "mamori.findings",
    "mamori.systems",
    "mamori.access",
    "mamori.designations",
    "mamori.credentials",
    "mamori.reviews",
    "mamori.terminals",
    "mamori.equipment",
    "mamori.media",
    "mamori.rooms",
    "mamori.events",
    "mamori.exports",
    "mamori.web",
    "mamori.demo",
]

# The policy layer (mamori/core/policy.py, each domain's policies.py) answers has_perm through django-rules.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 413 / 400 in the API's Problem shape before anything reads an oversized body or a number too
    # large for the database (mamori/api.py).
    "mamori.api.RequestLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files (CSS, the vendored htmx) are served by mamori itself: LGWAN has no CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost after the static files: every answer, redirects and refusals too, is never cached.
    "mamori.accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mamori.accounts.middleware.ActiveAccountMiddleware",
    "mamori.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "mamori.urls"
WSGI_APPLICATION = "mamori.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mamori.web.context.installation",
            ],
        },
    },
]

_default_db = f"sqlite:///{HOME / 'mamori.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN,
        # so two writers queue instead of failing half-way through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that tests of concurrent writers meet SQLite's real locking.
    # One file per test process, so that two suites running side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / f"test-{os.getpid()}.sqlite3")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if "TEST" not in DATABASES["default"] and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # test_<database>: suites run against different databases (developers side by side) never share one.
    _test_name = f"test_{DATABASES['default']['NAME'] or 'mamori'}"
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("MAMORI_TEST_DB_NAME", _test_name)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "mamori.accounts.validators.PackMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mamori.accounts.validators.CharacterClassValidator"},
    {"NAME": "mamori.accounts.validators.RepeatedCharacterValidator"},
    {"NAME": "mamori.accounts.validators.PasswordHistoryValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the apps' static folders, so that no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The largest request body (JSON, a batch of JSON-lines events): larger ones get 413 with the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAMORI_MAX_REQUEST_BYTES", str(10 * 1024 * 1024)))

# Production behind HTTPS (a reverse proxy on the municipal network sets X-Forwarded-Proto).
HTTPS = os.environ.get("MAMORI_HTTPS", "0") == "1"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("MAMORI_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("MAMORI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # other hosts of the city's domain are not ours to pin
    CSRF_TRUSTED_ORIGINS = [
        o.strip() for o in os.environ.get("MAMORI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
    ]

# Content-Security-Policy (django-csp 4): everything from mamori itself, no inline script, no
# inline style, no frames, no plugin.  Templates keep their behaviour in static files
# (mamori/web/static/mamori/mamori.js, the vendored htmx and Swagger UI).  Swagger UI's icons are
# data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = os.environ.get("MAMORI_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("MAMORI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MAMORI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MAMORI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MAMORI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("MAMORI_EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("MAMORI_EMAIL_FROM", "mamori@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
