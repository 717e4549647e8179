"""Receivers marking the stored warnings stale when what the leads app's providers read changes
(`leads.duty.progress_warnings`, `visit_warnings`; see `stations.warnings`), and bumping the
version of the cached lead figures (`LeadsVersion`) when what they read changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from stations.signals import stale_by_person, stale_by_team, stale_everywhere, watch


def _stale_visitors(sender, instance, action, reverse, pk_set, **kwargs):
    """Visits count for the people who went, wherever they are posted."""
    from stations.warnings import mark_stale_for_people

    from .models import Visit

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # person.visits.add(...): the person, and the teams of the visits
        mark_stale_for_people([instance.pk], Visit.objects.filter(pk__in=pk_set or ()).values("station_id")
                              if action != "pre_clear" else instance.visits.values("station_id"))
    else:
        mark_stale_for_people(pk_set if action != "pre_clear" else instance.visitors.values("pk"),
                              [instance.station_id])


def _bump_leads_version(sender, **kwargs):
    from .models import LeadsVersion

    LeadsVersion.bump()


def connect_leads_version() -> None:
    """Every model the board's counts and the funnel read: the leads, their stage changes and
    tags, the investor visits that qualify a lead, enterprise names (a search matches them), the
    lead rules (the scale threshold) and the teams (the funnel names them)."""
    from stations.models import Station

    from .models import Enterprise, InvestorVisit, Lead, LeadRules, StageChange

    for model in (Lead, StageChange, InvestorVisit, Enterprise, LeadRules, Station):
        for signal in (post_save, post_delete):
            signal.connect(_bump_leads_version, sender=model, weak=False,
                           dispatch_uid=f"outpost_leads_version_{model._meta.label_lower}_{signal is post_save}")
    m2m_changed.connect(_bump_leads_version, sender=Lead.tags.through, weak=False,
                        dispatch_uid="outpost_leads_version_tags")


def connect() -> None:
    from .models import FundsEntry, Lead, LeadRules, StageChange, Visit

    def lead_team(row):
        return Lead.objects.filter(pk=row.lead_id).values("station_id")

    watch(Lead, stale_by_team(lambda lead: [lead.station_id]), "lead")
    watch(StageChange, stale_by_team(lead_team), "stage_change")
    watch(FundsEntry, stale_by_team(lead_team), "funds_entry")
    watch(LeadRules, stale_everywhere, "lead_rules")
    visit_people = stale_by_person(lambda visit: (visit.visitors.values("pk"), [visit.station_id]))
    watch(Visit, visit_people, "visit")
    # After the deletion the visit's visitors are gone: mark their teams before.
    pre_delete.connect(visit_people, sender=Visit, dispatch_uid="outpost_warnings_visit_pre_delete", weak=False)
    m2m_changed.connect(_stale_visitors, sender=Visit.visitors.through, dispatch_uid="outpost_warnings_visitors",
                        weak=False)
