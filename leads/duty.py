"""What the leads app adds to station duty (registered in `LeadsConfig.ready`):

* the enterprises and leads a day's work log was about (`LogLinks`, a work-log form extension);
* the leads, visits and funds columns of a team's figures (monthly report, circular);
* the warnings about progress and visits.

Progress (`ProfileVersion.progress_kinds`) is the team's: a new lead that is not a duplicate
(`new_lead`), a stage advance of one of its leads (`stage_advance`), or funds in place on one of
its leads (`funds`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django import forms
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from stations.figures import Column
from stations.warnings import Warning

from .models import (
    PIPELINE,
    DuplicateStatus,
    Enterprise,
    FundsEntry,
    Lead,
    LeadRules,
    LogMention,
    StageChange,
    Visit,
)

# --- Work-log links -----------------------------------------------------------------------------

class LogLinksForm(forms.Form):
    enterprises = forms.ModelMultipleChoiceField(
        label=gettext_lazy("enterprises involved"), queryset=Enterprise.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    leads = forms.ModelMultipleChoiceField(
        label=gettext_lazy("leads involved"), queryset=Lead.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)


class LogLinks:
    """The work-log form extension: pick the team's enterprises and leads the day was about."""

    @staticmethod
    def form(user, station_ids, data=None, log=None):
        team_leads = Lead.objects.filter(station_id__in=station_ids).countable().order_by("-filed_at")
        enterprises = Enterprise.objects.filter(
            Q(pk__in=team_leads.values("enterprise")) | Q(visits__station_id__in=station_ids)
            | Q(contacts__station_id__in=station_ids)).distinct().order_by("name")
        initial = {}
        if log is not None:
            mentions = list(log.mentions.all())
            initial = {"enterprises": [m.enterprise_id for m in mentions if m.enterprise_id],
                       "leads": [m.lead_id for m in mentions if m.lead_id]}
        form = LogLinksForm(data, initial=initial, prefix="links")
        form.fields["enterprises"].queryset = enterprises
        form.fields["leads"].queryset = team_leads
        return form

    @staticmethod
    def save(log, form, user):
        """Replace the log's mentions with the form's choices (inside the log's transaction)."""
        log.mentions.all().delete()
        LogMention.objects.bulk_create(
            [LogMention(log=log, enterprise=enterprise) for enterprise in form.cleaned_data["enterprises"]]
            + [LogMention(log=log, lead=lead) for lead in form.cleaned_data["leads"]])


# --- Figures ------------------------------------------------------------------------------------

class LeadFigures:
    columns = [
        Column("leads_raw", gettext_lazy("leads filed")),
        Column("leads_complete", gettext_lazy("complete leads")),
        Column("leads_qualified", gettext_lazy("qualified leads")),
        Column("visits", gettext_lazy("enterprise visits")),
        Column("new_investors", gettext_lazy("new investors met")),
        Column("funds_in_place", gettext_lazy("funds in place (万元)"), "money"),
    ]

    def collect(self, station_ids, first: datetime.date, last: datetime.date) -> dict:
        figures = defaultdict(dict)
        # The days' bounds as moments, not `filed_at__date`: a condition on the local date of
        # every lead cannot use the (station, filed_at) index and read all 200,000 (~100 ms each).
        zone = timezone.get_current_timezone()
        since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
        until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        filed = Lead.objects.filter(station_id__in=station_ids, filed_at__gte=since, filed_at__lt=until)
        for key, queryset in (("leads_raw", filed.of_class("raw")), ("leads_complete", filed.of_class("complete")),
                              ("leads_qualified", filed.of_class("qualified"))):
            for row in queryset.values("station_id").annotate(n=Count("pk")):
                figures[row["station_id"]][key] = row["n"]
        for row in (Visit.objects.filter(station_id__in=station_ids, date__range=(first, last)).values("station_id")
                    .annotate(n=Count("pk"), new=Count("pk", filter=Q(new_investor=True)))):
            figures[row["station_id"]].update(visits=row["n"], new_investors=row["new"])
        for row in (FundsEntry.objects.filter(lead__station_id__in=station_ids, date__range=(first, last))
                    .exclude(lead__duplicate_status=DuplicateStatus.DUPLICATE)
                    .values("lead__station_id").annotate(total=Sum("amount_cny"))):
            figures[row["lead__station_id"]]["funds_in_place"] = row["total"] or Decimal("0")
        return figures


