from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    """Budgets, expense claims and the append-only ledger (issue: funding). Reads `stations` and `leads`."""

    name = "funding"
    verbose_name = _("Funding")
