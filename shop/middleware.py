"""Request guards that hold for every page of the shop."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import get_resolver, get_urlconf, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from django.utils.translation.trans_real import parse_accept_lang_header

from . import db

BACKOFFICE_PREFIX = "/backoffice/"

# What PostgreSQL cannot store in a text column: the NUL character, and lone UTF-16
# surrogates (psycopg cannot even encode them as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text):
    """True if ``text`` holds a character PostgreSQL refuses."""
    return bool(UNSTORABLE.search(text))


class RejectUnstorableInputMiddleware:
    """Answer 400 when the path, the query string or the form data's names or upload file
    names hold a character PostgreSQL cannot store; drop such characters from posted values.

    Forms reject NUL themselves (Django's CharField does), but views also read
    ``request.GET``/``request.POST`` directly — the product search, the cart's code box — and
    a NUL that reaches a query is a 500. One guard in front of every view covers both.
    A posted value is what a customer typed or pasted into a form (a message, a review, a
    checkout note): a 400 page there would lose the whole text for one invisible character,
    so the character is removed and the form handles the rest of the text as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            self._clean_posted_values(request)
        if self._bad(request):
            # Answered here rather than raised: with DEBUG on, Django would show its
            # technical error page for a BadRequest instead of the shop's 400 page.
            exc = BadRequest("Request holds characters that cannot be stored (NUL)")
            handler = get_resolver(get_urlconf()).resolve_error_handler(400)
            response = handler(request, exception=exc)
            log_response(
                "Bad request (unstorable characters): %s",
                request.path.replace("\x00", "\\x00"),
                response=response,
                request=request,
            )
            return response
        return self.get_response(request)

    @staticmethod
    def _clean_posted_values(request):
        try:
            post = request.POST
        except OSError:  # the client went away mid-upload; CSRF/the view answer that
            return
        if not any(unstorable(value) for _key, values in post.lists() for value in values):
            return
        cleaned = post.copy()
        for key, values in post.lists():
            cleaned.setlist(key, [UNSTORABLE.sub("", value) for value in values])
        cleaned._mutable = False
        request.POST = cleaned

    @staticmethod
    def _bad(request):
        if unstorable(request.path):
            return True
        sources = [request.GET]
        if request.method == "POST":
            try:
                sources += [request.POST, request.FILES]
            except OSError:  # the client went away mid-upload; CSRF/the view answer that
                pass
        for data in sources:
            for key, values in data.lists():
                if unstorable(key):
                    return True
                for value in values:
                    text = value if isinstance(value, str) else getattr(value, "name", "") or ""
                    if unstorable(text):
                        return True
        return False


class StatementTimeoutMiddleware:
    """Storefront requests run their SQL with ``STOREFRONT_STATEMENT_TIMEOUT``: a statement
    that hangs (lock wait, runaway plan) fails that request instead of holding a web worker
    until gunicorn kills it. Backoffice pages reset it — they run long legitimate statements
    (exports, reports); /healthz is left alone (it must answer even when the database does
    not, and checks it on a connection of its own); Celery jobs and ops commands never pass
    through here and keep the database default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":  # checks the database on its own connection, bounded
            return self.get_response(request)
        storefront = not request.path.startswith(BACKOFFICE_PREFIX)
        db.set_statement_timeout(settings.STOREFRONT_STATEMENT_TIMEOUT if storefront else 0)
        return self.get_response(request)


def accept_language(request):
    """The first language of the browser's Accept-Language header that the shop speaks,
    else the shop's default language. Cookies and URL prefixes are not consulted."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def staff_language(user):
    """The backoffice language a staff user chose (``language`` on the user), if the shop
    still offers it."""
    try:
        return translation.get_supported_language_variant(getattr(user, "language", "") or "")
    except LookupError:
        return None


class BackofficeLanguageMiddleware:
    """The backoffice (/backoffice/ only) speaks each staff member's own language: the one
    stored on their user (their "My language" page, or an admin on the staff user page).
    Before a staff member is logged in (the login page, the password reset) it follows the
    browser's Accept-Language, never the storefront's language cookie. The storefront's
    language (LocaleMiddleware) is left alone.

    Sits after the authentication middleware; LocaleMiddleware's response half then labels
    the page (Content-Language, Vary: Accept-Language) with the language chosen here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(BACKOFFICE_PREFIX):
            user = getattr(request, "user", None)
            language = None
            if user is not None and user.is_authenticated and user.is_staff:
                language = staff_language(user)
            language = language or accept_language(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


# Paths outside the storefront's language prefix (shop.urls): their language comes from the
# language cookie or the browser, as before the storefront had language URLs.
UNPREFIXED_PATHS = (BACKOFFICE_PREFIX, "/i18n/", "/healthz")


def storefront_path(path):
    """True for a path of the storefront (the part of the site under ``i18n_patterns``)."""
    unprefixed = (*UNPREFIXED_PATHS, settings.MEDIA_URL, settings.STATIC_URL)
    return not path.startswith(tuple(p for p in unprefixed if p and p != "/"))


class ShopLocaleMiddleware(LocaleMiddleware):
    """The language of a request.

    - Storefront: the URL says it (``/pl/cart/``); an unprefixed URL is the shop's default
      language. A visitor who picked another language (the language cookie the switcher
      sets) and opens an unprefixed page — an old bookmark, a link from an e-mail sent
      before — is redirected to the same page in their language (GET only, so no form is
      lost). Search engines send no cookie: they always get the page the URL names.
    - Everything else (the backoffice, the language switch, /healthz, media): the language
      cookie, then the browser's Accept-Language, as Django does without language URLs.
    """

    def process_request(self, request):
        if not storefront_path(request.path_info):
            language = None
            if request.path_info.startswith("/i18n/"):
                language = self.switched_from(request)
            translation.activate(language or translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return None
        super().process_request(request)
        if request.method not in ("GET", "HEAD"):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen or chosen == settings.LANGUAGE_CODE:
            return None
        if chosen not in dict(settings.LANGUAGES):
            return None
        here = request.get_full_path()
        there = translate_url(here, chosen)
        if there == here:  # not a page of ours (404): let it answer as it is
            return None
        response = HttpResponseRedirect(there)
        patch_vary_headers(response, ("Cookie",))
        return response

    @staticmethod
    def switched_from(request):
        """The language of the page the language switch was used on (its ``next`` or the
        referring page). Django's ``set_language`` finds that page in the new language by
        resolving its URL in the active language: with the browser's language active, a
        ``/de/…`` page of a visitor whose browser speaks Polish did not resolve, and the
        switch sent them back to the German page."""
        where = request.POST.get("next") or request.GET.get("next")
        path = urlsplit(where or request.META.get("HTTP_REFERER", "")).path
        if not path or not storefront_path(path):
            return None
        # A storefront page without a prefix is the shop's default language.
        return translation.get_language_from_path(path) or settings.LANGUAGE_CODE
