"""How a person is taken out of free text: the one rule of every erasure and retention run.

The receivers of ``customer_deleting`` (orders, giftcards, helpdesk, reviews) and the
retention rules all replace a person's identifiers — e-mail addresses, whole names, name
parts — in texts that stay for the books (order history, withdrawal statements, return
notes, helpdesk threads, reviews, ledger reasons). Each app chooses which identifiers and
placeholders; how they are matched is decided here, once:

- as whole words in any case (``shop.erasure.scrub``);
- the most specific first, i.e. the longest: an e-mail address is replaced whole before a
  name inside it ("erika" in erika@mustermann-bau.de left "Gelöscht@mustermann-bau.de"),
  a whole name before its parts;
- empty and one-letter identifiers are skipped (an unset name must not match everything,
  an initial is no name); an identifier given twice in different cases counts once.
"""

from shop.erasure import scrub


def scrubber(replacements):
    """A function ``text -> text`` replacing each identifier of a person by its placeholder.

    ``replacements``: a mapping or (identifier, placeholder) pairs; for an identifier given
    again in another case the first placeholder is kept."""
    pairs = replacements.items() if hasattr(replacements, "items") else replacements
    chosen = {}
    for identifier, placeholder in pairs:
        identifier = (identifier or "").strip()
        if len(identifier) > 1:
            # lower(), not casefold(): "Weiß" and "WEISS" are two spellings to replace, as
            # the regular expression's IGNORECASE does not match one for the other
            chosen.setdefault(identifier.lower(), (identifier, placeholder))
    # Longest first; equally long ones in a fixed order, so a text always comes out the same.
    ordered = sorted(chosen.values(), key=lambda pair: (-len(pair[0]), pair[0].lower()))
    needles = [identifier for identifier, _placeholder in ordered]
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
    found = [customer.get_full_name(), customer.first_name, customer.last_name]
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
