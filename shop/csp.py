"""Content-Security-Policy header (SPEC S16). Django 5.2 has no built-in CSP support.

The policy comes from ``settings.CSP`` (env ``CSP``; on by default in production, off in
development). When the external partner network is enabled (SPEC S12), the origin of its
script URL is added to ``script-src`` so the success page can load it. The origin is cached
briefly, and dropped from the cache whenever the shop settings are saved.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from .models import ShopSettings

CACHE_KEY = "shop:csp:partner-origin"
CACHE_SECONDS = 60


def partner_script_origin():
    """``https://host[:port]`` of the partner-network script, or "" when it is off."""
    origin = cache.get(CACHE_KEY)
    if origin is None:
        shop = ShopSettings.load()
        origin = ""
        if shop.partner_network_enabled and shop.partner_network_script_url:
            parts = urlsplit(shop.partner_network_script_url)
            if parts.scheme in ("https", "http") and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
        cache.set(CACHE_KEY, origin, CACHE_SECONDS)
    return origin


def build_policy(policy, extra_script_origin=""):
    """Add ``extra_script_origin`` to the policy's ``script-src`` (or create one)."""
    if not extra_script_origin:
        return policy
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    for i, directive in enumerate(directives):
        if directive.split()[0].lower() == "script-src":
            if extra_script_origin not in directive.split()[1:]:
                directives[i] = f"{directive} {extra_script_origin}"
            break
    else:
        directives.append(f"script-src 'self' {extra_script_origin}")
    return "; ".join(directives)


def forget_origin(sender, **kwargs):
    """The partner script origin may have changed: receiver of ShopSettings' post_save."""
    cache.delete(CACHE_KEY)


class ContentSecurityPolicyMiddleware:
    """Set the CSP header on every response that has none yet (a view may set its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CSP", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = build_policy(policy, partner_script_origin())
        return response
