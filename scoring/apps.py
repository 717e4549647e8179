from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    """Scoring schemes, evaluations and score sheets (issue: scoring). Reads `stations` and `leads`."""

    name = "scoring"
    verbose_name = _("Scoring")
