from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Enterprises, contacts, visits and leads (issue: lead pipeline). Reads `stations` only."""

    name = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from stations.services import DEMO_EXTENSIONS, PRESET_EXTENSIONS, PROFILE_COPY_EXTENSIONS

        from . import demo
        from .services import lead_rules_copy, lead_rules_install_preset

        if demo.seed not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo.seed)
        if lead_rules_install_preset not in PRESET_EXTENSIONS:
            PRESET_EXTENSIONS.append(lead_rules_install_preset)
        if lead_rules_copy not in PROFILE_COPY_EXTENSIONS:
            PROFILE_COPY_EXTENSIONS.append(lead_rules_copy)
