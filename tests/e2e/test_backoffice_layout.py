"""Backoffice lists as an operator sees them: 1280 px wide, the navigation open, in each
language the backoffice speaks.

On every list of the start page the page itself never scrolls sideways (a table too wide
would scroll inside its box), and no column heading breaks inside a word — a heading that does not
fit its column would otherwise run into its neighbour or be cut ("BEDØ / MMELS / E"); long
words of narrow columns carry a soft hyphen in their translation ("narrow column" context).
Every list fits its box entirely: lists with many columns (reviews, products, partner offers,
the access log) have their filters in a row above them, the helpdesk list (eleven columns)
narrower gaps. An order's page and a customer's page (lines, panels, addresses) fit too.
"""

import re

from django.conf import settings as django_settings
from playwright.sync_api import expect

from customers.models import User
from helpdesk.models import Thread
from orders.models import Order

OPERATOR = "admin@example.com"

# Every word of every visible column heading — split where a line may break: at spaces, after
# a hyphen ("IP-|Adresse") and at a soft hyphen (the piece before it with its "-") — measured
# in the heading's font against the room of its column.
HEADINGS_TOO_NARROW = r"""() => {
  const bad = [];
  for (const th of document.querySelectorAll('#result_list thead th')) {
    const el = th.querySelector('.text > a, .text > span') || th;
    const style = getComputedStyle(el);
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const visible = el.cloneNode(true);
    visible.querySelectorAll('.visually-hidden').forEach(hidden => hidden.remove());
    const words = visible.textContent.trim().split(/\s+/).flatMap(word => {
      const parts = word.split('\u00ad');
      return parts.map((part, i) => (i < parts.length - 1 ? part + '-' : part));
    }).flatMap(word => word.split(/(?<=-)/)).filter(Boolean);
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;padding:0';
    probe.style.font = style.font;
    probe.style.textTransform = style.textTransform;
    probe.style.letterSpacing = style.letterSpacing;
    el.appendChild(probe);
    for (const word of words) {
      probe.textContent = word;
      if (probe.getBoundingClientRect().width > room + 0.5) {
        bad.push(`${word} (${Math.round(probe.getBoundingClientRect().width)} > ${Math.round(room)} px)`);
      }
    }
    probe.remove();
  }
  return bad;
}"""

# Boxes of a detail page wider than they are (a table or form that does not fit its column),
# or reaching past the right edge of the page's content (a column wider than its grid track).
BOXES_TOO_WIDE = """() => {
  const edge = document.querySelector('#content-main').getBoundingClientRect().right;
  return [...document.querySelectorAll('#content .module, #content .inline-group')]
    .filter(box => box.scrollWidth > box.clientWidth + 1 || box.getBoundingClientRect().right > edge + 1)
    .map(box => (box.querySelector('h2')?.innerText || box.id)
                + ` (${box.scrollWidth} > ${box.clientWidth} px, right edge `
                + `${Math.round(box.getBoundingClientRect().right)} > ${Math.round(edge)})`);
}"""

# The action buttons of an order page (links and form buttons alike) in one font size and
# height: "Mark as paid" is a form button, which the admin's CSS sets smaller than a link.
BUTTONS_UNEVEN = """() => {
  // the visible ones: a folded form's button (Record payment received) shows when unfolded
  const buttons = [...document.querySelectorAll('.order-actions .button, .order-actions [type=submit]')]
    .filter(b => b.getClientRects().length);
  const sizes = new Set(buttons.map(b => `${getComputedStyle(b).fontSize} ${Math.round(b.getBoundingClientRect().height)}px`));
  return sizes.size > 1 ? buttons.map(b => `${(b.value || b.innerText).trim()} ${getComputedStyle(b).fontSize}`
                                     + ` ${Math.round(b.getBoundingClientRect().height)}px`) : [];
}"""

SCROLLS = """() => {
  const doc = document.scrollingElement;
  const box = document.querySelector('#result_list')?.closest('.results');
  const wide = box && box.scrollWidth > box.clientWidth;
  // For the message: the widest cell of each column of a list that does not fit.
  const columns = !wide ? [] : [...document.querySelectorAll('#result_list thead th')].map((th, i) => {
    const cells = [...document.querySelectorAll(`#result_list tbody tr > :nth-child(${i + 1})`)];
    const widest = cells.sort((a, b) => b.offsetWidth - a.offsetWidth)[0];
    return `${th.innerText.trim()} ${th.offsetWidth} px` + (widest ? ` "${widest.innerText.trim().slice(0, 40)}"` : '');
  });
  return {page: doc.scrollWidth > doc.clientWidth, box: !!wide,
          why: wide ? `${box.scrollWidth} > ${box.clientWidth} px: ${columns.join(' | ')}` : ''};
}"""


def test_backoffice_lists_fit_1280_px_in_every_language(demo_shop, live_server, new_page, settings):
    settings.BACKOFFICE_REQUIRE_2FA = False
    base = live_server.url
    page = new_page("operator")
    page.goto(f"{base}/backoffice/login/")
    page.get_by_label("E-mail").fill(OPERATOR)
    page.get_by_label("Password").fill("demo-backoffice-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_be_visible()
    hrefs = page.eval_on_selector_all(
        "#content-main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    lists = sorted({h for h in hrefs if re.fullmatch(r"/backoffice/\w+/\w+/", h)})
    assert "/backoffice/reviews/review/" in lists and "/backoffice/helpdesk/thread/" in lists
    assert len(lists) > 20
    # the refunds to pay out have columns of their own (the payer's: whom, how, how much)
    lists.append("/backoffice/orders/creditnote/?payout=pending")

    # The orders with a helpdesk thread (their page has every panel) and their customers.
    orders = {t.order for t in Thread.objects.filter(order__customer__isnull=False)}
    assert orders
    unpaid = Order.objects.filter(payment_status="unpaid", status="pending").first()
    assert unpaid  # its page has the "Mark as paid" form button beside the links
    details = [f"/backoffice/orders/order/{order.pk}/change/" for order in {*orders, unpaid}]
    details += sorted({f"/backoffice/customers/user/{o.customer_id}/change/" for o in orders})

    problems = []
    for language, _name in django_settings.LANGUAGES:
        User.objects.filter(email=OPERATOR).update(language=language)
        for path in lists:
            page.goto(base + path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            if not page.locator("#result_list").count():
                continue  # an empty list shows no table
            for heading in page.evaluate(HEADINGS_TOO_NARROW):
                problems.append(f"{language} {path}: heading breaks inside a word: {heading}")
            scrolls = page.evaluate(SCROLLS)
            if scrolls["page"]:
                problems.append(f"{language} {path}: the page scrolls sideways")
            if scrolls["box"]:
                problems.append(
                    f"{language} {path}: the list is wider than its box, {scrolls['why']}"
                )
        for path in details:
            page.goto(base + path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            if page.evaluate(SCROLLS)["page"]:
                problems.append(f"{language} {path}: the page scrolls sideways")
            for box in page.evaluate(BOXES_TOO_WIDE):
                problems.append(f"{language} {path}: wider than its box: {box}")
            if buttons := page.evaluate(BUTTONS_UNEVEN):
                problems.append(f"{language} {path}: buttons of different sizes: {buttons}")
    assert not problems, "\n".join(problems)
