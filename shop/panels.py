"""Extension points for pages that several apps contribute to.

An app registers a panel (a template and a function returning its context) in its
``AppConfig.ready()``; the page renders every registered panel in ``order``::

    from shop import panels
    panels.ACCOUNT_ORDER.register("helpdesk/_order_threads.html", thread_context, order=50)

and the page template does ``{% load panels %}{% render_panels "account_order" order %}``.

A panel on a backoffice page shows another app's data, so it declares what its viewer must
be allowed to see — ``permission="orders.view_order"`` (several: all of them; a callable
``user -> bool`` for a panel that checks object permissions itself) — and is rendered only
for a viewer who has it: the page's own permission (view a customer) says nothing about the
orders, credit or threads shown on it. A backoffice registry refuses a panel without one.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


@dataclass
class Panel:
    template: str
    context: callable
    order: int
    permission: object = None

    def shown_to(self, request):
        """Whether the viewer of ``request`` may see this panel (no viewer: only a panel
        without a permission)."""
        if self.permission is None:
            return True
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if callable(self.permission):
            return bool(self.permission(user))
        perms = [self.permission] if isinstance(self.permission, str) else self.permission
        return user.has_perms(perms)


class PanelRegistry:
    def __init__(self, name, backoffice=False):
        self.name = name
        self.backoffice = backoffice
        self._panels = []

    def register(self, template, context=None, order=100, permission=None):
        if self.backoffice and permission is None:
            raise ImproperlyConfigured(
                f"The backoffice panel {template} on {self.name!r} needs permission=…: "
                "what its viewer must be allowed to see."
            )
        if any(p.template == template for p in self._panels):
            return  # ready() may run twice in some test set-ups
        self._panels.append(
            Panel(template, context or (lambda request, obj: {}), order, permission)
        )
        self._panels.sort(key=lambda p: p.order)

    def shown(self, request):
        """The panels the viewer of ``request`` may see, in order."""
        return [panel for panel in self._panels if panel.shown_to(request)]

    def render(self, request, obj):
        """Every panel of ``obj`` as HTML, outside a page (each with its own context)."""
        parts = []
        for panel in self.shown(request):
            ctx = panel.context(request, obj)
            if ctx is not None:
                parts.append(
                    render_to_string(panel.template, {"object": obj, **ctx}, request=request)
                )
        return mark_safe("".join(parts))

    def render_in(self, context, obj):
        """Render every panel inside the page's template ``context`` (like ``{% include %}``:
        the page's context processors are not run again for each panel)."""
        request = context.get("request")
        engine = context.template.engine
        parts = []
        for panel in self.shown(request):
            ctx = panel.context(request, obj)
            if ctx is None:  # the panel has nothing to show for this object
                continue
            with context.push({"object": obj, **ctx}):
                parts.append(engine.get_template(panel.template).render(context))
        return mark_safe("".join(parts))


REGISTRIES = {}


def registry(name, backoffice=False):
    return REGISTRIES.setdefault(name, PanelRegistry(name, backoffice))


ACCOUNT_HOME = registry("account_home")  # storefront account start page, obj = user
ACCOUNT_ORDER = registry("account_order")  # storefront order detail, obj = order
CART = registry("cart")  # storefront cart page, obj = the session Cart
PRODUCT_PAGE = registry("product_page")  # storefront product detail, obj = product
CHECKOUT = registry("checkout")  # codes and stored value on the checkout page, obj = the form
CHECKOUT_SUCCESS = registry("checkout_success")  # success page, obj = order
# Backoffice pages: each panel declares the permission its viewer needs (see above).
BACKOFFICE_ORDER = registry("backoffice_order", backoffice=True)  # order detail, obj = order
# customer detail page and its print (PDF), obj = user
BACKOFFICE_CUSTOMER = registry("backoffice_customer", backoffice=True)
# What deleting a customer does besides removing the account (confirmation page), obj = user
BACKOFFICE_CUSTOMER_DELETE = registry("backoffice_customer_delete", backoffice=True)
