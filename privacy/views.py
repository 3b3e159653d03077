"""Backoffice views of the personal-data browser (wired in SubjectAdmin.get_urls), and the
storefront page on which customers download their own data (privacy.urls).

Each view records what it showed with ``services.record`` (one entry per request, written by
the AccessLogMiddleware); disclosure changes are written at once by the services.
"""

import json
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from customers.services import delete_guest, guest_erasure_refusal
from shop.db import without_jit, without_parallel_workers
from shop.exceptions import DomainError, add_to_form
from shop.filenames import content_disposition, document_filename
from shop.pdf import pdf_response, render_pdf

from . import services, subjects
from .forms import BrowserForm, DisclosureForm, OwnDataForm, ReportForm
from .models import Disclosure, Subject
from .registry import subjects_for
from .services import Action, PrivacyError

RESULT_LIMIT = 50
ERASE_PERMISSION = "customers.delete_user"
# The access log's note of a guest's erasure (privacy.notes shows it in the reader's words).
GUEST_ERASED_NOTE = "guest data erased"


def _require(request, *perms):
    if not all(request.user.has_perm(p) for p in perms):
        raise PermissionDenied


def _context(request, title, **extra):
    from shop.admin import backoffice

    return {
        **backoffice.each_context(request),
        "title": title,
        "opts": Subject._meta,
        "can_disclose": request.user.has_perm("privacy.add_disclosure"),
        "can_see_log": request.user.has_perm("privacy.view_accesslogentry"),
        # the customer erasure's permission (the data protection officer's)
        "can_erase": request.user.has_perm(ERASE_PERMISSION),
        **extra,
    }


def _person(ref):
    try:
        return subjects.resolve(ref)
    except PrivacyError as exc:
        raise Http404(str(exc)) from exc


def _links(person):
    links = {
        "show": reverse("admin:privacy_subject_show", args=[person.ref]),
        "report": reverse("admin:privacy_subject_report", args=[person.ref]),
        "export": reverse("admin:privacy_subject_export", args=[person.ref]),
        "disclosures": reverse("admin:privacy_subject_disclosures", args=[person.ref]),
        "log": reverse("admin:privacy_accesslogentry_changelist") + f"?subject={person.ref}",
    }
    if person.user:
        try:
            links["delete"] = reverse("admin:customers_user_delete", args=[person.user.pk])
        except NoReverseMatch:
            pass
    else:
        links["erase"] = reverse("admin:privacy_subject_erase", args=[person.ref])
    return links


class PersonLinks:
    """A listed person's three links (disclosures, show, report), each reversed once per
    page with a placeholder and filled in per row: a common name lists a hundred people,
    and three ``{% url %}`` per row were a fifth of the page's time. The reference is quoted
    as ``reverse()`` quotes it."""

    NAMES = {
        "disclosures": "admin:privacy_subject_disclosures",
        "show": "admin:privacy_subject_show",
        "report": "admin:privacy_subject_report",
    }
    PLACEHOLDER = "person-ref-placeholder"

    def __init__(self):
        self.patterns = {
            key: reverse(name, args=[self.PLACEHOLDER]) for key, name in self.NAMES.items()
        }

    def __call__(self, ref):
        quoted = quote(ref, safe=RFC3986_SUBDELIMS + "/~:@")
        return {key: url.replace(self.PLACEHOLDER, quoted) for key, url in self.patterns.items()}


def browser(request):
    _require(request, "privacy.view_subject")
    form = BrowserForm(request.GET or None)
    customers, orders, others = None, None, None
    if form.is_valid():
        query, scope = form.cleaned_data["q"], form.cleaned_data["scope"] or "both"
        refs = []
        # One backend per search: parallel workers cost more than they save on these
        # (shop.db.without_parallel_workers).
        with without_parallel_workers():
            if scope in ("both", "customers"):
                customers = subjects.search_customers(query, RESULT_LIMIT + 1)
                for customer in customers[:RESULT_LIMIT]:
                    customer.person_ref = f"customer:{customer.pk}"
                    refs.append(customer.person_ref)
            if scope in ("both", "orders"):
                orders = subjects.search_orders(query, RESULT_LIMIT + 1)
                for order in orders[:RESULT_LIMIT]:
                    refs += subjects_for(order)
                    order.person_ref = (
                        f"customer:{order.customer_id}"
                        if order.customer_id
                        else f"email:{order.email.lower()}"
                    )
            if scope in ("both", "other"):
                others = subjects.search_other(query, RESULT_LIMIT)
                for hit in others:
                    refs += subjects_for(hit.row)
        services.record(request, Action.SEARCH, refs, note=f"name search: {query}"[:200])
        links = PersonLinks()
        for rows in (customers, orders, others):
            for row in (rows or [])[:RESULT_LIMIT]:
                row.links = links(row.person_ref)
    return TemplateResponse(
        request,
        "admin/privacy/browser.html",
        _context(
            request,
            _("Personal-data browser"),
            form=form,
            customers=customers[:RESULT_LIMIT] if customers is not None else None,
            orders=orders[:RESULT_LIMIT] if orders is not None else None,
            more_customers=customers is not None and len(customers) > RESULT_LIMIT,
            more_orders=orders is not None and len(orders) > RESULT_LIMIT,
            others=others,
            limit=RESULT_LIMIT,
        ),
    )


