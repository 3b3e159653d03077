"""Translatable shop settings (django-modeltranslation): the terms and conditions and the
known accessibility limitations per language (``terms_de`` …); reading ``terms`` gives the
active language's text, falling back to the shop's default language."""

from modeltranslation.translator import TranslationOptions, register

from .models import ShopSettings


@register(ShopSettings)
class ShopSettingsTranslation(TranslationOptions):
    fields = ("terms", "accessibility_limitations")
