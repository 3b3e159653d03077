# English (the shop's default language): 30 Nov 2026, 14:05 — day first, never 11/30/2026.
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
