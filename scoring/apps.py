from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    """Scoring schemes, evaluations and score sheets (issue: scoring). Reads `stations` and `leads`."""

    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self):
        from stations.services import PRESET_EXTENSIONS, PROFILE_COPY_EXTENSIONS

        from .services import schemes_copy, schemes_install_preset

        if schemes_install_preset not in PRESET_EXTENSIONS:
            PRESET_EXTENSIONS.append(schemes_install_preset)
        if schemes_copy not in PROFILE_COPY_EXTENSIONS:
            PROFILE_COPY_EXTENSIONS.append(schemes_copy)
