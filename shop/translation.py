"""Translatable shop content (django-modeltranslation): one column per language next to the
original (``name_de``, ``name_pl`` …). Reading ``product.name`` gives the active language's
value and falls back to the shop's default language (``MODELTRANSLATION_FALLBACK_LANGUAGES``)
when that translation is empty — never an empty string while the default text exists.

Why modeltranslation (not django-parler): plain columns on the same table, so lists and the
search need no join per language, querysets, ``values()``, ``order_by("name")`` and the
existing admin keep working, and the full-text indexes can cover the language columns.
The known accessibility limitations of the statement page are translated too.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Category,
    PaymentMethod,
    Product,
    ProductImage,
    ShippingMethod,
    ShopSettings,
)


@register(ShopSettings)
class ShopSettingsTranslation(TranslationOptions):
    # The legal texts, each an editable page per language (shop.views.legal_page).
    fields = (
        "terms",
        "privacy_notice",
        "imprint",
        "withdrawal_instructions",
        "accessibility_limitations",
    )


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Product)
class ProductTranslation(TranslationOptions):
    # The warnings and safety information too: the GPSR wants them in the consumer's language.
    fields = ("name", "description", "safety_information")


@register(ProductImage)
class ProductImageTranslation(TranslationOptions):
    # What a picture shows, for screen readers in the reader's language.
    fields = ("alt_text",)


@register(ShippingMethod)
class ShippingMethodTranslation(TranslationOptions):
    fields = ("name", "description")


@register(PaymentMethod)
class PaymentMethodTranslation(TranslationOptions):
    fields = ("name", "description")
