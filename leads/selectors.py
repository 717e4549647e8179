"""Every read of the `leads` app used by views and exports, scoped through `leads.access`.

List, board and funnel run a fixed number of queries whatever the number of leads: filtering and
counting happen in the database, related rows are joined or prefetched.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Min,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from stations.models import Station
from stations.permissions import (
    Action,
    Role,
    get_in_scope_or_404,
    has_role,
    sees_every_team,
    stations_for,
    unit_of,
)

from . import access, search
from .models import (
    EXITS,
    PIPELINE,
    Contact,
    DuplicateStatus,
    Enterprise,
    InvestorVisit,
    Lead,
    LeadsVersion,
    ScreeningMeeting,
    Stage,
    StageChange,
    Visit,
)
from .services import STAGE_MOVE_REASON, rules_for

SORTS = {
    "filed": "-filed_at", "-filed": "filed_at", "amount": "-total_investment", "-amount": "total_investment",
    "title": "title", "stage": "stage",
}
WAN = Decimal("10000")
# Sorting by stage follows the pipeline, then the exits, not the alphabet.
STAGE_ORDER = Case(*[When(stage=stage, then=Value(index)) for index, stage in enumerate([*PIPELINE, *EXITS])],
                   output_field=IntegerField())


@dataclass
class LeadFilters:
    """The list's filters, parsed from the query string (bad values are ignored, never an error)."""

    station: int | None = None
    stage: str = ""
    source: str = ""
    industry: int | None = None
    category: str = ""
    origin: str = ""
    year: int | None = None
    lead_class: str = ""
    min_wan: Decimal | None = None
    max_wan: Decimal | None = None
    scale_only: bool = False
    tag: int | None = None
    q: str = ""
    sort: str = "filed"
    include_duplicates: bool = False
    # 规模项目 are measured by fixed-asset investment (seed 001) against the lead rules' threshold,
    # read once with the filters: the list, its cached count's key and the board all use it.
    scale_threshold: Decimal | None = None

    def __post_init__(self):
        if self.scale_only and self.scale_threshold is None:
            self.scale_threshold = rules_for().scale_threshold

    @classmethod
    def from_query(cls, query) -> LeadFilters:
        def integer(name):
            try:
                return int(query.get(name, ""))
            except ValueError:
                return None

        def amount(name):
            try:
                value = Decimal(query.get(name, "").strip())
            except (InvalidOperation, ValueError):
                return None
            return value if value.is_finite() and value >= 0 else None

        return cls(
            station=integer("station"), stage=query.get("stage", "") if query.get("stage") in Stage.values else "",
            source=query.get("source", ""), industry=integer("industry"), category=query.get("category", ""),
            origin=query.get("origin", ""), year=integer("year"),
            lead_class=query.get("class", "") if query.get("class") in ("raw", "complete", "qualified") else "",
            min_wan=amount("min"), max_wan=amount("max"), scale_only=query.get("scale") == "1", tag=integer("tag"),
            q=query.get("q", "").strip()[:100], sort=query.get("sort", "filed") if query.get("sort") in SORTS else "filed",
            include_duplicates=query.get("duplicates") == "1",
        )


def lead_list(*, user, filters: LeadFilters | None = None, classes: bool = True):
    """Leads the user may see, filtered and sorted, with the related rows a list shows, annotated
    with their class (`with_classes`) unless `classes` is False: a page of 50 then marks its own
    with `mark_classes`, since PostgreSQL plans the per-lead `EXISTS` for every lead that matches,
    not only for the page's (a hash of every qualifying visit, ~100 ms at 200,000 leads)."""
    filters = filters or LeadFilters()
    leads = access.leads_for(user)
    if not filters.include_duplicates:
        leads = leads.countable()
    if filters.lead_class:
        leads = leads.of_class(filters.lead_class)
    lookups = {
        "station_id": filters.station, "stage": filters.stage, "source": filters.source,
        "category": filters.category, "origin": filters.origin, "filed_at__year": filters.year,
        "tags__id": filters.tag,
    }
    leads = leads.filter(**{key: value for key, value in lookups.items() if value not in (None, "")})
    if filters.industry:  # a section matches its divisions too
        leads = leads.filter(Q(industry_id=filters.industry) | Q(industry__parent_id=filters.industry))
    if filters.min_wan is not None:
        leads = leads.filter(total_investment__gte=filters.min_wan * WAN)
    if filters.max_wan is not None:
        leads = leads.filter(total_investment__lte=filters.max_wan * WAN)
    if filters.scale_only:
        leads = leads.filter(fixed_asset_investment__gte=filters.scale_threshold)
    if filters.q:
        leads = search.matching(leads, filters.q)
    order = STAGE_ORDER if filters.sort == "stage" else SORTS[filters.sort]
    return (
        (leads.with_classes() if classes else leads.annotate(is_complete=ExpressionWrapper(
            leads.complete_condition(), output_field=BooleanField())))
        .select_related("station", "enterprise", "industry", "transferred_to")
        .order_by(order, "-filed_at", "-pk")
    )


