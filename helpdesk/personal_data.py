"""The helpdesk's personal data, declared for the privacy registry (see shop.personal_data),
and its retention (shop.retention)."""

from shop import personal_data, retention

from .retention import delete_closed_threads


def declare():
    personal_data.register(
        "helpdesk.thread",
        email_fields=("email",),
        name_fields=("name",),
        purpose=personal_data.CUSTOMER_SERVICE,
    )
    personal_data.register(
        "helpdesk.message",
        purpose=personal_data.CUSTOMER_SERVICE,
        staff_note=lambda message: message.is_note,
    )
    # Its e-mail field is a department mailbox, not a person's address.
    personal_data.register("helpdesk.contacttopic", personal=False)
    retention.register(
        "closed helpdesk threads",
        retention.THREADS,
        apply=delete_closed_threads,
        action=retention.DELETE,
        models=("helpdesk.thread", "helpdesk.message"),
    )
