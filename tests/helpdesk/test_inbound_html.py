"""Customers' e-mail replies that come as HTML only, and the quote headers of the mail
clients in the shop's languages: only what the customer wrote is stored."""

import pytest

from helpdesk import inbound, services
from helpdesk.models import Message, Thread
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    thread = Thread.objects.create(subject="Invoice", email="erika@example.com")
    services.operator_reply(thread, StaffFactory(), "we have answered")
    return thread


def html_mail(thread, html, *, message_id="<html-reply@mail.example.com>"):
    return (
        f"From: Erika <erika@example.com>\r\nTo: shop@example.com\r\n"
        f"Subject: Re: Invoice [#T-{thread.token}]\r\nMessage-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + html.replace("\n", "\r\n")
    ).encode()


def stored_text(thread, html):
    result = inbound.receive_email(html_mail(thread, html))
    assert result.status == "stored"
    assert result.message.kind == Message.Kind.CUSTOMER
    return result.message.text


GMAIL_DANISH = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Re: Invoice</title>
<style type="text/css">p {margin:0} .MsoNormal{font-family:Calibri}</style>
</head><body>
<div dir="ltr">Thanks, the invoice is paid&nbsp;&amp; the parcel is here.<div><br></div>
<div>Erika</div></div><br>
<div class="gmail_quote"><div dir="ltr" class="gmail_attr">Den ons. 2. dec. 2026 kl. 10.00
skrev Nordlicht Shop &lt;<a href="mailto:shop@example.com">shop@example.com</a>&gt;:<br></div>
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">we have answered</blockquote>
</div></body></html>"""


def test_html_reply_keeps_neither_head_style_nor_gmail_quote(thread):
    text = stored_text(thread, GMAIL_DANISH)
    assert text == "Thanks, the invoice is paid & the parcel is here.\n\nErika"


def test_outlook_web_reply_drops_everything_from_the_reply_header_on(thread):
    html = """<html><head><style>p{margin-top:0}</style></head><body>
<div style="font-family:Calibri">Danke, die Rechnung ist bezahlt.</div>
<div style="font-family:Calibri">Gruß Erika</div>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>Von:</b> Nordlicht Shop
&lt;shop@example.com&gt;<br><b>Gesendet:</b> Mittwoch, 2. Dezember 2026 10:00<br>
<b>Betreff:</b> Re: Invoice</font><div>&nbsp;</div></div>
<div>we have answered</div></body></html>"""
    assert stored_text(thread, html) == "Danke, die Rechnung ist bezahlt.\nGruß Erika"


def test_outlook_desktop_reply_stops_at_its_polish_header_block(thread):
    html = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->
<style><!-- p.MsoNormal {margin:0cm; font-family:"Calibri"} --></style></head>
<body lang="PL"><div class="WordSection1">
<p class="MsoNormal">Dzień dobry,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">faktura jest opłacona.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">
<p class="MsoNormal"><b>Od:</b> Nordlicht Shop &lt;shop@example.com&gt; <br>
<b>Wysłano:</b> środa, 2 grudnia 2026 10:00<br><b>Do:</b> Erika<br>
<b>Temat:</b> Re: Invoice<o:p></o:p></p></div></div>
<p class="MsoNormal">we have answered<o:p></o:p></p></div></body></html>"""
    assert stored_text(thread, html) == "Dzień dobry,\n\nfaktura jest opłacona."


def test_apple_mail_reply_drops_the_cited_blockquote(thread):
    html = """<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8">
</head><body dir="auto"><div dir="ltr">Yes, please send it again.</div>
<div dir="ltr"><br><blockquote type="cite">Am 02.12.2026 um 10:00 schrieb Nordlicht Shop
&lt;shop@example.com&gt;:<br><br></blockquote></div>
<blockquote type="cite"><div dir="ltr">we have answered</div></blockquote>
<div class="AppleOriginalContents">we have answered</div></body></html>"""
    assert stored_text(thread, html) == "Yes, please send it again."