def mark_classes(leads) -> list[Lead]:
    """Set `is_qualified` on a page of leads (from `lead_list(classes=False)`, which annotates
    `is_complete`), as `with_classes` would: one query for the page."""
    leads = list(leads)
    qualified = set(InvestorVisit.objects.filter(lead__in=[lead.pk for lead in leads], qualifies=True)
                    .values_list("lead_id", flat=True)) if leads else set()
    for lead in leads:
        lead.is_qualified = lead.pk in qualified
    return leads


def board(*, user, filters: LeadFilters | None = None, per_stage: int = 30):
    """Leads grouped by stage for the board: [(stage, label, count, cards)] in pipeline order,
    each card a dict of `pk`, `title`, `station__name` and `total_investment`.

    The counts per stage are read from the cache when no lead changed since (`leads_version`):
    counting a province's leads by stage reads every one of them. Then one query per stage (a
    fixed fourteen) fetches the newest `per_stage` as plain rows, which the (stage, filed_at)
    index serves without sorting every lead (a window over every lead sorted them all: 5 s at
    200,000 leads); a card needs its team's name and nothing else joined.
    """
    filters = filters or LeadFilters()
    leads = lead_list(user=user, filters=filters, classes=False)
    key = f"leads:board:{_scope_key(user)}:{_filters_key(filters)}:{leads_version()}"
    counts = cache.get(key)
    if counts is None:
        # COUNT(*), not COUNT(id): PostgreSQL then counts from the stage index alone.
        counts = dict(leads.order_by().values_list("stage").annotate(n=Count("*")))
        cache.set(key, counts, BOARD_CACHE_SECONDS)
    cards = leads.select_related(None).values("pk", "title", "station__name", "total_investment")
    # Every column is asked for, empty or not, so that the number of queries is the same whatever
    # the leads (one per stage: a union of fourteen limited queries is not portable to SQLite).
    return [(stage, Stage(stage).label, counts.get(stage, 0),
             list(cards.filter(stage=stage).order_by("-filed_at", "-pk")[:per_stage]))
            for stage in [*PIPELINE, *EXITS]]


def lead_count(*, user, filters: LeadFilters | None = None) -> int:
    """How many leads `lead_list` holds for `user` and `filters`, read from the cache when no lead
    changed since (`leads_version`): a province's list counts 200,000 leads on every page, and a
    search counts every match (30–40 ms) again for each page of it."""
    filters = filters or LeadFilters()
    key = f"leads:count:{_scope_key(user)}:{_filters_key(filters)}:{leads_version()}"
    count = cache.get(key)
    if count is None:
        count = lead_list(user=user, filters=filters, classes=False).count()
        cache.set(key, count, BOARD_CACHE_SECONDS)
    return count


def leads_version() -> int:
    """The number in the cache keys of figures over many leads (`LeadsVersion`): it changes with
    every committed change to what they read, so a cached figure is never older than that."""
    return LeadsVersion.current()


# Figures over every lead a reader may see are kept at most this long; `leads_version` in their
# key makes any change to a lead show at once, so the time only bounds what the cache holds.
FUNNEL_CACHE_SECONDS = 60
BOARD_CACHE_SECONDS = 60


def funnel(*, user, year: int | None = None):
    """Counts and amounts (总投资, in 元) per stage, by team and in total, as of `computed_at`.

    A pipeline stage counts the leads that ever reached it (a `StageChange` into it), so a lead
    negotiated by its team without a transfer is never counted as screened or transferred, and a
    lead later lost or on hold still counts where it got to. The exits count the leads now there.
    Duplicates never count.

    The stage changes are first reduced to one per lead and stage (a lead may enter a stage twice,
    after a hold), then grouped by team and stage with the lead's amount: set-based, where a
    per-lead `EXISTS` for each stage would probe the stage changes 200,000 × 11 times. Even so, a
    province's funnel takes seconds, so the figures are cached per scope until a lead changes
    (`leads_version`).
    """
    key = f"leads:funnel:{_scope_key(user)}:{year or 'all'}:{leads_version()}"
    found = cache.get(key)
    if found is None:
        found = _funnel_figures(user, year)
        cache.set(key, found, FUNNEL_CACHE_SECONDS)
    totals, names, cells, computed_at = found
    stages = [*PIPELINE, *EXITS]
    return {
        "total": [(stage, Stage(stage).label, *totals[stage]) for stage in stages],
        "stations": FunnelRows(names, cells, stages),
        "computed_at": computed_at,
    }