# --- Warnings -----------------------------------------------------------------------------------

def _months_before(date: datetime.date, months: int) -> datetime.date:
    index = date.year * 12 + date.month - 1 - months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(date.day, 28))


def progress_warnings(context):
    """People whose team has made no progress for the profile's number of months while they were
    posted there. Teams are small (one to three people) and work their leads together, so
    progress is the team's: a new lead that is not a duplicate, a stage advance of one of its
    leads, or funds in place on one of them, as the profile's `progress_kinds` say."""
    version = context.version
    if version is None or not version.no_progress_months or not context.postings:
        return
    kinds = set(version.progress_kinds or [])
    cutoff = _months_before(context.today, version.no_progress_months)
    postings = [posting for posting in context.postings if posting.start_date <= cutoff]
    station_ids = {posting.station_id for posting in postings}
    if not station_ids or not kinds:
        return
    last = defaultdict(lambda: None)
    leads = Lead.objects.filter(station_id__in=station_ids).countable()
    queries = []
    if "new_lead" in kinds:
        queries.append(leads.values("station_id").annotate(at=Max(TruncDate("filed_at"))))
    if "stage_advance" in kinds:
        queries.append(StageChange.objects.filter(lead__in=leads, to_stage__in=PIPELINE[1:]).exclude(from_stage="")
                       .values(station_id=F("lead__station_id")).annotate(at=Max(TruncDate("at"))))
    if "funds" in kinds:
        queries.append(FundsEntry.objects.filter(lead__in=leads).values(station_id=F("lead__station_id"))
                       .annotate(at=Max("date")))
    for query in queries:
        for row in query:
            if row["at"] is not None and (last[row["station_id"]] is None or row["at"] > last[row["station_id"]]):
                last[row["station_id"]] = row["at"]
    for posting in postings:
        latest = last[posting.station_id]
        if latest is not None and latest > cutoff:
            continue
        person = posting.person
        since = max(filter(None, [latest, posting.start_date]))
        yield Warning(f"no_progress:{person.pk}:{since}", "no_progress", posting.station, gettext_noop(
            "%(person)s: no progress at %(team)s since %(date)s (limit %(months)s months)."), {
            "person": person.name, "team": posting.station.name, "date": str(since),
            "months": version.no_progress_months},
            f"{reverse('leads:list')}?station={posting.station_id}", person, since)


def visit_warnings(context):
    """Fewer enterprise visits last week (Monday to Sunday) than the profile's weekly target."""
    if context.version is None or not context.postings:
        return
    rules = LeadRules.objects.filter(version=context.version).first()
    if rules is None or not rules.visits_per_week:
        return
    monday = context.today - datetime.timedelta(days=context.today.weekday() + 7)
    sunday = monday + datetime.timedelta(days=6)
    started = [posting for posting in context.postings if posting.start_date <= monday]
    url = f"{reverse('leads:visits')}"
    if rules.visits_target_per == "person":
        counts = dict(Visit.objects.filter(date__range=(monday, sunday), visitors__in=[p.person_id for p in started])
                      .values_list("visitors").annotate(n=Count("pk", distinct=True)))
        for posting in started:
            done = counts.get(posting.person_id, 0)
            if done < rules.visits_per_week:
                yield _visit_warning(posting.station, posting.person, done, rules.visits_per_week, monday, url)
        return
    station_ids = {posting.station_id for posting in started}
    counts = dict(Visit.objects.filter(date__range=(monday, sunday), station_id__in=station_ids)
                  .values_list("station_id").annotate(n=Count("pk")))
    for station_id in sorted(station_ids):
        done = counts.get(station_id, 0)
        if done < rules.visits_per_week:
            yield _visit_warning(context.stations[station_id], None, done, rules.visits_per_week, monday, url)


def _visit_warning(station, person, done, target, monday, url):
    who = person.name if person else station.name
    key = f"visits_short:{'p' + str(person.pk) if person else station.pk}:{monday}"
    return Warning(key, "visits_short", station, gettext_noop(
        "%(who)s: %(done)s enterprise visits in the week of %(date)s (target %(target)s)."), {
        "who": who, "done": done, "date": str(monday), "target": target}, url, person, monday, team_acts=True)


WARNING_KINDS = {
    "no_progress": gettext_lazy("No progress"),
    "visits_short": gettext_lazy("Fewer visits than the target"),
}
