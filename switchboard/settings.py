"""Django settings, built from the validated Switchboard configuration (switchboard.config)."""

from __future__ import annotations

import secrets
import sys
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from switchboard import config as sbconfig

try:
    CONFIG = sbconfig.load()
except sbconfig.ConfigError as error:
    raise ImproperlyConfigured(f"Configuration error: {error}") from error

BASE_DIR = sbconfig.BASE_DIR
DATA_DIR: Path = CONFIG.data_dir
LOG_DIR: Path = CONFIG.log_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)
LOG_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured secret, or one generated once and kept in the data directory."""
    if CONFIG["security.secret_key"]:
        return CONFIG["security.secret_key"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = CONFIG["server.allowed_hosts"]
CSRF_TRUSTED_ORIGINS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "switchboard.core",
    "switchboard.accounts",
    "switchboard.telephony",
    "switchboard.pbx",
    "switchboard.ivr",
    "switchboard.voicemail",
    "switchboard.forwards",
    "switchboard.records",
    "switchboard.stats",
    "switchboard.billing",
    "switchboard.media",
    "switchboard.agents",
    "switchboard.directory",
    "switchboard.desk",
    "switchboard.callbacks",
    "switchboard.api",
    "switchboard.chat",
]

# The user-language middleware runs after authentication: a signed-in user's own language
# wins over the browser's and the login page's switch.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "switchboard.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "switchboard.urls"
ASGI_APPLICATION = "switchboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "switchboard.core.context_processors.shell",
                "switchboard.telephony.context_processors.pbx",
            ],
        },
    },
]


def _database(url: str) -> dict:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{BASE_DIR / url.removeprefix('sqlite:///')}"
    db = dj_database_url.parse(url, conn_max_age=0)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
    return db


DATABASES = {"default": _database(CONFIG["database.url"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "switchboard.accounts.validators.CharacterClassValidator"},
]

# Idle timeout: the session cookie lives SESSION_IDLE_SECONDS and every request renews it.
SESSION_IDLE_SECONDS = CONFIG["security.session_idle_minutes"] * 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGIN_SLOWDOWN_AFTER = CONFIG["security.login_slowdown_after"]
LOGIN_LOCKOUT_AFTER = CONFIG["security.login_lockout_after"]
LOGIN_LOCKOUT_SECONDS = CONFIG["security.login_lockout_minutes"] * 60

LANGUAGE_CODE = CONFIG["locale.language"]
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = CONFIG["locale.time_zone"]
USE_TZ = True
LANGUAGE_COOKIE_NAME = "switchboard_language"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Third-party browser assets come from npm packages installed by the setup command.
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
STATICFILES_DIRS.append(("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"))
# Hashed, compressed files once `collectstatic` has run (the run command does); plain files
# served from the apps and node_modules before that (a fresh checkout, the test suite).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists() or "collectstatic" in sys.argv
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

if CONFIG["channels.redis_url"]:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CONFIG["channels.redis_url"]]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

SWITCHBOARD_ASTERISK_SERVERS = CONFIG.asterisk
TELEPHONY_WORKER = CONFIG["telephony.worker"]
RECORDS_MASK_DIGITS = CONFIG["records.mask_digits"]

# WhiteNoise hands Django a file iterator that the ASGI handler reads in a worker thread; that
# is how static files are meant to be served here, so Django's reminder about it is noise.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "switchboard.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "file": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(LOG_DIR / "switchboard.log"),
            "formatter": "json",
        },
    },
    "root": {"handlers": ["console", "file"], "level": CONFIG["logging.level"].upper()},
    "loggers": {
        "django": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request at INFO: the ARI client's resyncs would flood the log.
        "httpx": {"level": "WARNING"},
    },
}