def show(request, ref):
    _require(request, "privacy.view_subject")
    person = _person(ref)
    if person.ref != ref:  # an order or e-mail reference: show its person
        return redirect("admin:privacy_subject_show", person.ref)
    data = subjects.collect(person)
    services.record(request, Action.DETAIL, [person.ref])
    # After a report that was not created: the form as posted, with its errors
    posted = request.session.pop(_posted_key(person), None)
    form = _report_form(request, person, data["places"], posted=posted)
    return TemplateResponse(
        request,
        "admin/privacy/subject.html",
        _context(
            request,
            person.name,
            person=person,
            data=data,
            links=_links(person),
            report_form=form,
            consultations=_count(subjects.entries_about(person)),
        ),
    )


def _count(queryset):
    with without_jit():
        return queryset.count()


def _posted_key(person):
    return f"privacy-report-form:{person.ref}"


def _report_form(request, person, places, posted=None):
    """The report form: as posted (``posted``: a POST's values kept in the session), else
    PDF in the person's language."""
    can_decide = request.user.has_perm("privacy.add_accessreport")
    kwargs = {"places": places, "can_decide": can_decide}
    if posted is not None:
        return ReportForm(posted, **kwargs)
    language = person.language or settings.LANGUAGE_CODE
    return ReportForm(initial={"format": "pdf", "language": language}, **kwargs)


def report(request, ref):
    """GET: the report as it is (PDF, in the person's language); POST: with the options of
    the form on the Show page (format, language, withheld categories, staff names)."""
    _require(request, "privacy.view_subject")
    person = _person(ref)
    if request.method == "POST":
        form = _report_form(
            request, person, subjects.collect(person)["places"], posted=request.POST
        )
        if not form.is_valid():
            messages.error(
                request,
                _("The report was not created: %(errors)s")
                % {"errors": "; ".join(e for errors in form.errors.values() for e in errors)},
            )
            # the Show page keeps the choices (language, categories withheld and their
            # reasons, staff names) and shows the errors beside them
            request.session[_posted_key(person)] = {
                key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"
            }
            return redirect("admin:privacy_subject_show", person.ref)
        options = form.cleaned_data
        return _hand_out(
            request,
            person,
            fmt=options["format"],
            language=options["language"],
            places=form.places,
            withheld=form.withheld(),
            staff_names=form.staff_names_reason_value(),
        )
    return _hand_out(request, person, fmt="pdf", language=person.language)


def export(request, ref):
    _require(request, "privacy.view_subject")
    person = _person(ref)
    return _hand_out(request, person, fmt="json", language=person.language)


