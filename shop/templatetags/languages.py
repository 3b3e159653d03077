"""The storefront's languages in templates: the switcher's names (each language in its own
language: Deutsch, Polski, Dansk, English) and the ``<link rel="alternate" hreflang>`` links
that tell search engines the same page in the other languages."""

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils.text import capfirst
from django.utils.translation import get_language_info

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
    (the unprefixed default-language URL). Empty for a page that is not a storefront page."""
    request = context.get("request")
    if request is None or request.method not in ("GET", "HEAD"):
        return []
    try:
        resolve(request.path_info)
    except Resolver404:
        return []
    here = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        links.append(
            {"hreflang": code, "href": request.build_absolute_uri(translate_url(here, code))}
        )
    default = request.build_absolute_uri(translate_url(here, settings.LANGUAGE_CODE))
    links.append({"hreflang": "x-default", "href": default})
    return links