def _funnel_figures(user, year):
    """What the funnel caches: the totals per stage, the teams sorted by name, and each team's
    cells with amounts in fen (a thousand teams' fourteen Decimals took 15 ms to unpickle)."""
    cells, names, computed_at = _funnel_cells(user, year)
    totals = {stage: [0, Decimal(0)] for stage in [*PIPELINE, *EXITS]}
    for (_station, stage), (n, amount) in cells.items():
        totals[stage][0] += n
        totals[stage][1] += amount
    compact = {key: (n, int(amount * 100)) for key, (n, amount) in cells.items()}
    return totals, sorted(names.items(), key=lambda item: (item[1], item[0])), compact, computed_at


class FunnelRows(Sequence):
    """The funnel's team rows, built only for the rows a page shows (a province has a thousand)."""

    def __init__(self, names, cells, stages):
        self.names, self.cells, self.stages = names, cells, stages

    def __len__(self):
        return len(self.names)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(pk, name) for pk, name in self.names[index]]
        return self._row(*self.names[index])

    def _row(self, pk, name):
        cells = []
        for stage in self.stages:
            n, fen = self.cells.get((pk, stage), (0, 0))
            cells.append((stage, Stage(stage).label, n, Decimal(fen).scaleb(-2)))
        return {"name": name, "cells": cells}


def _filters_key(filters: LeadFilters) -> str:
    """What the filters select, for the keys of cached counts: not the sort, which changes no
    count; with the scale threshold (in the filters), which a profile's new version or a change of
    active profile moves without touching a lead (so without `leads_version`)."""
    return hashlib.sha256(repr(dataclasses.replace(filters, sort="")).encode()).hexdigest()[:24]


def _scope_key(user) -> str:
    """Who sees the same leads shares the same funnel: every lead, or a digest of the teams (and
    the park) a user reads."""
    if sees_every_team(user):
        return "all"
    teams = sorted(stations_for(user, Action.VIEW).values_list("pk", flat=True))
    park = unit_of(user) if has_role(user, Role.PARK) else None
    return hashlib.sha256(f"{teams}|{park}".encode()).hexdigest()[:24]


def _funnel_cells(user, year):
    """({(team id, stage): (count, amount)}, {team id: name}, computed at) — three queries."""
    leads = access.leads_for(user).countable()
    if year:
        leads = leads.filter(filed_at__year=year)
    first_entries = (StageChange.objects.filter(lead__in=leads.values("pk"), to_stage__in=PIPELINE).order_by()
                     .values("lead_id", "to_stage").annotate(first=Min("pk")).values("first"))
    reached = (StageChange.objects.filter(pk__in=first_entries).order_by()
               .values("lead__station_id", "to_stage")
               .annotate(n=Count("pk"), amount=Sum("lead__total_investment")))
    exits = (leads.filter(stage__in=EXITS).order_by().values("station_id", "stage")
             .annotate(n=Count("pk"), amount=Sum("total_investment")))
    cells = {}
    for row in reached:
        cells[(row["lead__station_id"], row["to_stage"])] = (row["n"], row["amount"] or Decimal(0))
    for row in exits:
        cells[(row["station_id"], row["stage"])] = (row["n"], row["amount"] or Decimal(0))
    # The teams of the leads read (a park's come from teams it may not otherwise see).
    names = dict(Station.objects.filter(pk__in={station for station, _stage in cells}).values_list("pk", "name"))
    return cells, names, timezone.now()


def lead_get(*, user, pk) -> Lead:
    """The lead `pk` if `user` may see it, with what its page always shows joined.

    The relations a page shows only sometimes (the lead it duplicates, its earlier phase, who
    determined the introducer) load when shown: PostgreSQL plans a join of twelve relations with
    its genetic optimiser, 10–25 ms of planning for a 1 ms query.
    """
    return access.lead_or_404(
        user, pk, Lead.objects.select_related(
            "station", "enterprise", "industry", "transferred_to", "introducer_unit", "service_unit",
            "investor_contact", "first_provider_user__person",
        ),
    )


