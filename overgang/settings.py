"""Overgang's one settings module, driven by environment variables.

Every setting read from the environment goes through a strict helper: a value we do
not understand stops start-up with a message naming the variable. ``OVERGANG_MODE``
says what kind of installation this is:

- ``production`` (the default): refuses a missing or default secret key, missing field
  keys, ``DEBUG`` on and the TOTP waiver;
- ``demo``: set by ``overgang demo`` (fictional data, keys generated under ``var/``);
- ``development`` and ``test``: for developers and the test suite.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from overgang.lib import clientip, dburl

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name, default, minimum=0):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_secret(name):
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    return os.environ.get(name, "").strip()


MODE = env("OVERGANG_MODE", "production")
if MODE not in {"production", "demo", "development", "test"}:
    raise ImproperlyConfigured(f"OVERGANG_MODE must be production, demo, development or test; got {MODE!r}")
PRODUCTION = MODE == "production"

VAR_DIR = Path(env("OVERGANG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

_INSECURE_DEV_KEY = "overgang-development-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY or SECRET_KEY_FILE must be set in production")
    SECRET_KEY = _INSECURE_DEV_KEY
if PRODUCTION and (SECRET_KEY == _INSECURE_DEV_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters in production")

# Master keys for field encryption (MultiFernet: the first encrypts, all decrypt).
_field_keys = env_secret("OVERGANG_FIELD_KEYS").replace("\n", ",")
OVERGANG_FIELD_KEYS = [k.strip() for k in _field_keys.split(",") if k.strip()]
if not OVERGANG_FIELD_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("OVERGANG_FIELD_KEYS or OVERGANG_FIELD_KEYS_FILE must be set in production")
    # A fixed key for development and tests only; demo installations generate their own.
    OVERGANG_FIELD_KEYS = ["b3ZlcmdhbmctZGV2ZWxvcG1lbnQta2V5LTAxMjM0NTY="]

# Keys for the audit log's HMAC chain (SECURITY.md): kept outside the database like the
# field keys, so whoever can write the database still cannot rewrite history unnoticed.
# The first key signs new events; older keys only verify the events written before it.
_audit_keys = env_secret("OVERGANG_AUDIT_KEYS").replace("\n", ",")
OVERGANG_AUDIT_KEYS = [k.strip() for k in _audit_keys.split(",") if k.strip()]
if not OVERGANG_AUDIT_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("OVERGANG_AUDIT_KEYS or OVERGANG_AUDIT_KEYS_FILE must be set in production")
    # A fixed key for development and tests only; demo installations generate their own.
    OVERGANG_AUDIT_KEYS = ["overgang-development-audit-key-never-use-in-production"]
if PRODUCTION and any(len(k) < 32 for k in OVERGANG_AUDIT_KEYS):
    raise ImproperlyConfigured("OVERGANG_AUDIT_KEYS: every key must be a random value of at least 32 characters")
# Where `overgang audit anchor` writes the log's head: file:PATH (one JSON line per
# anchor, appended), syslog (the local /dev/log) or syslog://HOST:PORT (UDP).
OVERGANG_AUDIT_ANCHOR = env("OVERGANG_AUDIT_ANCHOR", f"file:{VAR_DIR / 'audit-anchors.log'}")

try:
    DATABASES = {
        "default": dburl.parse(env("DATABASE_URL", "sqlite:///var/overgang.sqlite3"), BASE_DIR)
    }
except dburl.DatabaseUrlError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

# The key store (lib/keystore.py): the citizens' data keys outside the database and its
# backups, so erasing a citizen destroys the only copy of their key. A PostgreSQL database
# of its own (several hosts) or a SQLite file; by default, beside a SQLite database, the
# file <name>.keys.sqlite3. "database" keeps the keys in the database (the documented
# limit: every database backup then holds the keys of the citizens erased since).
_key_store_url = env("OVERGANG_KEY_STORE", "")
if not _key_store_url and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    _db_path = Path(DATABASES["default"]["NAME"])
    _key_store_url = "sqlite:///" + str(_db_path.with_name(_db_path.stem + ".keys.sqlite3"))
if _key_store_url in ("", "database"):
    OVERGANG_KEY_STORE = None
else:
    try:
        OVERGANG_KEY_STORE = dburl.parse(_key_store_url, BASE_DIR)
    except dburl.DatabaseUrlError as exc:
        raise ImproperlyConfigured(f"OVERGANG_KEY_STORE: {exc} (or 'database')") from None
    _same = (OVERGANG_KEY_STORE["ENGINE"], OVERGANG_KEY_STORE["NAME"], OVERGANG_KEY_STORE.get("HOST", ""),
             OVERGANG_KEY_STORE.get("PORT", ""))
    if _same == (DATABASES["default"]["ENGINE"], DATABASES["default"]["NAME"], DATABASES["default"].get("HOST", ""),
                 DATABASES["default"].get("PORT", "")):
        raise ImproperlyConfigured("OVERGANG_KEY_STORE must be another database than DATABASE_URL: "
                                   "a key store inside the database would be in its backups")

# A PostgreSQL read replica for the report, evaluator exports and leader dashboards
# (lib/replica.py); writes, access decisions and citizen pages stay on the primary.
_replica_url = env("DATABASE_REPLICA_URL", "")
if _replica_url:
    try:
        DATABASES["replica"] = dburl.parse(_replica_url, BASE_DIR)
    except dburl.DatabaseUrlError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL: {exc}") from None
    if not DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL (a read replica of the primary)")
OVERGANG_READ_REPLICA = bool(_replica_url)
DATABASE_ROUTERS = ["overgang.lib.replica.ReplicaRouter"]

if DEBUG and (PRODUCTION or DATABASES["default"]["ENGINE"].endswith("postgresql")):
    raise ImproperlyConfigured("DEBUG can only be on in development or demo mode on SQLite, never in production")

# TOTP is required for every role; a demo installation may waive it, production never.
OVERGANG_TOTP_WAIVED = env_bool("OVERGANG_TOTP_WAIVED", MODE == "demo")
if OVERGANG_TOTP_WAIVED and PRODUCTION:
    raise ImproperlyConfigured("OVERGANG_TOTP_WAIVED cannot be on in production")

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "overgang.audit",
    "overgang.accounts",
    "overgang.citizens",
    "overgang.instruments",
    "overgang.programmes",
    "overgang.measurements",
    "overgang.courses",
    "overgang.evaluation",
    "overgang.exports",
    "overgang.reminders",
    "overgang.sso",
    "overgang.rights",
    "overgang.synthetic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "overgang.lib.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A second session cookie (SameSite=None) for the SAML exchange: the IdP's POST to
    # the assertion consumer is cross-site and must not carry the main session cookie.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "overgang.lib.middleware.language",
    "overgang.lib.middleware.data_keys",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "overgang.lib.errors.KeyErrors",
    "django.contrib.messages.middleware.MessageMiddleware",
    "overgang.audit.middleware.request_context",
    "overgang.accounts.middleware.session_guard",
    "overgang.accounts.middleware.require_second_factor",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "overgang.urls"
WSGI_APPLICATION = "overgang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "overgang.accounts.context_processors.roles",
            ],
            "builtins": ["overgang.lib.dates"],  # the shortdate filter
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Django's similarity check lets "carlacarla12" and "aaaaaaaaaaaa" through.
    {"NAME": "overgang.accounts.passwords.ContainsUserAttributeValidator"},
    {"NAME": "overgang.accounts.passwords.RepetitionValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

# Reverse proxies whose X-Forwarded-For is believed (lib/clientip.py): the client address
# for lockout and audit is the rightmost hop that is not one of these.
try:
    TRUSTED_PROXIES = clientip.parse_networks(env("TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None

# Lockout: per account and per IP address, within a sliding window.
OVERGANG_LOCKOUT_ACCOUNT_FAILURES = env_int("OVERGANG_LOCKOUT_ACCOUNT_FAILURES", 5, minimum=1)
OVERGANG_LOCKOUT_IP_FAILURES = env_int("OVERGANG_LOCKOUT_IP_FAILURES", 20, minimum=1)
OVERGANG_LOCKOUT_MINUTES = env_int("OVERGANG_LOCKOUT_MINUTES", 15, minimum=1)
# Idle session timeout (security.md: 15 minutes).
OVERGANG_IDLE_TIMEOUT_MINUTES = env_int("OVERGANG_IDLE_TIMEOUT_MINUTES", 15, minimum=1)

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("OVERGANG_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["overgang.formats"]  # day-first dates in English too
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

OTP_TOTP_ISSUER = "Overgang"

# E-mail reminders (``overgang reminders send``): an SMTP server, and the address the
# links in the mails start with. The mails hold counts and links only.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "overgang@localhost")
OVERGANG_BASE_URL = env("OVERGANG_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
# Single sign-on (SAML 2.0 or OpenID Connect), off unless configured: see overgang/sso.
from overgang.sso.env import sso_settings  # noqa: E402

globals().update(sso_settings(env, env_bool, env_int, env_secret, production=PRODUCTION))
SAML_SESSION_COOKIE_NAME = "overgang_saml"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"  # a signed query, no inline script
SAML_IGNORE_LOGOUT_ERRORS = True  # the local session is already gone when the IdP answers
SAML_CSP_HANDLER = ""  # our own Content-Security-Policy middleware covers the SAML pages
LOGOUT_REDIRECT_URL = LOGIN_URL
# Browsers drop SameSite=None cookies that are not Secure; without HTTPS (development,
# tests on one host) Lax still reaches the assertion consumer.
SAML_SESSION_COOKIE_SAMESITE = "None" if SECURE else "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
