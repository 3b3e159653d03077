"""How a person is taken out of free text: the one rule of every erasure and retention run.

The receivers of ``customer_deleting`` and ``guest_deleting`` (orders, giftcards, helpdesk,
reviews) and the retention rules all replace a person's identifiers — e-mail addresses,
whole names, name parts, phone numbers, street lines — in texts that stay for the books (order history, withdrawal statements, return
notes, helpdesk threads, reviews, ledger reasons). Each app chooses which identifiers and
placeholders; how they are matched is decided here, once:

- as whole words in any case (``shop.erasure.scrub``);
- the most specific first, i.e. the longest: an e-mail address is replaced whole before a
  name inside it ("erika" in erika@mustermann-bau.de left "Gelöscht@mustermann-bau.de"),
  a whole name before its parts;
- a phone number (an identifier of only digits and the signs written between them, at least
  ``shop.erasure.PHONE_MIN_DIGITS`` digits) matches however it is written: with any spaces,
  dashes, dots or brackets between the digits, with or without the country prefix
  (``shop.erasure.phone_pattern``);
- empty and one-letter identifiers are skipped (an unset name must not match everything,
  an initial is no name); an identifier given twice in different cases counts once.

Who the person is beyond the account's name and address — the phone numbers and streets of
their address book and orders, the e-mail addresses they used — is :func:`person_details`.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower

from shop.erasure import phone_digits, phone_pattern, scrub

from . import signals


def scrubber(replacements):
    """A function ``text -> text`` replacing each identifier of a person by its placeholder.

    ``replacements``: a mapping or (identifier, placeholder) pairs; for an identifier given
    again in another case the first placeholder is kept."""
    pairs = replacements.items() if hasattr(replacements, "items") else replacements
    chosen = {}
    for identifier, placeholder in pairs:
        identifier = (identifier or "").strip()
        digits = phone_digits(identifier)
        if digits:  # one number however it was typed
            chosen.setdefault(f"phone:{digits}", (identifier, placeholder))
        elif len(identifier) > 1:
            # lower(), not casefold(): "Weiß" and "WEISS" are two spellings to replace, as
            # the regular expression's IGNORECASE does not match one for the other
            chosen.setdefault(identifier.lower(), (identifier, placeholder))
    # Longest first; equally long ones in a fixed order, so a text always comes out the same.
    ordered = sorted(chosen.values(), key=lambda pair: (-len(pair[0]), pair[0].lower()))
    needles = [phone_pattern(identifier) or identifier for identifier, _placeholder in ordered]
    placeholders = [placeholder for _identifier, placeholder in ordered]

    def clean(text):
        return scrub(text, needles, placeholders)

    return clean


def person_names(customer, *names):
    """The names by which a text may call the person: the account's whole name, its first and
    last name, and each of ``names`` (the name typed on a thread, a review, an order) whole
    and word by word — "Hallo Erika" and "Frau Mustermann" name her as much as the full name
    does. A word counts as a name when it starts with a capital and has two letters or more:
    not an initial ("M."), not a particle ("de" of "de Vries", a Danish word too)."""
    found = []
    if customer is not None:  # None: a guest, known by the ``names`` they gave
        found += [customer.get_full_name(), customer.first_name, customer.last_name]
    for name in names:
        name = (name or "").strip()
        found.append(name)
        words = name.split()
        if len(words) > 1:
            found += [
                word
                for word in words
                if word[0].isupper() and sum(ch.isalpha() for ch in word) >= 2
            ]
    return [name for name in found if name and name.strip()]


@dataclass
class PersonDetails:
    """What identifies a person besides their name, collected before an erasure changes
    anything: their own e-mail addresses (the account's and its earlier login addresses no
    other account holds now; a guest's), their phone numbers and street lines (account,
    address book, orders)."""

    emails: set = field(default_factory=set)
    phones: set = field(default_factory=set)
    streets: set = field(default_factory=set)

    def needles(self):
        """The phone numbers and streets, for ``scrubber`` (e-mail addresses have their own
        placeholders)."""
        return sorted(self.phones) + sorted(self.streets)

    def add(self, emails=(), phones=(), streets=()):
        self.emails.update(a.strip().lower() for a in emails if a and a.strip())
        self.phones.update(p.strip() for p in phones if phone_digits(p))
        self.streets.update(s.strip() for s in streets if s and len(s.strip()) > 1)


def own_addresses(customer):
    """The account's address and the earlier login addresses no other account holds now
    (an earlier address another account took is that person's)."""
    addresses = {a.strip().lower() for a in (customer.previous_emails or ()) if a and a.strip()}
    return _not_taken(customer, addresses) | {customer.email.strip().lower()}


def person_details(customer=None, emails=()):
    """The :class:`PersonDetails` of a customer (``customer``) or of a guest known only by
    e-mail (``emails``). The customers app adds the account's addresses and its address
    book; the apps above add theirs through ``signals.person_details`` (the orders' phones
    and streets)."""
    from .models import Address

    details = PersonDetails()
    details.add(emails=emails)
    if customer is not None:
        details.add(emails=own_addresses(customer), phones=[customer.phone])
        for phone, street in Address.objects.filter(customer_id=customer.pk).values_list(
            "phone", "street"
        ):
            details.add(phones=[phone], streets=[street])
    for _receiver, found in signals.person_details.send(
        sender=PersonDetails, customer=customer, emails=frozenset(details.emails)
    ):
        if found:  # the person's own addresses are decided here, not by the apps
            details.add(phones=found.get("phones", ()), streets=found.get("streets", ()))
    return details


def _not_taken(customer, addresses):
    from .models import User

    taken = set(
        User.objects.exclude(pk=customer.pk)
        .annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .values_list("address", flat=True)
    )
    return set(addresses) - taken


def email_in(field_name, emails):
    """``Q`` for rows whose ``field_name`` is one of ``emails``, in any case."""
    condition = Q(pk__in=[])
    for email in sorted(emails):
        condition |= Q(**{f"{field_name}__iexact": email})
    return condition
