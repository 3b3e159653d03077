# English (the shop's default language): 30 Nov 2026, 14:05 — day first, never 11/30/2026.
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
# Typed dates: ISO first (the field shows dates so, its hint is "YYYY-MM-DD"), the German,
# Polish and Danish 30.11.2026 (a link from a colleague), and as the pages write them
# ("30 Nov 2026"). No slashes: Django's English list reads 01/12/2026 as 12 January, the
# shop's customers and staff in Europe mean 1 December.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"]
