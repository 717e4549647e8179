from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    """Budgets, expense claims and the append-only ledger (issue: funding). Reads `stations` and `leads`."""

    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        from stations.scale import SCALE_EXTENSIONS
        from stations.services import DEMO_EXTENSIONS, PRESET_EXTENSIONS, PROFILE_COPY_EXTENSIONS

        from . import demo, scale
        from .presets import funding_rules_copy, funding_rules_install_preset

        if funding_rules_install_preset not in PRESET_EXTENSIONS:
            PRESET_EXTENSIONS.append(funding_rules_install_preset)
        if funding_rules_copy not in PROFILE_COPY_EXTENSIONS:
            PROFILE_COPY_EXTENSIONS.append(funding_rules_copy)
        if demo.seed not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo.seed)
        if (30, scale.seed) not in SCALE_EXTENSIONS:
            SCALE_EXTENSIONS.append((30, scale.seed))
