"""Privacy's part in the shop's registries: the purpose of its backoffice section (data
protection requests) and the retention of the access log (shop.retention).

Its own tables are known to privacy.registry directly; the access log is not a place of a
person's data in reports — it is their access history (privacy.subjects.history)."""

from django.utils.translation import gettext_lazy

from shop import personal_data, retention


def purge(cutoff, dry_run=False):
    from .services import purge_access_log

    return purge_access_log(cutoff=cutoff, dry_run=dry_run, username="retention run").purged


def declare():
    personal_data.register("privacy.subject", personal=False, purpose=personal_data.DATA_PROTECTION)
    retention.register(
        gettext_lazy("access log"),
        retention.ACCESS_LOG,
        apply=purge,
        action=retention.DELETE,
        models=("privacy.accesslogentry",),
    )
