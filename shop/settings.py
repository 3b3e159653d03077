"""Settings, all from the environment (12-factor). See README "Configuration"."""

import warnings
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from shop import shop_language

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# "production" switches on the hardened settings that `check --deploy` expects.
SHOP_ENV = env.str("SHOP_ENV", default="development")
PRODUCTION = SHOP_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="" if PRODUCTION else "dev-insecure-secret-key-change-me-0123456789abcdefghijklmnop",
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when SHOP_ENV=production")
# Key rotation: the previous key(s) here keep sessions and signed links valid until they expire.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Translatable shop content (helpdesk topics and canned replies, later the catalog):
    # before django.contrib.admin so its admin integration is loaded first.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "django_otp",
    "shop.otp_apps.TOTPConfig",  # django_otp.plugins.otp_totp with a human name
    "shop.otp_apps.StaticOTPConfig",  # django_otp.plugins.otp_static with a human name
    "imagekit",  # product pictures: resized WebP/JPEG versions
    "import_export",  # product import/export (CSV/XLSX) in the backoffice
    # Our apps layer by layer, lowest first (ARCHITECTURE.md "Layers"): the ops commands
    # run the apps' demo.py / benchmarks.py in this order.
    "shop",
    "customers",
    "orders",
    "vouchers",
    "giftcards",
    "helpdesk",
    "reviews",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shop.csp.ContentSecurityPolicyMiddleware",  # no-op unless CSP is set (production)
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: from the storefront URL (/pl/…), else the cookie/browser (backoffice).
    "shop.middleware.ShopLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # NUL bytes (and lone surrogates) in the URL, query or form data: a 400 page, before
    # any view or form passes them to PostgreSQL, which cannot store them.
    "shop.middleware.RejectUnstorableInputMiddleware",
    "shop.middleware.StatementTimeoutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shop.twofactor.KeptDeviceOTPMiddleware",  # django-otp's, the device kept (staffrows)
    # The backoffice in the staff member's own language (the login page: the browser's).
    "shop.middleware.BackofficeLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the response as the view returned it (S11 access log).
    "privacy.middleware.AccessLogMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

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
                "shop.context_processors.storefront",
            ],
        },
    },
]
# Plain text (the text part of every e-mail and the templates it includes): the same
# templates, tags and filters without HTML escaping — "O'Brien & Söhne" stays as typed, where
# the HTML engine would write "O&#x27;Brien &amp; Söhne". shop.mail renders .txt with it.
TEMPLATES.append(
    {
        **TEMPLATES[0],
        "NAME": "text",
        "OPTIONS": {**TEMPLATES[0]["OPTIONS"], "autoescape": False},
    }
)

# Database: PostgreSQL in production and tests, an embedded SQLite file for `make run`.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Least privilege: web and workers connect as DATABASE_URL's role, which may not change the
# access log; `manage.py migrate` connects as the owner role given here (empty: the same
# role as DATABASE_URL, e.g. `make run`, `make test`). See README "Database roles".
MIGRATE_DATABASE = (
    env.db_url("MIGRATE_DATABASE_URL") if env.str("MIGRATE_DATABASE_URL", default="") else None
)
# Persistent connections in production: opening a PostgreSQL connection (a new server
# process) per request cost more than a whole cached page (issue 28); a reused connection
# is checked before each request. Behind a transaction-mode pooler set CONN_MAX_AGE=0.
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that asks the server only when it said something
    # (shop/postgresql/base.py): no SELECT 1 before each request.
    DATABASES["default"]["ENGINE"] = "shop.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    # libpq's connect_timeout (whole seconds, at least 2): a database host that does not
    # answer fails the request instead of holding the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", max(2, env.int("DB_CONNECT_TIMEOUT", default=5))
    )
