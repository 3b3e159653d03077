"""Extension points for pages that several apps contribute to.

An app registers a panel (a template and a function returning its context) in its
``AppConfig.ready()``; the page renders every registered panel in ``order``::

    from shop import panels
    panels.ACCOUNT_ORDER.register("helpdesk/_order_threads.html", thread_context, order=50)

and the page template does ``{% load panels %}{% render_panels "account_order" order %}``.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


@dataclass
class Panel:
    template: str
    context: callable
    order: int


class PanelRegistry:
    def __init__(self, name):
        self.name = name
        self._panels = []

    def register(self, template, context=None, order=100):
        if any(p.template == template for p in self._panels):
            return  # ready() may run twice in some test set-ups
        self._panels.append(Panel(template, context or (lambda request, obj: {}), order))
        self._panels.sort(key=lambda p: p.order)

    def render(self, request, obj):
        """Every panel of ``obj`` as HTML, outside a page (each with its own context)."""
        parts = []
        for panel in self._panels:
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
        for panel in self._panels:
            ctx = panel.context(request, obj)
            if ctx is None:  # the panel has nothing to show for this object
                continue
            with context.push({"object": obj, **ctx}):
                parts.append(engine.get_template(panel.template).render(context))
        return mark_safe("".join(parts))


REGISTRIES = {}


def registry(name):
    return REGISTRIES.setdefault(name, PanelRegistry(name))


ACCOUNT_HOME = registry("account_home")  # storefront account start page, obj = user
ACCOUNT_ORDER = registry("account_order")  # storefront order detail, obj = order
CART = registry("cart")  # storefront cart page, obj = the session Cart
PRODUCT_PAGE = registry("product_page")  # storefront product detail, obj = product
CHECKOUT = registry("checkout")  # codes and stored value on the checkout page, obj = the form
CHECKOUT_SUCCESS = registry("checkout_success")  # success page, obj = order
BACKOFFICE_ORDER = registry("backoffice_order")  # backoffice order detail, obj = order
BACKOFFICE_CUSTOMER = registry("backoffice_customer")  # backoffice customer detail, obj = user
# What deleting a customer does besides removing the account (confirmation page), obj = user
BACKOFFICE_CUSTOMER_DELETE = registry("backoffice_customer_delete")
