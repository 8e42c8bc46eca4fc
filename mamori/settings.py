"""Settings.  Everything a municipality may change comes from the environment:

MAMORI_HOME          directory for the SQLite database, the record key and uploads (default ./var)
DATABASE_URL         e.g. postgres://mamori@127.0.0.1:5432/mamori (default: SQLite in MAMORI_HOME)
MAMORI_SECRET_KEY    Django's secret key (default: generated once into MAMORI_HOME/secret.key)
MAMORI_RECORD_KEY    key of the record hash chain (default: generated once into MAMORI_HOME/record.key)
MAMORI_PACK_DIRS     extra directories holding a municipality's own regulation packs (os.pathsep separated)
MAMORI_DEBUG         1 for development
MAMORI_EMAIL_*       SMTP settings for notifications (HOST, PORT, USER, PASSWORD, USE_TLS, FROM)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("MAMORI_HOME", Path.cwd() / "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _key_file(name: str) -> str:
    """A key kept in a file beside the database, generated on first use, readable by the owner only."""
    path = HOME / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


DEBUG = os.environ.get("MAMORI_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("MAMORI_SECRET_KEY") or _key_file("secret.key")
MAMORI_RECORD_KEY = os.environ.get("MAMORI_RECORD_KEY") or _key_file("record.key")
MAMORI_PACK_DIRS = [p for p in os.environ.get("MAMORI_PACK_DIRS", "").split(os.pathsep) if p]
ALLOWED_HOSTS = [h for h in os.environ.get("MAMORI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mamori.core",
    "mamori.records",
    "mamori.regulations",
    "mamori.organisation",
    "mamori.accounts",
    "mamori.workflows",
    "mamori.findings",
    "mamori.access",
    "mamori.designations",
    "mamori.credentials",
    "mamori.reviews",
    "mamori.terminals",
    "mamori.events",
    "mamori.exports",
    "mamori.web",
    "mamori.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
CSRF_COOKIE_HTTPONLY = False

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
