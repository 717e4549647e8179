from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """Enterprises, contacts, visits and leads (issue: lead pipeline). Reads `stations` only."""

    name = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from stations.scale import SCALE_EXTENSIONS
        from stations.services import DEMO_EXTENSIONS, PRESET_EXTENSIONS, PROFILE_COPY_EXTENSIONS

        from . import demo, scale, signals
        from .services import lead_rules_copy, lead_rules_install_preset

        if demo.seed not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(demo.seed)
        if (20, scale.seed) not in SCALE_EXTENSIONS:
            SCALE_EXTENSIONS.append((20, scale.seed))
        if lead_rules_install_preset not in PRESET_EXTENSIONS:
            PRESET_EXTENSIONS.append(lead_rules_install_preset)
        if lead_rules_copy not in PROFILE_COPY_EXTENSIONS:
            PROFILE_COPY_EXTENSIONS.append(lead_rules_copy)
        self._extend_duty()
        from stations.views import HOME_SECTIONS

        from .views import park_home_section

        if park_home_section not in HOME_SECTIONS:
            HOME_SECTIONS.append(park_home_section)
        signals.connect()
        signals.connect_leads_version()

    @staticmethod
    def _extend_duty():
        from stations import duty, figures, warnings

        from . import duty as lead_duty

        if not any(isinstance(provider, lead_duty.LeadFigures) for provider in figures.FIGURE_PROVIDERS):
            figures.FIGURE_PROVIDERS.append(lead_duty.LeadFigures())
        if lead_duty.LogLinks not in duty.WORKLOG_EXTENSIONS:
            duty.WORKLOG_EXTENSIONS.append(lead_duty.LogLinks)
        for provider in (lead_duty.progress_warnings, lead_duty.visit_warnings):
            if provider not in warnings.WARNING_PROVIDERS:
                warnings.WARNING_PROVIDERS.append(provider)
        warnings.KINDS.update(lead_duty.WARNING_KINDS)
