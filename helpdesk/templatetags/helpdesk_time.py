"""Short durations for the thread list ("3 hours", "1 day"), the largest unit only."""

from django import template
from django.utils.timesince import timesince, timeuntil

register = template.Library()


@register.filter
def since(value, now=None):
    return timesince(value, now, depth=1) if value else ""


@register.filter
def until(value, now=None):
    return timeuntil(value, now, depth=1) if value else ""
