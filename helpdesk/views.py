from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orders.models import Order
from shop.clientip import client_ip
from shop.exceptions import DomainError, LinkNotValid, add_to_form
from shop.ratelimit import RateLimit

from . import attachments, services
from .forms import AnswerForm, ContactForm, ThreadStartForm
from .models import Attachment, Message, Thread

THROTTLE_WINDOW = 3600  # seconds
# Requests per client and hour; only accepted (or silently dropped spam) requests count.
CONTACT_REQUESTS = RateLimit(
    "helpdesk:contact", limit=("HELPDESK_CONTACT_LIMIT", 5), window=THROTTLE_WINDOW
)
# The form says whether an order number belongs to the typed e-mail address: order numbers
# it found no order for are counted per client, and past the limit a request naming an order
# number is refused without looking it up — also the right one, so nothing tells them apart
# (as the withdrawal form: orders.views.WITHDRAWAL_FAILED_LOOKUPS).
CONTACT_FAILED_LOOKUPS = RateLimit(
    "helpdesk:contact-unmatched",
    limit=("HELPDESK_CONTACT_LOOKUP_LIMIT", 5),
    window=THROTTLE_WINDOW,
)


def _customer(request):
    user = request.user
    return user if user.is_authenticated and not user.is_staff else None


def _visible_messages():
    """What the customer may see of a thread: never the internal notes (nor their files)."""
    return Prefetch(
        "messages",
        queryset=Message.objects.exclude(kind=Message.Kind.NOTE).prefetch_related("attachments"),
    )


def _order_lookup_refused(form, ip):
    """Past CONTACT_FAILED_LOOKUPS a request naming an order number is refused (at that
    field, everything else kept) before the number is looked up."""
    if not form.cleaned_data["order_number"] or not CONTACT_FAILED_LOOKUPS.exceeded(ip):
        return False
    form.add_error(
        "order_number",
        _(
            "You have entered several order numbers we could not find for your e-mail "
            "address. Please check the order number and the e-mail address as in your order "
            "confirmation and try again in an hour, or send your request without the order "
            "number."
        ),
    )
    return True


def _not_in_account(thread, customer):
    """Where the request of a logged-in sender went that ``services.create_contact_request``
    kept out of the account (an order found by the typed address only): otherwise it seems
    to vanish, as the account lists none of it. Only the account's own address can take it
    in, through the e-mailed link (``services.can_claim``)."""
    if (thread.email or "").strip().lower() == (customer.email or "").strip().lower():
        return _(
            "The order is not in your customer account, so this request is not listed there: "
            "our answers come by e-mail. Open the link in our confirmation e-mail while you "
            "are logged in, and the request is added to your account."
        )
    return _(
        "The order is not in your customer account, so this request is not listed there: "
        "our answers come by e-mail to %(email)s."
    ) % {"email": thread.email}


@require_http_methods(["GET", "POST"])
def contact(request):
    customer = _customer(request)
    initial = {}
    if customer:
        initial = {"name": customer.get_full_name(), "email": customer.email}
    form = ContactForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        ip = client_ip(request)
        if CONTACT_REQUESTS.exceeded(ip):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "You have sent several requests in a short time. "
                    "Please try again in an hour or write to us by e-mail."
                ),
            )
        elif form.is_spam:
            # Accept and drop: the bot sees the normal success, nothing is stored or sent.
            CONTACT_REQUESTS.hit(ip)
            messages.success(request, _("Thank you! We have received your request."))
            return redirect("helpdesk:contact")
        elif form.is_valid() and not _order_lookup_refused(form, ip):
            cd = form.cleaned_data
            try:
                thread = services.create_contact_request(
                    topic_id=cd.get("topic"),
                    name=cd["name"],
                    email=cd["email"],
                    subject=cd["subject"],
                    text=cd["message"],
                    order_number=cd["order_number"],
                    customer=customer,
                    language=(get_language() or settings.LANGUAGE_CODE)[:2],
                    files=cd["attachments"],
                )
            except DomainError as exc:
                if exc.field == "order_number":  # no order of this number for the address
                    CONTACT_FAILED_LOOKUPS.hit(ip)
                add_to_form(form, exc)
            else:
                CONTACT_REQUESTS.hit(ip)
                messages.success(
                    request,
                    _(
                        "Thank you! We have received your request and sent you a confirmation "
                        "by e-mail."
                    ),
                )
                if thread.customer_id is not None and thread.customer_id == getattr(
                    customer, "pk", None
                ):
                    # In the account: on to the request, where the answers will appear.
                    return redirect("helpdesk:account_thread", thread.pk)
                if customer is not None:
                    messages.info(request, _not_in_account(thread, customer))
                return redirect("helpdesk:contact")
    return render(request, "helpdesk/contact.html", {"form": form})


