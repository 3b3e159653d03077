"""Erasure helpers shared by the apps' ``erasure`` modules (receivers of ``customer_deleting``)."""

import re


def scrub(text, needles, replacements):
    """Replace each needle in ``text`` by its replacement: whole words only, any case.

    ``needles`` and ``replacements`` pair up one to one; empty needles are skipped, so an
    unset name or address never matches everything.
    """
    for needle, replacement in zip(needles, replacements, strict=True):
        if needle and text:
            pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
            text = re.sub(pattern, lambda _m, r=replacement: r, text, flags=re.IGNORECASE)
    return text
