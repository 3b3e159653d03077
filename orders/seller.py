"""The seller an invoice or credit note names: the shop settings as they were when the
document was issued. An issued document must not change (§ 14 UStG, GoBD): a later change of
the legal name, address, tax numbers or bank account in the settings applies to new documents
only, while every reprint, download and e-invoice of an older one keeps what it said."""

from shop.models import ShopSettings

# What the letterhead, the footer, the payment details and the EN 16931 seller (BG-4, BG-5,
# BG-6, BT-31/32, BG-17) take from the settings.
SELLER_FIELDS = (
    "shop_name",
    "legal_name",
    "street",
    "postcode",
    "city",
    "country",
    "vat_id",
    "tax_number",
    "commercial_register",
    "managing_director",
    "bank_name",
    "iban",
    "bic",
    "contact_email",
    "phone",
)


def seller_record(shop=None):
    """The seller as a document stores it when it is issued."""
    shop = shop or ShopSettings.load()
    return {name: getattr(shop, name) for name in SELLER_FIELDS}


def seller_of(*documents):
    """The settings as the first of ``documents`` that stored its seller issued it (a credit
    note, then its invoice); the current settings for documents from before sellers were
    stored. A copy: nothing of it is saved."""
    shop = ShopSettings.load()
    for document in documents:
        record = getattr(document, "seller", None) or {}
        if record:
            for name, value in record.items():
                if name in SELLER_FIELDS:
                    setattr(shop, name, value)
            break
    return shop
