"""Handing a personal-data report to a data subject (GDPR Art. 15): every report is
recorded (AccessReport) with the data protection officer's decisions and their reasons,
and written to the access log."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import PrivacyError
from ..models import AccessReport
from .log import Action, record


def hand_out_report(request, person, *, fmt, language, places, withheld=None, staff_names=""):
    """Record the report of ``person`` in ``fmt`` ("pdf"/"json"). ``places``: the keys the
    report could contain; ``withheld``: {key: reason} of those to leave out; ``staff_names``:
    the reason to name staff in the access history (empty: no names)."""
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
            created_by=request.user,
            format=fmt,
            language=language,
            withheld=[{"key": k, "place": places[k], "reason": r} for k, r in withheld.items()],
            staff_names_reason=staff_names,
        )
    note = [f"personal-data report ({fmt}, {language})"]
    if withheld:
        note.append("withheld: " + "; ".join(f"{places[k]}: {r}" for k, r in withheld.items()))
    if staff_names:
        note.append(f"staff names: {staff_names}")
    action = Action.PRINT if fmt == AccessReport.Format.PDF else Action.EXPORT
    record(
        request, action, [person.ref, f"privacy.accessreport:{report.pk}"], " · ".join(note)[:500]
    )
    return report