@login_required
def account_threads(request):
    """The customer's questions to us (the account's threads), newest first."""
    if request.user.is_staff:
        raise Http404
    threads = Thread.objects.filter(customer=request.user).select_related("order")
    page = Paginator(threads, 20).get_page(request.GET.get("page"))
    # Requests from the account's address kept out of it (sent by e-mail, or about an order
    # not in the account) are not listed; the page says where they are and how they join
    # the account (services.can_claim), naming none of them.
    outside = bool(request.user.email) and (
        Thread.objects.filter(customer__isnull=True, email__iexact=request.user.email.strip())
        .order_by()
        .exists()
    )
    return render(
        request,
        "helpdesk/account_threads.html",
        {"page": page, "threads": page, "outside_account": outside},
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_order_thread(request, number):
    order = get_object_or_404(Order, number=number, customer=request.user)
    form = ThreadStartForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_order_thread(
                order,
                request.user,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Your message has been sent. We will answer soon."))
            return redirect(thread.get_absolute_url())
    return render(request, "helpdesk/start_thread.html", {"form": form, "order": order})


def _thread_page(request, thread, action_url):
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.customer_reply(
                thread, form.cleaned_data["text"], files=form.cleaned_data["attachments"]
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Your answer has been sent."))
            return redirect(f"{action_url}#m{message.pk}")
    thread = (
        Thread.objects.select_related("order", "topic")
        .prefetch_related(_visible_messages())
        .get(pk=thread.pk)
    )
    return render(
        request,
        "helpdesk/thread.html",
        {"thread": thread, "form": form, "action_url": action_url},
    )


def _customer_attachment(thread, attachment_id):
    """A file the customer may see: of this thread, not of an internal note."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__thread=thread)
        .exclude(message__kind=Message.Kind.NOTE)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachments.download_response(attachment)


@login_required
@require_http_methods(["GET", "POST"])
def account_thread(request, pk):
    thread = get_object_or_404(Thread, pk=pk, customer=request.user)
    return _thread_page(request, thread, request.path)


@require_http_methods(["GET", "POST"])
def guest_thread(request, signed):
    thread = services.thread_from_signed(signed)
    if thread is None:
        raise LinkNotValid()
    if request.method == "GET" and services.can_claim(thread, request.user):
        # The link was e-mailed to the thread's address and the account has that address:
        # the owner has shown both, so the request joins the account's questions.
        thread = services.claim_thread(thread, request.user)
        messages.success(request, _("This request is now listed in your account."))
        return redirect(thread.get_absolute_url())
    return _thread_page(request, thread, request.path)


@login_required
def account_attachment(request, pk, attachment_id):
    thread = get_object_or_404(Thread, pk=pk, customer=request.user)
    return _customer_attachment(thread, attachment_id)


def guest_attachment(request, signed, attachment_id):
    thread = services.thread_from_signed(signed)
    if thread is None:
        raise LinkNotValid()
    return _customer_attachment(thread, attachment_id)
