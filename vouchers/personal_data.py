"""The discount codes' personal data (codes assigned to customers, redemptions, the addresses
that objected to code e-mails), declared for the privacy registry (see shop.personal_data)."""

from shop import personal_data


def declare():
    personal_data.register("vouchers.code", purpose=personal_data.MARKETING)
    personal_data.register("vouchers.redemption", purpose=personal_data.MARKETING)
    personal_data.register(
        "vouchers.codemailoptout", email_fields=("email",), purpose=personal_data.MARKETING
    )
