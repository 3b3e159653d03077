"""Periods in days that end on a working day.

Regulation (EEC, Euratom) No 1182/71, Article 3(4), which recital 41 of Directive 2011/83/EU
applies to the Directive's periods (in Germany § 193 BGB, in Poland art. 115 Kodeks
cywilny): when the last day of a period expressed in days is a public holiday, a Saturday or
a Sunday, the period ends with the expiry of the last hour of the following working day.

The public holidays are the national ones of the seller's country (``ShopSettings.country``)
as the ``holidays`` library knows them — no regional ones: the shop does not know which
region's holidays would apply. A country the library does not know has only weekends.
"""

from datetime import timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def public_holidays(country, year):
    """The national public holidays of ``country`` (ISO 3166 code) in ``year``; read once per
    process: the period end is shown on every order page."""
    try:
        return frozenset(holidays.country_holidays(country.upper(), years=year))
    except NotImplementedError:  # a country the library does not know
        return frozenset()


def is_working_day(day, country):
    return day.weekday() < 5 and day not in public_holidays(country or "", day.year)


def next_working_day(day, country):
    """``day`` itself when it is a working day in ``country``, else the first working day
    after it (a Saturday moves to Monday, Friday 25 December in Germany to Monday 28)."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def period_end(start, days, country):
    """The last day of a period of ``days`` days that starts with the event on ``start``:
    the day of the event does not count (Art. 3(1) of the Regulation), so it is ``start`` +
    ``days``, moved to the next working day."""
    return next_working_day(start + timedelta(days=days), country)
