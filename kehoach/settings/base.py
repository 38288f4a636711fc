"""Settings read from the environment.

Defaults give a single-machine install on embedded SQLite; a city deployment sets DATABASE_URL to
PostgreSQL, SECRET_KEY, ALLOWED_HOSTS and KEHOACH_DATA_DIR.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("KEHOACH_DATA_DIR", REPO_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # A single-machine install keeps a generated key in its data directory so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",
    "kehoach.core",
    "kehoach.units",
    "kehoach.plans",
    "kehoach.tracking",
    "kehoach.registers",
    "kehoach.importer",
    "kehoach.exchange",
    "kehoach.documents",
    "kehoach.reports",
    "kehoach.operations",
    "kehoach.search",
    "kehoach.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kehoach.urls"
WSGI_APPLICATION = "kehoach.wsgi.application"

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
                "kehoach.units.context_processors.roles",
                "kehoach.tracking.context_processors.notifications",
            ],
            "builtins": ["kehoach.core.templatetags.vn"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kehoach.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the city's grouped queries for ~1,7 s before running them in 0,2 s:
    # these are short interactive queries, never the long analytics JIT pays off for.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one request writes; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }

# Computed pages (the centre, the city's comparison) are cached per process under data-version keys
# (operations.freshness): nothing has to be invalidated across processes, so memory is enough.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kehoach",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "units.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
# Vietnamese for what Django ships untranslated (the admin's theme switch, "Model name", counts…);
# listed first, so it also wins over Django's own catalogue.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["kehoach.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "files"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

MESSAGE_TAGS = {40: "danger"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every layout step at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint warns about the screen-only media queries of the shared document stylesheet.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}

# Plans whose deadlines wait on a trigger get this many days after the trigger unless the task says otherwise.
KEHOACH_DEFAULT_LEAD_TIME_DAYS = int(os.environ.get("KEHOACH_DEFAULT_LEAD_TIME_DAYS", "30"))
KEHOACH_PAGE_SIZE = 50
# Evidence files (PDF, DOCX, XLSX, PNG, JPEG) are stored under DATA_DIR/files, never served directly.
KEHOACH_EVIDENCE_MAX_BYTES = int(os.environ.get("KEHOACH_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Reminders: how many days before a deadline people are reminded.
KEHOACH_REMIND_DAYS_BEFORE = int(os.environ.get("KEHOACH_REMIND_DAYS_BEFORE", "7"))
# The day's job (reminders, scenario evaluation, e-mail digest) runs once a day after this local time
# ("HH:MM", Asia/Ho_Chi_Minh). `kehoach worker`, which `kehoach serve` starts, runs it: no cron needed.
KEHOACH_DAILY_AT = os.environ.get("KEHOACH_DAILY_AT", "06:00")
_mail_backend = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_mail_options = (
    {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        # A mail server that stops answering must not hang the reminder job.
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
    if _mail_backend.endswith("smtp.EmailBackend")
    else {}
)
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kehoach <khong-tra-loi@kehoach.local>")
# The address people reach this installation at. KEHOACH_PUBLIC_URL is it as configured ("" when not
# set): pages then build their absolute links (a product's QR code) from the request. Links sent without
# a request (e-mails) fall back to the local address.
KEHOACH_PUBLIC_URL = os.environ.get("KEHOACH_BASE_URL", "").strip()
KEHOACH_BASE_URL = KEHOACH_PUBLIC_URL or "http://127.0.0.1:8000"

# Delivery to the city's reporting system (docs/exchange.md). An empty URL keeps deliveries queued.
KEHOACH_EXCHANGE_URL = os.environ.get("KEHOACH_EXCHANGE_URL", "").strip()
KEHOACH_EXCHANGE_TOKEN = os.environ.get("KEHOACH_EXCHANGE_TOKEN", "").strip()
KEHOACH_EXCHANGE_TIMEOUT = float(os.environ.get("KEHOACH_EXCHANGE_TIMEOUT", "10"))
# A delivery still failing this long after its first attempt stops retrying and waits for "Gửi lại".
KEHOACH_EXCHANGE_MAX_AGE_HOURS = float(os.environ.get("KEHOACH_EXCHANGE_MAX_AGE_HOURS", "72"))
