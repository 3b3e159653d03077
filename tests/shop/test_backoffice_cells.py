"""List-cell helpers of the backoffice (shop.admin) and the templates' use of them."""

from pathlib import Path

from django.template import Context, Template

from shop.admin import email_cell

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "admin"


def test_email_cell_may_wrap_after_the_at_sign_only_and_escapes():
    assert email_cell("anna.schmidt@example.com") == "anna.schmidt@<wbr>example.com"
    assert (
        email_cell('"<b>x</b>"@example.com') == "&quot;&lt;b&gt;x&lt;/b&gt;&quot;@<wbr>example.com"
    )
    # A quoted local part may hold an "@" itself: the break goes before the domain.
    assert email_cell('"a@b"@example.com') == "&quot;a@b&quot;@<wbr>example.com"
    assert email_cell("") == ""
    assert email_cell(None) == ""


def test_breakable_email_filter_escapes_what_is_not_an_address():
    template = Template("{% load backoffice %}{{ value|breakable_email }}")
    assert template.render(Context({"value": "jan@example.pl"})) == "jan@<wbr>example.pl"
    assert template.render(Context({"value": "<i>no address</i>"})) == (
        "&lt;i&gt;no address&lt;/i&gt;"
    )


def test_backoffice_templates_hide_text_with_the_admins_class():
    """The storefront's ``sr-only`` class is not in the backoffice's style sheets: text marked
    with it showed as a visible column heading ("Select") and labels."""
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "sr-only" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