def _hand_out(request, person, *, fmt, language, places=None, withheld=None, staff_names=""):
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        data = subjects.build(person, withheld, staff_names)
        if places is None:
            places = {p["key"]: p["place"] for p in data["places"]}
        try:
            services.hand_out_report(
                request,
                person,
                fmt=fmt,
                language=language,
                places=places,
                withheld=withheld,
                staff_names=staff_names,
            )
        except PrivacyError as exc:
            messages.error(request, str(exc))
            return redirect("admin:privacy_subject_show", person.ref)
        name = person.ref.replace(":", "-").replace("@", "_at_")
        if fmt == "json":
            content = json.dumps(subjects.as_json(data), indent=2, ensure_ascii=False)
            response = HttpResponse(content, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = content_disposition(
                document_filename(_("Personal data"), name, "json")
            )
            return response
        pdf = render_pdf("pdf/privacy_report.html", {"data": data}, language=language)
        filename = document_filename(_("Personal data"), name)
    return pdf_response(pdf, filename)


def disclosures(request, ref):
    _require(request, "privacy.view_disclosure")
    person = _person(ref)
    if person.ref != ref:
        return redirect("admin:privacy_subject_disclosures", person.ref)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST":
        _require(request, "privacy.add_disclosure")
        if form.is_valid():
            try:
                services.add_disclosure(request, person.ref, **form.cleaned_data)
            except PrivacyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The disclosure was recorded."))
                return redirect("admin:privacy_subject_disclosures", person.ref)
    items = list(Disclosure.objects.filter(subject=person.ref).select_related("created_by"))
    services.record(
        request, Action.DETAIL, [person.ref] + [f"privacy.disclosure:{d.pk}" for d in items]
    )
    return TemplateResponse(
        request,
        "admin/privacy/disclosures.html",
        _context(
            request,
            _("Disclosures: %(name)s") % {"name": person.name},
            person=person,
            items=items,
            form=form,
            links=_links(person),
            can_change=request.user.has_perm("privacy.change_disclosure"),
            can_delete=request.user.has_perm("privacy.delete_disclosure"),
        ),
    )


def disclosure_edit(request, ref, pk):
    _require(request, "privacy.change_disclosure")
    disclosure = get_object_or_404(Disclosure, pk=pk, subject=ref)
    person = _person(ref)
    form = DisclosureForm(request.POST or None, instance=Disclosure.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_disclosure(request, disclosure, **form.cleaned_data)
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The disclosure was changed."))
            return redirect("admin:privacy_subject_disclosures", ref)
    if request.method != "POST":
        services.record(request, Action.DETAIL, [ref, f"privacy.disclosure:{pk}"])
    return TemplateResponse(
        request,
        "admin/privacy/disclosure_form.html",
        _context(
            request,
            _("Change disclosure"),
            person=person,
            form=form,
            disclosure=disclosure,
            links=_links(person),
        ),
    )


def disclosure_delete(request, ref, pk):
    _require(request, "privacy.delete_disclosure")
    disclosure = get_object_or_404(Disclosure, pk=pk, subject=ref)
    person = _person(ref)
    if request.method == "POST":
        services.delete_disclosure(request, disclosure)
        messages.success(request, _("The disclosure was deleted."))
        return redirect("admin:privacy_subject_disclosures", ref)
    services.record(request, Action.DETAIL, [ref, f"privacy.disclosure:{pk}"])
    return TemplateResponse(
        request,
        "admin/privacy/disclosure_delete.html",
        _context(
            request,
            _("Delete disclosure"),
            person=person,
            disclosure=disclosure,
            links=_links(person),
        ),
    )


def erase(request, ref):
    """Erase a guest known only by e-mail (GDPR Art. 17), as a customer's deletion erases
    the account's data: GET asks (saying beforehand what stands in the way), POST erases
    (``customers.services.delete_guest``) and records it in the access log, with the
    person's references as they were before, in the same transaction. A customer is erased
    on the customer's deletion page."""
    _require(request, "privacy.view_subject", ERASE_PERMISSION)
    person = _person(ref)
    if person.user is not None:
        return redirect("admin:customers_user_delete", person.user.pk)
    if person.ref != ref:
        return redirect("admin:privacy_subject_erase", person.ref)
    refusal = guest_erasure_refusal(person.email, by=request.user)
    if request.method == "POST" and refusal is None:
        refs = subjects.subject_refs(person)  # before the orders lose the address
        try:
            with transaction.atomic():
                delete_guest(person.email, by=request.user)
                services.log_change(request, refs, GUEST_ERASED_NOTE)
        except DomainError as exc:
            refusal = exc
        else:
            messages.success(
                request,
                _("The personal data of %(email)s was erased.") % {"email": person.email},
            )
            return redirect("admin:privacy_subject_changelist")
    if request.method != "POST":
        services.record(request, Action.DETAIL, [person.ref])
    return TemplateResponse(
        request,
        "admin/privacy/erase.html",
        _context(
            request,
            _("Erase guest data: %(name)s") % {"name": person.name},
            person=person,
            links=_links(person),
            refusal=refusal.message if refusal is not None else "",
        ),
    )


# --- the storefront: a customer's own data ------------------------------------------------


@sensitive_post_parameters("password")
@login_required
def own_data(request):
    """ "Download my data" in the customer's account (GDPR Art. 15 and 20): what the file
    holds, the current password, then the file — the DPO's JSON export of the customer,
    in the page's language (``services.hand_out_own_data``). A staff account is told to
    ask the data protection officer."""
    if request.user.is_staff:
        return TemplateResponse(request, "privacy/own_data.html", {"staff": True})
    form = OwnDataForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        language = translation.get_language() or settings.LANGUAGE_CODE
        try:
            content = services.hand_out_own_data(
                request, form.cleaned_data["password"], language=language
            )
        except DomainError as exc:  # a wrong password (customers), the limit (privacy)
            add_to_form(form, exc)
        else:
            return _own_data_file(content)
    limit = services.own_data_limit()
    return TemplateResponse(
        request,
        "privacy/own_data.html",
        {
            "form": form,
            "per_hour": limit.limit,
            "limited": request.method != "POST" and limit.exceeded(request.user.pk),
        },
    )


def _own_data_file(content):
    day = timezone.localdate().isoformat()
    body = json.dumps(content, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition(
        document_filename(_("Personal data"), day, "json")
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
