"""Content-Security-Policy header (SPEC S16). Django 5.2 has no built-in CSP support.

The policy comes from ``settings.CSP`` (env ``CSP``; on by default in production, off in
development) and is the same for every page. A view that needs another policy sets its own
header, which this middleware leaves alone — the partner network's frame page
(``vouchers.views.partner_frame``) is the only page that allows the partner's script origin.
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Set the CSP header on every response that has none yet (a view may set its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CSP", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
