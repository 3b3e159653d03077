"""The helpdesk's personal data, declared for the privacy registry (see shop.personal_data)."""

from shop import personal_data


def declare():
    personal_data.register("helpdesk.thread", email_fields=("email",), name_fields=("name",))
    personal_data.register("helpdesk.message")
    # Its e-mail field is a department mailbox, not a person's address.
    personal_data.register("helpdesk.contacttopic", personal=False)
