"""Translatable partner offers (django-modeltranslation, see shop/translation.py): the
headline and text shown on the order success page, per language with the default language
as fallback."""

from modeltranslation.translator import TranslationOptions, register

from .models import PartnerOffer


@register(PartnerOffer)
class PartnerOfferTranslation(TranslationOptions):
    fields = ("headline", "text")
