from django import template

from shop.panels import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panels(context, name, obj):
    return registry(name).render_in(context, obj)