# Longest a single SQL statement of a storefront request may run (seconds, 0 = no limit).
# Set per request by shop.middleware.StatementTimeoutMiddleware, so backoffice pages, Celery
# jobs and ops commands (bulk generation, exports, reports) are not limited.
STOREFRONT_STATEMENT_TIMEOUT = env.float("STOREFRONT_STATEMENT_TIMEOUT", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "customers.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "customers.backends.ShopUserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous has no object perms
GUARDIAN_RAISE_403 = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "customers:login"
LOGIN_REDIRECT_URL = "customers:account"
LOGOUT_REDIRECT_URL = "shop:home"

# Login throttling (storefront and backoffice) with django-axes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# Per username AND IP (the inner list combines them): ["username", "ip_address"] would lock
# by username OR IP — a stranger's five tries would lock a user out from everywhere, and one
# user's typos everybody behind the same IP.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "shop.logins.throttle_username"  # one count per address, any spelling
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "customers.views.lockout"  # "too many attempts, try again later" page
# Data minimisation: the throttle needs the failed logins, not a record of every successful
# one (axes_accesslog: address, IP, browser, time, kept for ever). The failed ones
# (axes_accessattempt, axes_accessfailurelog) are deleted by the daily retention run after
# LOGIN_RECORDS_RETENTION_DAYS and with an erased customer (shop.logins).
AXES_DISABLE_ACCESS_LOG = True
LOGIN_RECORDS_RETENTION_DAYS = env.int("LOGIN_RECORDS_RETENTION_DAYS", default=30)
if LOGIN_RECORDS_RETENTION_DAYS < 1:
    raise environ.ImproperlyConfigured("LOGIN_RECORDS_RETENTION_DAYS must be 1 or more")
# The current password a logged-in customer types to change the login address or the
# password: at most this many wrong ones per account and window (a stolen session must not
# be a way to guess it).
ACCOUNT_PASSWORD_CHECK_LIMIT = env.int("ACCOUNT_PASSWORD_CHECK_LIMIT", default=5)
ACCOUNT_PASSWORD_CHECK_SECONDS = env.int("ACCOUNT_PASSWORD_CHECK_SECONDS", default=15 * 60)
# How often a customer may download their own personal data ("Download my data", privacy).
PRIVACY_OWN_DATA_DOWNLOADS_PER_HOUR = env.int("PRIVACY_OWN_DATA_DOWNLOADS_PER_HOUR", default=3)
AXES_CLIENT_IP_CALLABLE = "shop.clientip.client_ip"  # the same client address as everywhere

# Reverse proxies in front of the shop that append the client address to X-Forwarded-For:
# 0 = none, the header is ignored (a client could write anything into it); N = the client is
# the address N hops from the right end of the header (shop/clientip.py).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
if TRUSTED_PROXY_HOPS < 0:
    raise environ.ImproperlyConfigured("TRUSTED_PROXY_HOPS must be 0 or more")
# django-axes asks AXES_CLIENT_IP_CALLABLE first; its own proxy setting (used only without
# the callable, e.g. by its management commands' helpers) follows the same number of hops.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_HOPS
# Days an operator-created customer's confirmation link stays valid.
ACCOUNT_CONFIRMATION_DAYS = env.int("ACCOUNT_CONFIRMATION_DAYS", default=3)

# Staff must confirm a TOTP device (or use a recovery code) before reaching the backoffice.
BACKOFFICE_REQUIRE_2FA = env.bool("BACKOFFICE_REQUIRE_2FA", default=True)

LANGUAGES = [("en", _("English")), ("de", _("German")), ("pl", _("Polish")), ("da", _("Danish"))]
# The shop's own language (SHOP_LANGUAGE): its unprefixed storefront URLs (the others are
# /de/…, /en/…), e-mails to addresses without a staff account, new accounts, and what an empty
# translation falls back to. Changing it on a running shop: README "Languages".
LANGUAGE_CODE = shop_language.from_env(env.str("SHOP_LANGUAGE", default="en"), LANGUAGES)
LOCALE_PATHS = [BASE_DIR / "locale"]
# django-modeltranslation: one column per language (name_en, name_de …); an empty
# translation falls back to the shop's default language.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# modeltranslation names the per-language copy of an index over a translated field itself
# (product_active_category_name → one per language, shop/0013) and says so on every start.
warnings.filterwarnings(
    "ignore", message=r"Index name .* exceeds 30 characters", module="modeltranslation"
)
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
# One date and one date-time format per language (shop/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["shop.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it (filled by collectstatic)
# Files served at the site root by WhiteNoise (favicon.ico, which browsers ask for unasked).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Downloadable product files are private: never served from MEDIA_URL.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploaded product imports between preview and confirmation (PRIVATE_MEDIA_ROOT/imports).
    "import_export": {"BACKEND": "shop.catalog_import.ImportFileStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Redis: the shared cache (rate limits, …) when REDIS_URL is set; local otherwise. Every
# call has a socket timeout; a failing Redis is answered as a cache miss and skipped for
# REDIS_RETRY_AFTER seconds (shop/cache.py), so a hung Redis slows no request by more than
# one timeout.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.5)
REDIS_RETRY_AFTER = env.float("REDIS_RETRY_AFTER", default=10)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "shop.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="shop"),
            "OPTIONS": {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered storefront fragments (product cards, a product page's own part), kept in each
# process: their keys name the exact version of what they show (Product.fragment_key), so
# they are never invalidated, only dropped when unused; nothing to share between nodes.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": env.int("FRAGMENT_CACHE_ENTRIES", default=5000)},
}
# Whole storefront pages for guests (shop/pagecache.py), kept in each process: their keys
# name the storefront version, which every change of what they show moves on, so they are
# never stale; PAGE_CACHE_SECONDS bounds their life (0: no page cache).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Rendered backoffice lists (the orders list) each web process keeps, per staff member and
# URL, keyed by the version of their rows (shop.keptlists); 0 turns them off.
BACKOFFICE_PAGE_ENTRIES = env.int("BACKOFFICE_PAGE_ENTRIES", default=100)
CACHES["storefront_pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "storefront-pages",
    "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_ENTRIES", default=500)},
}
# A web process freezes its loaded objects out of the garbage collector's scans at start and
# after this many requests (shop/memory.py; 0: never).
GC_FREEZE_AFTER_REQUESTS = env.int("GC_FREEZE_AFTER_REQUESTS", default=500)
# Sessions live in PostgreSQL only (shared by every web node). Not cached_db: a session
# deleted (logout) or changed while Redis was unreachable would come back from the stale
# cache entry once Redis answers again. Django's database store in one statement per write
# (shop/sessions.py).
SESSION_ENGINE = "shop.sessions"
# How long a session (a guest's cart, a login) lasts after its last change.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

# Celery: with no broker configured, tasks run in-process (eagerly).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# Every broker call (connect, publish, read) gives up after BROKER_TIMEOUT seconds, and a
# publish is not retried: the web request that hands an e-mail or a job to Celery after
# commit waits at most about that long when the broker hangs. The outbox row stays pending
# and beat hands it over again (shop.celery.hand_off); for BROKER_RETRY_AFTER seconds after a
# failure the process does not try the broker at all.
BROKER_TIMEOUT = env.float("BROKER_TIMEOUT", default=1)
BROKER_RETRY_AFTER = env.float("BROKER_RETRY_AFTER", default=30)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_timeout": BROKER_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TIMEZONE = TIME_ZONE
# Code jobs (vouchers): a running job writes a heartbeat to its row every
# JOB_HEARTBEAT_INTERVAL seconds; beat restarts a job whose heartbeat is older than
# JOB_STALE_AFTER (its worker died) — at most JOB_MAX_ATTEMPTS runs, then it is failed.
JOB_HEARTBEAT_INTERVAL = env.float("JOB_HEARTBEAT_INTERVAL", default=2)
JOB_STALE_AFTER = env.float("JOB_STALE_AFTER", default=30)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)