def lead_timeline(*, lead: Lead) -> list[dict]:
    """Everything that happened to a lead, newest first: stages, meetings, visits, funds, edits."""
    entries = []
    for change in lead.stage_changes.select_related("by__person"):
        entries.append({"at": change.at, "kind": "stage", "who": change.by, "object": change})
    for decision in lead.screening_decisions.select_related("meeting", "transfer_to"):
        entries.append({"at": _day(decision.meeting.date), "kind": "decision", "who": None, "object": decision})
    for visit in lead.investor_visits.select_related("recorded_by__person"):
        entries.append({"at": _day(visit.date), "kind": "investor_visit", "who": visit.recorded_by, "object": visit})
    for entry in lead.funds.select_related("recorded_by__person"):
        entries.append({"at": _day(entry.date), "kind": "funds", "who": entry.recorded_by, "object": entry})
    for record in lead.history.select_related("history_user__person")[:50]:
        if (record.history_change_reason or "").startswith(STAGE_MOVE_REASON):
            continue  # shown by its StageChange row
        entries.append({"at": record.history_date, "kind": "edit", "who": record.history_user, "object": record})
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def _day(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(12)))


def major_report(*, user, year: int, month: int):
    """Major leads (total ≥ the profile's major threshold) with this month's stage changes."""
    start = timezone.make_aware(datetime.datetime(year, month, 1))
    end = timezone.make_aware(datetime.datetime(year + month // 12, month % 12 + 1, 1))
    leads = (
        access.leads_for(user).countable()
        .filter(total_investment__gte=rules_for().major_threshold)
        .exclude(stage__in=[Stage.REJECTED])
        .select_related("station", "enterprise", "transferred_to")
        .prefetch_related(Prefetch("stage_changes", queryset=StageChange.objects.filter(at__gte=start, at__lt=end),
                                   to_attr="month_changes"))
        .order_by("-total_investment", "pk")
    )
    return [{"lead": lead, "changes": lead.month_changes} for lead in leads]


def meeting_list(*, user):
    if not has_role(user, Role.BUREAU):
        return ScreeningMeeting.objects.none()
    return ScreeningMeeting.objects.annotate(n=Count("decisions")).select_related("held_by")


def meeting_get(*, user, pk) -> ScreeningMeeting:
    return get_in_scope_or_404(meeting_list(user=user), pk)


def screening_queue(*, user):
    """Leads waiting for the bureau: filed or in screening, from teams other than the user's own."""
    return (
        Lead.objects.countable().filter(stage__in=[Stage.FILED, Stage.SCREENING],
                                        station__in=stations_for(user, Action.REVIEW))
        .select_related("station", "enterprise").order_by("filed_at", "pk")
    )


def suspected_duplicates(*, user):
    return (
        Lead.objects.filter(duplicate_status=DuplicateStatus.SUSPECTED, station__in=stations_for(user, Action.REVIEW))
        .select_related("station", "enterprise").order_by("filed_at", "pk")
    )


def contact_book(*, user, station):
    return Contact.objects.filter(station=station).select_related("enterprise").order_by("enterprise__name", "name")


def visit_list(*, station, since=None):
    visits = Visit.objects.filter(station=station).select_related("enterprise", "contact").prefetch_related(
        "visitors")
    if since:
        visits = visits.filter(date__gte=since)
    return visits


def enterprises_for(user):
    """Enterprises the user meets through a lead, a contact or a visit they may see."""
    visible = stations_for(user, Action.VIEW)
    return Enterprise.objects.filter(
        Q(pk__in=access.leads_for(user).values("enterprise_id"))
        | Q(pk__in=Contact.objects.filter(station__in=visible).values("enterprise_id"))
        | Q(pk__in=Visit.objects.filter(station__in=visible).values("enterprise_id"))
    )


def enterprise_get(*, user, pk) -> Enterprise:
    return get_in_scope_or_404(enterprises_for(user).select_related("industry"), pk)


def visit_summary(*, station, rules, today=None):
    """This week's visits against the profile's target (per team or per person) and this month's
    new investors met per person against theirs. Three queries whatever the number of visits."""
    today = today or timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    week = Visit.objects.filter(station=station, date__gte=week_start, date__lte=today)
    people = list(
        station.postings.model.objects.current().filter(station=station).select_related("person")
        .order_by("role", "pk")
    )
    by_person = dict(
        week.values_list("visitors").annotate(n=Count("pk", distinct=True)).values_list("visitors", "n"))
    new_by_person = dict(
        Visit.objects.filter(station=station, date__gte=month_start, date__lte=today, new_investor=True)
        .values_list("visitors").annotate(n=Count("pk", distinct=True)).values_list("visitors", "n"))
    return {
        "week_start": week_start,
        "team_visits": week.count(),
        "target": rules.visits_per_week,
        "per_person": rules.visits_target_per == "person",
        "people": [
            {"person": posting.person, "visits": by_person.get(posting.person_id, 0),
             "new_investors": new_by_person.get(posting.person_id, 0)}
            for posting in people
        ],
        "new_investor_target": rules.new_investors_per_month,
    }
