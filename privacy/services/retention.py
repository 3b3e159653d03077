"""Retention of the access log: whole months are dropped, the chain continues at an anchor.

On PostgreSQL the log is partitioned by month (privacy/0005). The purge drops the months
that ended before the cutoff with ``privacy_accesslog_purge`` — a function owned by the
owner role, so the web and worker role can run it without any right to delete rows, and it
refuses to drop entries younger than ``privacy_accesslog_retention_days()``, which only the
owner sets (at ``migrate``, from ACCESS_LOG_RETENTION_DAYS). Before it drops a month it
records the anchor (id and hash of the last entry dropped), and the purge itself becomes
an entry of the chain.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.db import is_postgresql

from ..errors import PrivacyError
from ..models import AccessLogAnchor, AccessLogEntry, AccessLogHead
from .log import Action, write_entry

MONTHS_AHEAD = 2


def retention_days():
    return settings.ACCESS_LOG_RETENTION_DAYS


def month_start(moment):
    """The start (UTC) of the month ``moment`` falls in."""
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def set_retention_floor(days=None):
    """Owner only (run at ``migrate``): the shortest retention the database accepts."""
    days = int(retention_days() if days is None else days)
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE OR REPLACE FUNCTION privacy_accesslog_retention_days() RETURNS integer "
            f"LANGUAGE sql STABLE AS 'SELECT {days:d}'"
        )


def ensure_partitions(months_ahead=MONTHS_AHEAD):
    """Create the partitions of this month and the next ones (and give entries waiting in
    the default partition their month). Returns how many partitions were created."""
    if not is_postgresql():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT privacy_accesslog_partitions(%s)", [months_ahead])
        return cursor.fetchone()[0]


@dataclass
class PurgeResult:
    purged: int
    upto: datetime | None  # entries before this moment were (or would be) dropped
    dry_run: bool = False


def cutoff_for(days):
    if days is None or int(days) < 1:
        raise PrivacyError(_("The retention period must be at least one day."))
    return timezone.now() - timedelta(days=int(days))


def check_days(days):
    """A purge asked to keep ``days`` days may only keep more than the retention period:
    ACCESS_LOG_RETENTION_DAYS, and the floor the database had set at the last ``migrate``
    where that is longer. Checked before anything is dropped or written — also when there is
    nothing to drop, which the database alone would let pass."""
    cutoff_for(days)
    if int(days) < retention_days():
        raise PrivacyError(
            _(
                "Access-log entries are kept for at least %(days)s days "
                "(ACCESS_LOG_RETENTION_DAYS); a purge can only keep them longer."
            )
            % {"days": retention_days()}
        )
    floor = _floor() if is_postgresql() else 0
    if int(days) < floor:
        raise PrivacyError(
            _(
                "The database keeps access-log entries for at least %(days)s days "
                "(ACCESS_LOG_RETENTION_DAYS at the last migrate)."
            )
            % {"days": floor}
        )


def purge_access_log(days=None, *, cutoff=None, dry_run=False, username="retention purge"):
    """Drop the whole months of entries older than ``cutoff`` (default: now minus
    ``days``, never fewer than ACCESS_LOG_RETENTION_DAYS, or that setting). The
    purge is itself logged; an anchor keeps the remaining chain verifiable. Returns a
    :class:`PurgeResult`."""
    if cutoff is None and days is not None:
        check_days(days)
    if cutoff is None:
        cutoff = cutoff_for(retention_days() if days is None else days)
    if is_postgresql():
        result = _purge_partitions(cutoff, dry_run)
    else:
        result = _purge_rows(cutoff, dry_run)
    if not dry_run:
        upto = result.upto or month_start(cutoff)
        write_entry(
            username=username,
            action=Action.PURGE,
            note=f"purged {result.purged} entries older than {upto.isoformat(timespec='seconds')}",
            path="retention: access log",
        )
    return result


def _purge_partitions(cutoff, dry_run):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM privacy_accesslog_purge(%s, %s)", [cutoff, dry_run])
            purged, _last_id, _last_hash, _months, upto = cursor.fetchone()
    except DatabaseError as exc:
        if "kept for at least" in str(exc):
            raise PrivacyError(
                _(
                    "The database keeps access-log entries for at least %(days)s days "
                    "(ACCESS_LOG_RETENTION_DAYS at the last migrate)."
                )
                % {"days": _floor()}
            ) from None
        raise
    return PurgeResult(purged, upto, dry_run)


def _floor():
    with connection.cursor() as cursor:
        cursor.execute("SELECT privacy_accesslog_retention_days()")
        return cursor.fetchone()[0]


def _purge_rows(cutoff, dry_run):
    """The embedded SQLite default has no partitions (and no triggers): the same whole
    months are deleted row by row."""
    if cutoff > timezone.now() - timedelta(days=retention_days()):
        raise PrivacyError(
            _(
                "The database keeps access-log entries for at least %(days)s days "
                "(ACCESS_LOG_RETENTION_DAYS at the last migrate)."
            )
            % {"days": retention_days()}
        )
    upto = month_start(cutoff)
    old = AccessLogEntry.objects.filter(time__lt=upto)
    if dry_run:
        return PurgeResult(old.count(), upto, True)
    with transaction.atomic():
        AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        last = old.order_by("-id").values("id", "hash").first()
        count = 0
        if last:
            count, _detail = old.delete()
            AccessLogAnchor.objects.create(
                cutoff=upto,
                last_purged_id=last["id"],
                last_purged_hash=last["hash"],
                purged=count,
            )
    return PurgeResult(count, upto)
