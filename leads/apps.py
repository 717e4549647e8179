from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Enterprises, contacts, visits and leads (issue: lead pipeline). Reads `stations` only."""

    name = "leads"
    verbose_name = _("Leads")
