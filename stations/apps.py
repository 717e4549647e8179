from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations and staff")

    def ready(self):
        from . import signals  # noqa: F401  (security-event receivers)
