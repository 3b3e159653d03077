"""``{% kept "name" %} … {% endkept %}``: a part of a page that is the same for every visitor
and request, rendered once per process, language and storefront version
(``shop.pagecache.kept``, like the kept rows it usually shows) — the navigation, the footer.

Nothing inside may depend on the request or the visitor (no ``csrf_token``, no cart, no
``request.path``, no ``user``): the first rendering is shown to everyone until something
that moves the storefront version on (a category, the shop's settings …) changes."""

from django import template

from shop import pagecache

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        return pagecache.kept(f"fragment:{self.name}", lambda: self.nodelist.render(context))


@register.tag("kept")
def do_kept(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% kept "name" %} … {% endkept %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(bits[1][1:-1], nodelist)