# E-mail: EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…); default console + var/mail/*.eml.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "shop.mail.ConsoleAndFileBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)  # SMTP socket timeout (the worker)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nordlicht Shop <shop@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OPERATOR_EMAIL = env.str("OPERATOR_EMAIL", default="operator@example.com")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# Sent e-mails hold personal data (names, addresses, order contents): the daily retention
# run (shop.retention) deletes them after this many days (0 keeps them).
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=90)
# Helpdesk: customers' e-mail replies are fetched from this mailbox by a beat task.
IMAP_URL = env.str("IMAP_URL", default="")
# Helpdesk attachments (stored under PRIVATE_MEDIA_ROOT, served only after a permission check):
# the largest file, the most files per message and the allowed file types (extensions).
HELPDESK_ATTACHMENT_MAX_BYTES = env.int("HELPDESK_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
HELPDESK_ATTACHMENT_MAX_FILES = env.int("HELPDESK_ATTACHMENT_MAX_FILES", default=5)
HELPDESK_ATTACHMENT_TYPES = [
    ext.strip().lower().lstrip(".")
    for ext in env.list(
        "HELPDESK_ATTACHMENT_TYPES",
        default=["pdf", "jpg", "jpeg", "png", "gif", "webp", "txt", "csv", "docx", "xlsx", "odt"],
    )
    if ext.strip()
]
IMAP_TIMEOUT = env.float("IMAP_TIMEOUT", default=30)
# /healthz answers within this many seconds; a check still running then counts as failing.
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=2)
# /bench/bare, the bare view of `manage.py bench --http` (set by the bench for its own
# gunicorn; leave it off everywhere else).
BENCH_BARE_VIEW = env.bool("BENCH_BARE_VIEW", default=False)

SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="EUR")

