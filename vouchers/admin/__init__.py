"""Backoffice of the discount codes: campaigns, codes, code jobs, partner offers (S7, S12).

One module per screen; importing the package registers them all on the backoffice site.
"""

from . import campaigns, codes, jobs, offers  # noqa: F401  (registers the ModelAdmins)
