"""Simplified Chinese formats: Django's, except that amounts are grouped in thousands with commas.

Django's zh_Hans leaves THOUSAND_SEPARATOR empty (and groups by four), so a forced grouping
printed 12345678.00. Chinese financial statements, budgets and 报销单 write 12,345,678.00, as
the bureau's finance office does; only the money filters force grouping (USE_THOUSAND_SEPARATOR
stays off, so counts, years and ids print plain and forms parse as before).
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