# Product pictures (stored under MEDIA_ROOT): the largest upload and the most pixels. The
# resized versions (240/480/960 px, WebP and JPEG) are written by django-imagekit when a
# picture is saved (Optimistic: no existence check per page view, no database rows).
PRODUCT_IMAGE_MAX_BYTES = env.int("PRODUCT_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
PRODUCT_IMAGE_MAX_PIXELS = env.int("PRODUCT_IMAGE_MAX_PIXELS", default=25_000_000)
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_DEFAULT_CACHEFILE_BACKEND = "shop.images.CheckedFileBackend"
IMAGEKIT_CACHEFILE_DIR = "products/resized"
# Serve MEDIA_URL from Django (development, or a single host without a web server in front).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
# django-import-export: imports run in one transaction (all rows or none).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Off: it wrote every XLSX cell as text ("None", "False") and dropped a leading "=" for good.
# The product export neutralises formulas itself, as the shop's other exports do
# (shop.catalog_import.ProductResource.export_field, shop.exports.escape_formula).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"


# DATEV booking export (orders.datev, `manage.py export_bookings`): the tax consultant's and
# the client's number, the length of the general-ledger accounts, the first day of the
# fiscal year (MM-DD), the chart of accounts (03 = SKR03, 04 = SKR04), the debtor account the
# invoices are booked on and the revenue account per VAT rate ("rate=account,…").
DATEV_CONSULTANT_NUMBER = env.int("DATEV_CONSULTANT_NUMBER", default=1001)
DATEV_CLIENT_NUMBER = env.int("DATEV_CLIENT_NUMBER", default=1)
DATEV_ACCOUNT_LENGTH = env.int("DATEV_ACCOUNT_LENGTH", default=4)
DATEV_FISCAL_YEAR_START = env.str("DATEV_FISCAL_YEAR_START", default="01-01")
DATEV_CHART = env.str("DATEV_CHART", default="03")
DATEV_DEBTOR_ACCOUNT = env.str("DATEV_DEBTOR_ACCOUNT", default="10000")
DATEV_REVENUE_ACCOUNTS = env.str("DATEV_REVENUE_ACCOUNTS", default="19=8400,7=8300,0=8200")
# Accounts by EN 16931 category instead of rate: gift cards sold (E: a liability until
# redeemed, "Verbindlichkeiten aus Gutscheinen", set up by the consultant), intra-community
# supplies (K, SKR03 8125), reverse-charge services (AE, SKR03 8337) and export deliveries
# (G, SKR03 8120 "Steuerfreie Umsätze § 4 Nr. 1a UStG").
DATEV_CATEGORY_ACCOUNTS = env.str("DATEV_CATEGORY_ACCOUNTS", default="E=1604,K=8125,AE=8337,G=8120")

# Goods shipped to a country outside the EU are an export delivery, VAT-exempt (§ 4 Nr. 1a /
# § 6 UStG, Art. 146 VAT Directive): priced net, invoiced as EN 16931 category G (orders.vat).
# Off: such orders are taxed like domestic ones — for a seller who cannot keep the proof of
# export (Ausfuhrnachweis) the exemption depends on.
EXPORT_VAT_EXEMPT = env.bool("EXPORT_VAT_EXEMPT", default=True)

# A buyer's VAT ID is confirmed with the EU's VIES service before an order goes out without
# VAT (reverse charge; customers.vies): the REST endpoint, seconds to wait for it, and hours a
# confirmation is reused. Empty (the default outside production, and in the test suite): no
# check, format and check digit only.
VIES_URL = env.str(
    "VIES_URL",
    default=(
        "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number" if PRODUCTION else ""
    ),
)
VIES_TIMEOUT = env.float("VIES_TIMEOUT", default=5)
VIES_CACHE_HOURS = env.float("VIES_CACHE_HOURS", default=24)

# The distance-sales threshold (§ 3c Abs. 4 UStG, Art. 59c VAT Directive), in SHOP_CURRENCY:
# net sales to consumers in other EU member states up to it in the current and the previous
# year may be taxed at the seller's country's rates, as this shop does. The sales report and
# the start page watch it (orders.accounting.distance_sales).
DISTANCE_SALES_THRESHOLD = env.int("DISTANCE_SALES_THRESHOLD", default=10000)

# S11: whole months of access-log entries older than this are dropped by the daily
# retention run (and `manage.py purge_access_log`); the database refuses anything shorter
# than the value at the last `migrate`.
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)
if ACCESS_LOG_RETENTION_DAYS < 1:
    raise environ.ImproperlyConfigured("ACCESS_LOG_RETENTION_DAYS must be 1 or more")
# The data protection officer: gets the daily digest of the access log's newest hash.
DATA_PROTECTION_EMAIL = env.str("DATA_PROTECTION_EMAIL", default=OPERATOR_EMAIL)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Content-Security-Policy (shop/csp.py): on in production, override with CSP="…" or turn it
# off with CSP="" (storefront and admin use inline scripts/styles, hence 'unsafe-inline').
CSP = env.str(
    "CSP",
    default=(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"
    )
    if PRODUCTION
    else "",
)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# One handler, on the root logger. Django's own default config also gives the "django"
# logger a console handler (active with DEBUG), so every record of django.request was
# printed twice — by that handler and again by ours through propagation. Client errors
# (403, 404, 400) are logged as one line, without the traceback of the exception that
# produced them; server errors keep theirs.
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_without_traceback": {"()": "shop.logfilters.ClientErrorsWithoutTraceback"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_errors_without_traceback"],
        }
    },
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Evidence, whatever LOG_LEVEL says: the access log's daily digest, the retention runs.
        "privacy.access_log": {"level": "INFO"},
        "shop.retention": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