def test_html_block_elements_become_lines_and_scripts_are_dropped(thread):
    html = (
        "<h1>Order&nbsp;1001</h1><script>alert('x')</script><p>Line one</p><div>Line "
        "<b>two</b> &lt;with&gt; &quot;quotes&quot;</div><ul><li>lamp</li><li>board</li></ul>"
        "<table><tr><td>Total</td><td>34,90 &euro;</td></tr></table>"
    )
    assert stored_text(thread, html) == (
        'Order 1001\nLine one\nLine two <with> "quotes"\nlamp\nboard\nTotal 34,90 €'
    )


def test_html_reply_without_header_line_breaks_still_finds_the_quote_header(thread):
    # No marker class: the attribution in its own <div> must become its own line.
    html = (
        "<div>Thank you!</div><div>W dniu śr., 2 gru 2026 o 10:00 Nordlicht Shop "
        "&lt;shop@example.com&gt; napisał(a):</div><div>we have answered</div>"
    )
    assert stored_text(thread, html) == "Thank you!"


def test_html_mail_of_nothing_but_quote_is_empty(thread):
    raw = html_mail(thread, '<div class="gmail_quote"><blockquote>we have answered</blockquote>')
    assert inbound.receive_email(raw).status == "empty"
    assert not thread.messages.filter(kind=Message.Kind.CUSTOMER).exists()


@pytest.mark.parametrize(
    "header",
    [
        # Gmail, in English, German, Danish and Polish
        "On Wed, Dec 2, 2026 at 10:00 AM Nordlicht Shop <shop@example.com> wrote:",
        "Am Mi., 2. Dez. 2026 um 10:00 Uhr schrieb Nordlicht Shop <shop@example.com>:",
        "Den ons. 2. dec. 2026 kl. 10.00 skrev Nordlicht Shop <shop@example.com>:",
        "W dniu śr., 2 gru 2026 o 10:00 Nordlicht Shop <shop@example.com> napisał(a):",
        # Thunderbird and Apple Mail
        "W dniu 2.12.2026 o 10:00, Nordlicht Shop pisze:",
        "Dnia 2 grudnia 2026 10:00 Nordlicht Shop <shop@example.com> napisał(a):",
        "Wiadomość napisana przez Nordlicht Shop <shop@example.com> w dniu 02.12.2026, o 10:00:",
        "Am 02.12.2026 um 10:00 schrieb Nordlicht Shop <shop@example.com>:",
        # Outlook
        "-----Original Message-----",
        "-----Ursprüngliche Nachricht-----",
        "-----Oryginalna wiadomość-----",
        "-----Oprindelig meddelelse-----",
        "From: Nordlicht Shop <shop@example.com>\nSent: Wednesday, December 2, 2026 10:00 AM",
        "Von: Nordlicht Shop <shop@example.com>\nGesendet: Mittwoch, 2. Dezember 2026 10:00",
        "Od: Nordlicht Shop <shop@example.com>\nWysłano: środa, 2 grudnia 2026 10:00",
        "Fra: Nordlicht Shop <shop@example.com>\nSendt: 2. december 2026 10:00",
        "Von: Nordlicht Shop <shop@example.com> Gesendet: Mittwoch, 2. Dezember 2026 10:00",
        # Gmail's plain text wraps a long attribution line
        "On Wed, Dec 2, 2026 at 10:00 AM Nordlicht Shop Customer Service <\n"
        "shop@example.com> wrote:",
    ],
)
def test_quote_headers_of_the_shops_languages_end_the_customers_text(header):
    text = f"Thanks, it arrived.\n\n{header}\nwe have answered\n> we have answered"
    assert inbound.strip_quoted(text) == "Thanks, it arrived."


@pytest.mark.parametrize(
    "text",
    [
        "On Monday I ordered a lamp.\nIt is broken.",
        "Am Montag kam nichts an.\nBitte prüfen.",
        "From: Berlin, with love.\nThe parcel is here.",
    ],
)
def test_customers_own_lines_that_look_like_headers_are_kept(text):
    assert inbound.strip_quoted(text) == text
