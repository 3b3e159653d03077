"""Handing a personal-data report to a data subject (GDPR Art. 15): every report is
recorded (AccessReport) with the data protection officer's decisions and their reasons,
and written to the access log — the DPO's, and the one customers download themselves
(:func:`hand_out_own_data`)."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.services import check_current_password
from shop import personal_data
from shop.ratelimit import RateLimit

from ..errors import PrivacyError
from ..models import AccessReport
from .log import Action, record, write_entry


def hand_out_report(
    request,
    person,
    *,
    fmt,
    language,
    places,
    withheld=None,
    staff_names="",
    command=None,
    note="",
):
    """Record the report of ``person`` in ``fmt`` ("pdf"/"json"). ``places``: the keys the
    report could contain; ``withheld``: {key: reason} of those to leave out; ``staff_names``:
    the reason to name staff in the access history (empty: no names). Without a request
    (a management command, named by ``command``) the access-log entry is written at once.
    ``note``: an English wording of the shop's added to the entry's note (privacy.notes)."""
    withheld = {k: (v or "").strip() for k, v in (withheld or {}).items()}
    staff_names = (staff_names or "").strip()
    if fmt not in AccessReport.Format.values:
        raise PrivacyError(_("Unknown report format %(f)s.") % {"f": fmt})
    unknown = set(withheld) - set(places)
    if unknown:
        raise PrivacyError(_("No such category in this report: %(c)s.") % {"c": ", ".join(unknown)})
    if any(not reason for reason in withheld.values()):
        raise PrivacyError(_("Give the reason for every category you withhold (GDPR Art. 15(4))."))
    with transaction.atomic():
        report = AccessReport.objects.create(
            subject=person.ref,
            subject_name=person.name,
            created_by=request.user if request is not None else None,
            format=fmt,
            language=language,
            withheld=[{"key": k, "place": places[k], "reason": r} for k, r in withheld.items()],
            staff_names_reason=staff_names,
        )
    note = [f"personal-data report ({fmt}, {language})", *([note] if note else [])]
    if withheld:
        note.append("withheld: " + "; ".join(f"{places[k]}: {r}" for k, r in withheld.items()))
    if staff_names:
        note.append(f"staff names: {staff_names}")
    action = Action.PRINT if fmt == AccessReport.Format.PDF else Action.EXPORT
    subjects = [person.ref, f"privacy.accessreport:{report.pk}"]
    if request is not None:
        record(request, action, subjects, " · ".join(note)[:500])
    else:
        write_entry(
            username=" ".join(command.split()[:2]),  # "manage.py privacy_report"
            action=action,
            subjects=subjects,
            path=command,
            note=" · ".join(note),
        )
    return report


# --- the data subject's own download (the storefront account's "Download my data") --------

# The access log's note of a download by the data subject (privacy.notes shows it translated).
OWN_DATA_NOTE = "downloaded by the data subject"
OWN_DATA_WINDOW = 3600  # seconds: PRIVACY_OWN_DATA_DOWNLOADS_PER_HOUR


def own_data_limit():
    """Downloads of their own data per customer account and hour: each one collects every
    record of the person, and a stolen session must not be a way to take copies at will."""
    return RateLimit(
        "privacy.own-data",
        limit=("PRIVACY_OWN_DATA_DOWNLOADS_PER_HOUR", 3),
        window=OWN_DATA_WINDOW,
    )


def own_data_limit_message():
    limit = own_data_limit().limit
    return ngettext(
        "You can download your data %(count)s time per hour. Please try again later.",
        "You can download your data %(count)s times per hour. Please try again later.",
        limit,
    ) % {"count": limit}


def staff_notes_withheld():
    """{place key: reason} of the internal staff notes: a download nobody reviewed leaves
    them out. The data protection officer hands them out on request, after checking them
    for the rights of others (GDPR Art. 15(4)) — a note about a pending fraud check must
    not reach the person checked unseen."""
    reason = _(
        "Internal staff notes are handed out by our data protection officer on request "
        "(GDPR Art. 15(4))."
    )
    return {f"{s.model}:staff_notes": reason for s in personal_data.sources() if s.staff_note}


def hand_out_own_data(request, password, *, language):
    """The logged-in customer downloads their own personal data (GDPR Art. 15 and 20): the
    DPO's report of ``customer:<pk>`` (privacy.subjects), without internal staff notes
    (:func:`staff_notes_withheld`), after the current password — re-authentication: a
    session left open on a shared computer must not hand out everything. Recorded as an
    AccessReport and in the access log in the customer's own name. Returns the content of
    the file (the DPO's JSON export without the shop's internals,
    ``subjects.for_data_subject``, in ``language``). PrivacyError / CustomerError: nothing
    is produced or recorded."""
    from .. import subjects  # reads the log through the middleware, which imports services

    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise PrivacyError(_("Please log in to download your data."))
    if user.is_staff:
        raise PrivacyError(
            _(
                "This is a staff account. Please ask the data protection officer for a "
                "report of your personal data."
            )
        )
    limit = own_data_limit()
    if limit.exceeded(user.pk):
        raise PrivacyError(own_data_limit_message())
    check_current_password(user, password, field="password")
    if limit.attempt(user.pk):  # counted only now: a wrong password is no download
        raise PrivacyError(own_data_limit_message())
    person = subjects.resolve(personal_data.customer_ref(user.pk))
    with translation.override(language):
        data = subjects.build(person, withheld=staff_notes_withheld())
        held = {h["key"]: h["reason"] for h in data["withheld"]}
        places = {p["key"]: p["place"] for p in data["places"]}
        places.update((h["key"], h["place"]) for h in data["withheld"])
        hand_out_report(
            request,
            person,
            fmt=AccessReport.Format.JSON,
            language=language,
            places=places,
            withheld=held,
            note=OWN_DATA_NOTE,
        )
        return subjects.for_data_subject(data)
