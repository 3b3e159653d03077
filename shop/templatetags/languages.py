"""The storefront's languages in templates: the switcher's names (each language in its own
language: Deutsch, Polski, Dansk, English) and the ``<link rel="alternate" hreflang>`` links
that tell search engines the same page in the other languages."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info, override

register = template.Library()


@register.simple_tag
def language_choices():
    """``[(code, name)]`` of the shop's languages, each named in its own language."""
    return [
        (code, capfirst(get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """``[{"hreflang", "href"}]``: this page in every language, absolute, plus ``x-default``
    (the unprefixed default-language URL). Empty for a page that is not a storefront page.

    What ``translate_url`` does for each language, on the match the request was routed by
    (one reverse per language, no resolve)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or request.method not in ("GET", "HEAD"):
        return []
    query = request.META.get("QUERY_STRING", "")
    hrefs = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            try:
                path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                path = request.path
        hrefs[code] = request.build_absolute_uri(f"{path}?{query}" if query else path)
    links = [{"hreflang": code, "href": href} for code, href in hrefs.items()]
    links.append({"hreflang": "x-default", "href": hrefs[settings.LANGUAGE_CODE]})
    return links
