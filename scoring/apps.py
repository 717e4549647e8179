from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    """Scoring schemes, evaluations and score sheets (issue: scoring). Reads `stations` and `leads`."""

    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self):
        from stations.scale import SCALE_EXTENSIONS
        from stations.services import DEMO_EXTENSIONS, PRESET_EXTENSIONS, PROFILE_COPY_EXTENSIONS

        from . import demo, scale
        from .rewards import reward_rules_copy, reward_rules_install_preset
        from .services import schemes_copy, schemes_install_preset

        for install in (schemes_install_preset, reward_rules_install_preset):
            if install not in PRESET_EXTENSIONS:
                PRESET_EXTENSIONS.append(install)
        for copy in (schemes_copy, reward_rules_copy):
            if copy not in PROFILE_COPY_EXTENSIONS:
                PROFILE_COPY_EXTENSIONS.append(copy)
        if demo.seed not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo.seed)
        if (90, scale.seed) not in SCALE_EXTENSIONS:
            SCALE_EXTENSIONS.append((90, scale.seed))
