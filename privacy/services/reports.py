"""Handing a personal-data report to a data subject (GDPR Art. 15): every report is
recorded (AccessReport) with the data protection officer's decisions and their reasons,
and written to the access log."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import PrivacyError
from ..models import AccessReport
from .log import Action, record, write_entry


def hand_out_report(
    request, person, *, fmt, language, places, withheld=None, staff_names="", command=None
):
    """Record the report of ``person`` in ``fmt`` ("pdf"/"json"). ``places``: the keys the
    report could contain; ``withheld``: {key: reason} of those to leave out; ``staff_names``:
    the reason to name staff in the access history (empty: no names). Without a request
    (a management command, named by ``command``) the access-log entry is written at once."""
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
    note = [f"personal-data report ({fmt}, {language})"]
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
