"""Translatable helpdesk content (django-modeltranslation): one column per language, e.g.
``text_de``; reading ``text`` gives the active language's value, falling back to the shop's
default language when that translation is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import CannedReply, ContactTopic


@register(CannedReply)
class CannedReplyTranslation(TranslationOptions):
    fields = ("title", "text")


@register(ContactTopic)
class ContactTopicTranslation(TranslationOptions):
    fields = ("name",)
