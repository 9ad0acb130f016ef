"""Settings, from the environment, failing loudly on a bad value.

Every variable has a default that makes the demo run on SQLite. A secret can be given
directly or through `NAME_FILE` pointing at a file that holds it.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ASYLON_DATA_DIR", Path.cwd() / "var"))


def env(name: str, default: str = "") -> str:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    # An empty variable counts as unset, so `DATABASE_URL= asylon ...` means the default.
    return os.environ.get(name) or default


def envbool(name: str, default: str) -> bool:
    value = env(name, default).lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")
    return value in ("true", "1", "yes")


def envint(name: str, default: str) -> int:
    value = env(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = envbool("ASYLON_DEBUG", "false")
ASYLON_DEMO = envbool("ASYLON_DEMO", "true")
if DEBUG and not ASYLON_DEMO:
    # Django's debug pages show the request's body, its variables and the exception's text.
    raise ImproperlyConfigured("ASYLON_DEBUG shows personal data on error pages: it is for the demo only")
# The name of the transparency log, as its checkpoints carry it (C2SP tlog-checkpoint origin).
ASYLON_LOG_ORIGIN = env("ASYLON_LOG_ORIGIN", "asylon.example/log")
# The witnesses whose cosignatures publish a checkpoint: their verifier keys (`asylon witness
# --new-key` prints one), comma or newline separated, and how many must cosign.
ASYLON_WITNESS_KEYS = [k.strip() for k in env("ASYLON_WITNESS_KEYS").replace(",", "\n").splitlines() if k.strip()]
ASYLON_WITNESS_QUORUM = envint("ASYLON_WITNESS_QUORUM", "1")
if ASYLON_WITNESS_QUORUM < 1:
    raise ImproperlyConfigured("ASYLON_WITNESS_QUORUM must be at least 1: an unwitnessed checkpoint is not published")
for _vkey in ASYLON_WITNESS_KEYS:
    from asylon.transparency.note import COSIGNATURE_V1, NoteError, VerifierKey

    try:
        _witness = VerifierKey.parse(_vkey)
    except NoteError as error:
        raise ImproperlyConfigured(f"ASYLON_WITNESS_KEYS: {_vkey!r} is not a verifier key ({error})") from None
    if _witness.algorithm != COSIGNATURE_V1:
        raise ImproperlyConfigured(f"ASYLON_WITNESS_KEYS: {_vkey!r} is not a witness's cosignature key")
# The data keys (see asylon.dataprotection.keys): never in the database or the repository.
ASYLON_KEYS_FILE = env("ASYLON_KEYS_FILE") or str(DATA_DIR / "keys.json")
# The issuing keys of identity documents (see asylon.documents.keys): a root key per authority
# and a signer key per office; the demo creates them.
ASYLON_DOCUMENT_KEYS_FILE = env("ASYLON_DOCUMENT_KEYS_FILE") or str(DATA_DIR / "document-keys.json")
# Or the key file's content itself, for platforms that hand secrets over as variables; the
# file is then not read, and rotation and shredding (which rewrite it) are refused.
ASYLON_KEYS = os.environ.get("ASYLON_KEYS", "")
SECRET_KEY = env("ASYLON_SECRET_KEY")
if not SECRET_KEY:
    if not ASYLON_DEMO:
        raise ImproperlyConfigured("ASYLON_SECRET_KEY (or ASYLON_SECRET_KEY_FILE) is required outside the demo")
    # The demo only: a key that exists on this machine alone, never in the repository.
    key_file = DATA_DIR / "demo-secret-key"
    if not key_file.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()

ALLOWED_HOSTS = [h for h in env("ASYLON_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "asylon.accounts",
    "asylon.people",
    "asylon.cases",
    "asylon.documents",
    "asylon.safeguards",
    "asylon.api",
    "asylon.front",
    "asylon.identity",
    "asylon.transparency",
    "asylon.cli",
]

MIDDLEWARE = [
    # First, so that even a request another middleware refuses has its reference.
    "asylon.config.logs.RequestReference",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "asylon.accounts.middleware.SessionGuard",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "asylon.config.security.SecurityHeaders",
]

ROOT_URLCONF = "asylon.config.urls"
WSGI_APPLICATION = "asylon.config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'asylon.sqlite3'}"),
        conn_max_age=envint("ASYLON_DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for the lock instead of failing at once; WAL lets readers go on meanwhile.
    # mmap_size: the most SQLite maps (SQLITE_MAX_MMAP_SIZE, 2 GiB less 64 KiB), so that the
    # transparency log's tiles are read in place across connections, not through read() and
    # the per-connection page cache (a random proof at 10M entries reads a cold 16 KB tile).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=2147418112;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "front:login"
LOGIN_REDIRECT_URL = "front:queues"
LOGOUT_REDIRECT_URL = "front:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers per language: asylon/config/formats/<locale>/formats.py over Django's own.
FORMAT_MODULE_PATH = ["asylon.config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the apps' folders: no collectstatic step before serving. A
# deployment that collects them names the folder.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = env("ASYLON_STATIC_ROOT") or None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("ASYLON_SESSION_AGE", str(8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Outside the demo, Asylon runs behind HTTPS only.
SECURE = envbool("ASYLON_SECURE", "false" if ASYLON_DEMO else "true")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
if env("ASYLON_PROXY_SSL_HEADER"):
    # e.g. "HTTP_X_FORWARDED_PROTO" when a reverse proxy terminates TLS.
    SECURE_PROXY_SSL_HEADER = (env("ASYLON_PROXY_SSL_HEADER"), "https")

# Strong sign-in (asylon.accounts): "required" asks everyone who holds a role for a second
# factor; "offered", for the demo only, lets officers set one up without asking for it.
ASYLON_SECOND_FACTOR = env("ASYLON_SECOND_FACTOR", "required")
if ASYLON_SECOND_FACTOR not in ("required", "offered"):
    raise ImproperlyConfigured(f"ASYLON_SECOND_FACTOR must be required or offered, not {ASYLON_SECOND_FACTOR!r}")
ASYLON_SESSION_IDLE_MINUTES = envint("ASYLON_SESSION_IDLE_MINUTES", "30")
ASYLON_SESSION_MAX_HOURS = envint("ASYLON_SESSION_MAX_HOURS", "12")
# Security keys are bound to these; empty means the host and scheme the request came on.
ASYLON_WEBAUTHN_RP_ID = env("ASYLON_WEBAUTHN_RP_ID")
ASYLON_WEBAUTHN_ORIGIN = env("ASYLON_WEBAUTHN_ORIGIN")

# Argon2id first (OWASP ASVS 5.0 §11.4); older hashes are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# API bodies are small; a larger one is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("ASYLON_MAX_BODY_BYTES", str(256 * 1024))

NINJA_PAGINATION_PER_PAGE = 50

# No personal data in the log (docs/privacy.md): requests as "METHOD path status ref=…",
# query strings and exception messages withheld (asylon.config.logs.Redact).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "asylon.config.logs.Redact"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("ASYLON_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Replaces Django's handlers: mail_admins would mail the request with its body.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["redact"]},
        "django.security": {"filters": ["redact"]},
        # The development server's request lines; waitress writes none, only its errors.
        "django.server": {"handlers": [], "filters": ["redact"], "propagate": True},
        "waitress": {"filters": ["redact"]},
        # At DEBUG it would log each query's parameters: a searched name among them.
        "django.db.backends": {"level": "INFO"},
    },
}
