"""Evaluating subjects under a scheme: each item's value, points and evidence, from the leads,
spot checks, events and findings of the period.

Set-based: `evaluate_all` scores every subject of a scheme with a fixed number of queries
whatever the number of subjects — each kind of fact is loaded once for all of them (`Facts`) and
the rules run in Python on those rows; lines are written in bulk. `evaluate` is the same for one
subject.

Whose facts count:
- a team: the team's leads, events and findings, and the spot checks of its people;
- a person on a team-counted sheet (Shanting, "office counts feed it"): the team's counts, the
  person's own spot checks and findings;
- a person scored on their own leads (all-staff promotion): the leads they brought as first
  provider;
- a unit: the leads it introduced (the introducing unit of the formal determination).
Duplicate leads never count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from leads.models import FundsEntry, Lead, StageChange
from leads.models import Stage as LeadStage
from stations.amounts import in_clearest_unit
from stations.models import CheckResult, Event, EventRole, Person, Posting, SpotCheck, Station, Unit

from . import access, workflow
from .models import (
    Evaluation,
    EvaluationLine,
    EvaluationStep,
    Finding,
    PersonCounts,
    SchemeItem,
    SchemeSubject,
    ScoringScheme,
    Stage,
    Subject,
)

AMOUNT_FIELDS = {"total": "total_investment", "fixed_asset": "fixed_asset_investment"}
CLASS_LABELS = {"raw": gettext_lazy("raw"), "complete": gettext_lazy("complete"), "qualified": gettext_lazy("qualified")}
INDICATOR_LABELS = {
    "new_attracted": gettext_lazy("projects signed"), "new_started": gettext_lazy("projects started"),
    "under_construction": gettext_lazy("projects under construction"),
    "new_completed": gettext_lazy("projects completed"),
}
# Indicators the facts in the system cannot give (output and tax figures, process management):
# scored by the assessor against the group's target, with a reason, like a judgement.
SCORED_BY_HAND = {"output_quality", "process"}
# Rule types whose line names another item's shortfall; they run after every other item.
REFERRING = {"proportional_penalty", "veto"}
ONE = Decimal("1")
ZERO = Decimal("0")
CENT = Decimal("0.01")


def scored_by_hand(item: SchemeItem) -> bool:
    """An item the assessor scores (with a reason) rather than the engine."""
    return item.rule_type == "judgement" or (
        item.rule_type == "weighted_indicator" and item.params.get("indicator") in SCORED_BY_HAND)


def counts_in_total(item: SchemeItem) -> bool:
    """Money penalties and vetoes carry no points."""
    return item.rule_type not in REFERRING


@dataclass
class Target:
    """One subject to score: a team, a person (with the team whose counts feed them, if any) or a unit."""

    station: Station | None = None
    person: Person | None = None
    unit: Unit | None = None
    group: str = ""
    heads: int = 1

    @property
    def key(self):
        return (getattr(self.station, "pk", None), getattr(self.person, "pk", None), getattr(self.unit, "pk", None))


@dataclass
class Result:
    value: str
    points: Decimal | None
    how: str
    evidence: list = field(default_factory=list)
    shortfall: Decimal | None = None
    money: Decimal | None = None
    forbids: str = ""
    item: SchemeItem | None = None


def _lead(lead: dict, label: str | None = None) -> dict:
    return {"kind": "lead", "id": lead["pk"], "label": label or lead["title"],
            "url": reverse("leads:detail", args=[lead["pk"]])}


def _in(day, first, last) -> bool:
    return day is not None and first <= day <= last


def _share(done: Decimal, target: Decimal) -> Decimal:
    """done / target, at most 1 (a target of 0 is met by anything)."""
    if target <= 0:
        return ONE
    return min(ONE, (done / target).quantize(Decimal("0.0001")))


class Facts:
    """The facts of the period for every subject, loaded once (a query per kind of fact)."""

    def __init__(self, scheme: ScoringScheme, first: datetime.date, last: datetime.date, targets: list[Target]):
        self.scheme, self.first, self.last, self.targets = scheme, first, last, targets
        self.own = scheme.subject == Subject.PERSON and scheme.person_counts == PersonCounts.OWN
        self._cache = {}

    def _once(self, name, load):
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    # Whose leads: the team's, the person's own, or the unit's.
    def lead_owner(self, target: Target):
        if target.unit is not None:
            return ("unit", target.unit.pk)
        if self.own:
            return ("user", target.person.user_id)
        return ("station", target.station.pk)

    def _lead_condition(self):
        stations = {t.station.pk for t in self.targets if t.station is not None and t.unit is None and not self.own}
        users = {t.person.user_id for t in self.targets if self.own and t.person.user_id}
        units = {t.unit.pk for t in self.targets if t.unit is not None}
        return (Q(station_id__in=stations) | Q(first_provider_user_id__in=users) | Q(introducer_unit_id__in=units))

    def leads(self, target: Target) -> list[dict]:
        """The subject's countable leads that matter to the period, in filing order."""
        def load():
            first, last = self.first, self.last
            in_period = (Q(filed_at__date__range=(first, last)) | Q(signed_on__range=(first, last))
                         | Q(started_on__range=(first, last)) | Q(completed_on__range=(first, last))
                         | Q(started_on__lte=last, completed_on__isnull=True)
                         | Q(started_on__lte=last, completed_on__gt=last))
            rows = (Lead.objects.countable().filter(self._lead_condition()).filter(in_period).with_classes()
                    .order_by("filed_at", "pk")
                    .values("pk", "title", "station_id", "first_provider_user_id", "introducer_unit_id", "filed_at",
                            "signed_on", "started_on", "completed_on", "stage", "category", "total_investment",
                            "fixed_asset_investment", "is_complete", "is_qualified", "lost_poor_service"))
            owned = defaultdict(list)
            for row in rows:
                owned[("station", row["station_id"])].append(row)
                if row["first_provider_user_id"]:
                    owned[("user", row["first_provider_user_id"])].append(row)
                if row["introducer_unit_id"]:
                    owned[("unit", row["introducer_unit_id"])].append(row)
            return owned
        return self._once("leads", load).get(self.lead_owner(target), [])

    def funds(self, target: Target) -> list[dict]:
        def load():
            owned = defaultdict(list)
            for row in (FundsEntry.objects.filter(date__range=(self.first, self.last))
                        .filter(lead__in=Lead.objects.countable().filter(self._lead_condition()))
                        .order_by("date", "pk")
                        .values("pk", "date", "amount_cny", "lead_id", "lead__title", "lead__station_id",
                                "lead__first_provider_user_id", "lead__introducer_unit_id")):
                owned[("station", row["lead__station_id"])].append(row)
                owned[("user", row["lead__first_provider_user_id"])].append(row)
                owned[("unit", row["lead__introducer_unit_id"])].append(row)
            return owned
        return self._once("funds", load).get(self.lead_owner(target), [])

    def lost_by_service(self, target: Target) -> list[dict]:
        def load():
            owned = defaultdict(list)
            for row in (StageChange.objects.filter(to_stage=LeadStage.LOST, at__date__range=(self.first, self.last),
                                                   lead__lost_poor_service=True)
                        .filter(lead__in=Lead.objects.countable().filter(self._lead_condition()))
                        .order_by("at", "pk")
                        .values("lead_id", "lead__title", "lead__station_id", "lead__first_provider_user_id",
                                "lead__introducer_unit_id")):
                owned[("station", row["lead__station_id"])].append(row)
                owned[("user", row["lead__first_provider_user_id"])].append(row)
                owned[("unit", row["lead__introducer_unit_id"])].append(row)
            return owned
        return self._once("lost", load).get(self.lead_owner(target), [])

    def people(self, target: Target) -> list[int]:
        """The people whose presence counts: the person, or everyone posted to the team in the period."""
        if target.person is not None:
            return [target.person.pk]
        if target.station is None:
            return []

        def load():
            posted = defaultdict(set)
            stations = {t.station.pk for t in self.targets if t.station is not None}
            for station_id, person_id in (Posting.objects.filter(station_id__in=stations, start_date__lte=self.last)
                                          .exclude(ended_on__lt=self.first).values_list("station_id", "person_id")):
                posted[station_id].add(person_id)
            return posted
        return sorted(self._once("people", load).get(target.station.pk, ()))

    def abnormal_checks(self, person_ids) -> list[SpotCheck]:
        def load():
            people = set()
            for target in self.targets:
                people.update(self.people(target))
            by_person = defaultdict(list)
            for check in (SpotCheck.objects.filter(person_id__in=people, date__range=(self.first, self.last),
                                                   result=CheckResult.ABNORMAL)
                          .select_related("person").order_by("date", "pk")):
                by_person[check.person_id].append(check)
            return by_person
        checks = self._once("checks", load)
        return sorted((check for person in person_ids for check in checks.get(person, [])),
                      key=lambda check: (check.date, check.pk))

    def hosted_events(self, target: Target, min_invited: int) -> list[Event]:
        if target.station is None:
            return []

        def load():
            by_station = defaultdict(list)
            stations = {t.station.pk for t in self.targets if t.station is not None}
            for event in (Event.objects.filter(station_id__in=stations, role=EventRole.HOSTED,
                                               date__range=(self.first, self.last))
                          .filter(Q(is_large=False) | Q(approved_in_advance=True)).order_by("date", "pk")):
                by_station[event.station_id].append(event)
            return by_station
        return [event for event in self._once("events", load).get(target.station.pk, [])
                if event.invited_enterprises >= min_invited]

    def findings(self, target: Target, kind: str) -> list[Finding]:
        def load():
            stations = {t.station.pk for t in self.targets if t.station is not None}
            people = {t.person.pk for t in self.targets if t.person is not None}
            return list(Finding.objects.filter(date__range=(self.first, self.last), withdrawn_at__isnull=True)
                        .filter(Q(station_id__in=stations) | Q(person_id__in=people)).order_by("date", "pk"))
        found = []
        for finding in self._once("findings", load):
            if finding.kind != kind:
                continue
            if target.person is not None:
                mine = finding.person_id == target.person.pk or (
                    finding.person_id is None and target.station is not None and finding.station_id == target.station.pk)
            else:
                mine = target.station is not None and finding.station_id == target.station.pk
            if mine:
                found.append(finding)
        return found


# --- the rules: (item, target, facts, lines so far by item code) → Result --------------------------------------


def count_target(item, target, facts, lines):
    params = item.params
    # Filing dates are local dates: a lead filed at 07:00 on 1 January (Beijing time) is that year's.
    leads = [lead for lead in facts.leads(target) if _in(timezone.localdate(lead["filed_at"]), facts.first, facts.last)
             and (params["lead_class"] == "raw" or (params["lead_class"] == "complete" and lead["is_complete"])
                  or lead["is_qualified"])]
    count, goal = len(leads), params["target"]
    base = item.max_points or ZERO
    up = Decimal(params["points_per_unit"])
    down = Decimal(params["penalty_per_unit"] or params["points_per_unit"])
    points = max(base + (count - goal) * (up if count >= goal else down), Decimal(params["floor"]))
    if params["cap"] is not None:
        points = min(points, Decimal(params["cap"]))
    how = _("%(count)s %(class)s leads against a target of %(target)s: %(base)s %(sign)s %(diff)s × %(per)s") % {
        "count": count, "class": CLASS_LABELS[params["lead_class"]], "target": goal, "base": base,
        "sign": "+" if count >= goal else "−", "diff": abs(count - goal), "per": up if count >= goal else down}
    return Result(str(count), points, how, [_lead(lead) for lead in leads],
                  shortfall=ONE - _share(Decimal(count), Decimal(goal)))


def _reached(total: Decimal, threshold: Decimal, inclusive: bool) -> bool:
    return total >= threshold if inclusive else total > threshold


def threshold_project(item, target, facts, lines):
    params = item.params
    threshold = Decimal(params["threshold"])
    if params["amount"] == "funds_in_place":
        entries = facts.funds(target)
        total = sum((entry["amount_cny"] for entry in entries), ZERO)
        reached = _reached(total, threshold, params["inclusive"])
        evidence = [{"kind": "lead", "id": entry["lead_id"], "url": reverse("leads:detail", args=[entry["lead_id"]]),
                     "label": f"{entry['lead__title']} · {entry['date']} · {in_clearest_unit(entry['amount_cny'])}"}
                    for entry in entries]
        return Result(str(total), Decimal(params["points_signed"]) if reached else ZERO, _(
            "Funds in place %(total)s against %(threshold)s") % {
                "total": in_clearest_unit(total), "threshold": in_clearest_unit(threshold)}, evidence,
            shortfall=ZERO if reached else ONE)
    field_name = AMOUNT_FIELDS[params["amount"]]
    signed = [lead for lead in facts.leads(target) if _in(lead["signed_on"], facts.first, facts.last)]
    if params["basis"] == "yearly_total":
        total = sum((lead[field_name] or ZERO for lead in signed), ZERO)
        reached = _reached(total, threshold, params["inclusive"])
        return Result(str(total), Decimal(params["points_signed"]) if reached else ZERO, _(
            "Signed in the period: %(total)s against %(threshold)s") % {
                "total": in_clearest_unit(total), "threshold": in_clearest_unit(threshold)},
            [_lead(lead) for lead in signed], shortfall=ZERO if reached else ONE)
    projects = sorted((lead for lead in signed if lead[field_name] is not None
                       and _reached(lead[field_name], threshold, params["inclusive"])),
                      key=lambda lead: (lead["signed_on"], lead["pk"]))
    if not projects:
        return Result("0", ZERO, _("No project at or above %(threshold)s signed in the period.") % {
            "threshold": in_clearest_unit(threshold)}, shortfall=ONE)
    points = Decimal(params["points_signed"]) + Decimal(params["bonus_per_extra"]) * (len(projects) - 1)
    landed = [lead for lead in projects if lead["started_on"] and lead["started_on"].year == lead["signed_on"].year]
    if params["landing_bonus_for"] == "first":
        landed = landed[:1]
    points += Decimal(params["landing_bonus"]) * len(landed)
    return Result(str(len(projects)), points, _("%(count)s project(s) signed, %(landed)s landed the same year") % {
        "count": len(projects), "landed": len(landed)}, [_lead(lead) for lead in projects], shortfall=ZERO)


def presence(item, target, facts, lines):
    params = item.params
    checks = facts.abnormal_checks(facts.people(target))
    base = item.max_points or ZERO
    per_person = defaultdict(int)
    for check in checks:
        per_person[check.person_id] += 1
    zeroed = params["zero_at"] and any(count >= params["zero_at"] for count in per_person.values())
    points = ZERO if zeroed else max(base - Decimal(params["points_per_abnormal"]) * len(checks), ZERO)
    evidence = [{"kind": "spot_check", "id": check.pk, "label": f"{check.date} {check.person.name}: {check.note}",
                 "url": check.get_absolute_url()} for check in checks]
    return Result(str(len(checks)), points, _("%(count)s abnormal spot check(s)") % {"count": len(checks)}, evidence)


def events(item, target, facts, lines):
    params = item.params
    hosted = facts.hosted_events(target, params["hosted_min_invited"])
    points = min(Decimal(params["points_hosted"]), item.max_points or Decimal(params["points_hosted"])) if hosted \
        else ZERO
    evidence = [{"kind": "event", "id": event.pk, "label": f"{event.date} {event.title} ({event.invited_enterprises})",
                 "url": event.get_absolute_url()} for event in hosted]
    return Result(str(len(hosted)), points, _("%(count)s event(s) hosted with at least %(min)s invited enterprises")
                  % {"count": len(hosted), "min": params["hosted_min_invited"]}, evidence)


def deduction(item, target, facts, lines):
    params = item.params
    per = Decimal(params["points_per_finding"])
    evidence = [{"kind": "finding", "id": finding.pk, "label": f"{finding.date} {finding.description}",
                 "url": finding.get_absolute_url()} for finding in facts.findings(target, params["finding"])]
    if params["finding"] == "lost_by_service":
        evidence += [{"kind": "lead", "id": row["lead_id"], "label": row["lead__title"],
                      "url": reverse("leads:detail", args=[row["lead_id"]])} for row in facts.lost_by_service(target)]
    return Result(str(len(evidence)), -per * len(evidence), _("%(count)s finding(s) × %(per)s") % {
        "count": len(evidence), "per": per}, evidence)


def judgement(item, target, facts, lines):
    return Result("", None, _("To be scored by the assessor, with a reason."))


def _group_target(item, target, mapping_name: str):
    mapping = item.params.get(mapping_name) or {}
    if target.group not in mapping:
        raise ValidationError(_("“%(item)s” has no target for the group “%(group)s” of %(subject)s: set it in the "
                                "scheme.") % {"item": item.label, "group": target.group or "—",
                                             "subject": target.person or target.unit or target.station})
    return mapping[target.group]


def weighted_indicator(item, target, facts, lines):
    """Huaiyin: points = weight × (actual ÷ the group's target), at most the weight."""
    params = item.params
    goal = Decimal(_group_target(item, target, "targets_by_group"))
    weight = Decimal(params["weight"])
    indicator = params["indicator"]
    if indicator in SCORED_BY_HAND:
        return Result("", None, _("To be scored by the assessor against the group's target of %(target)s, with a "
                                  "reason.") % {"target": goal})
    first, last = facts.first, facts.last
    leads = facts.leads(target)
    if indicator == "new_attracted":
        counted = [lead for lead in leads if _in(lead["signed_on"], first, last)]
    elif indicator == "new_started":
        counted = [lead for lead in leads if _in(lead["started_on"], first, last)]
    elif indicator == "new_completed":
        counted = [lead for lead in leads if _in(lead["completed_on"], first, last)]
    else:  # under construction at the end of the period
        counted = [lead for lead in leads if lead["started_on"] and lead["started_on"] <= last
                   and (lead["completed_on"] is None or lead["completed_on"] > last)
                   and lead["stage"] != LeadStage.LOST]
    share = _share(Decimal(len(counted)), goal)
    points = (weight * share).quantize(CENT, ROUND_HALF_UP)
    return Result(str(len(counted)), points, _("%(count)s %(indicator)s against the group's target of %(target)s: "
                                               "%(weight)s × %(share)s") % {
        "count": len(counted), "indicator": INDICATOR_LABELS[indicator], "target": goal, "weight": weight,
        "share": share}, [_lead(lead) for lead in counted], shortfall=ONE - share)


def amount_target(item, target, facts, lines):
    """All-staff: investment signed in the period by sector against the group's target for that
    sector; meeting any one sector's target meets the item. Points in proportion, at most the item's."""
    params = item.params
    goals = _group_target(item, target, "targets_by_rank")
    field_name = AMOUNT_FIELDS.get(params["amount"], "fixed_asset_investment")
    signed = [lead for lead in facts.leads(target) if _in(lead["signed_on"], facts.first, facts.last)]
    done = defaultdict(lambda: ZERO)
    if params["amount"] == "funds_in_place":
        sectors = {lead["pk"]: lead["category"] for lead in facts.leads(target)}
        for entry in facts.funds(target):
            done[sectors.get(entry["lead_id"], "")] += entry["amount_cny"]
    else:
        for lead in signed:
            done[lead["category"]] += lead[field_name] or ZERO
    share = max((_share(done[sector], Decimal(goal)) for sector, goal in goals.items()), default=ZERO)
    points = (Decimal(params["points"] or item.max_points or 0) * share).quantize(CENT, ROUND_HALF_UP)
    how = "；".join(_("%(sector)s %(done)s of %(goal)s") % {
        "sector": sector, "done": in_clearest_unit(done[sector]), "goal": in_clearest_unit(goal)}
        for sector, goal in goals.items())
    return Result(str(sum(done.values(), ZERO)), points, how, [_lead(lead) for lead in signed],
                  shortfall=ONE - share)


def proportional_penalty(item, target, facts, lines):
    """All-staff: a base for the subject's group × the share of the target missed (× the head count)."""
    params = item.params
    referred = lines[params["of_item"]]
    base = params["bases"].get(target.group)
    if base is None:
        return Result("", None, _("No penalty base for the group “%(group)s”.") % {"group": target.group or "—"},
                      money=ZERO)
    shortfall = referred.shortfall or ZERO
    money = (Decimal(base) * target.heads * shortfall).quantize(CENT, ROUND_HALF_UP)
    how = _("%(base)s × %(heads)s × %(shortfall)s of the target missed") % {
        "base": base, "heads": target.heads, "shortfall": shortfall}
    return Result(str(money), None, how, money=money)


def veto(item, target, facts, lines):
    """一票否决: missing the referred item's target forbids the grade."""
    referred = lines[item.params["of_item"]]
    missed = referred.shortfall is not None and referred.shortfall > 0
    if missed:
        return Result(_("target missed"), None, _("“%(item)s” missed its target: no %(grade)s.") % {
            "item": referred.item.label, "grade": _("excellent")}, forbids=item.params["forbids"])
    return Result(_("target met"), None, _("“%(item)s” met its target.") % {"item": referred.item.label})


RULES = {"count_target": count_target, "threshold_project": threshold_project, "presence": presence,
         "events": events, "deduction": deduction, "judgement": judgement,
         "weighted_indicator": weighted_indicator, "amount_target": amount_target,
         "proportional_penalty": proportional_penalty, "veto": veto}


# --- subjects and writing ----------------------------------------------------------------------------------------


def targets_for(scheme: ScoringScheme, first: datetime.date, last: datetime.date, stations=None) -> list[Target]:
    """Whom the scheme scores in the period: every active team (of `stations` when given); the
    persons it lists, or else everyone posted in the period; the units it lists."""
    listed = list(SchemeSubject.objects.filter(scheme=scheme).select_related("person", "unit"))
    if scheme.subject == Subject.TEAM:
        queryset = Station.objects.filter(is_active=True) if stations is None else stations
        return [Target(station=station) for station in queryset.order_by("pk")]
    if scheme.subject == Subject.UNIT:
        return [Target(unit=row.unit, group=row.group, heads=row.heads) for row in listed]
    postings = Posting.objects.filter(start_date__lte=last).exclude(ended_on__lt=first)
    if stations is not None:
        postings = postings.filter(station__in=stations)
    posted = {}
    for posting in postings.select_related("person", "station").order_by("start_date", "pk"):
        posted[posting.person_id] = posting  # the latest posting of the period names the team
    if listed:
        rows = [row for row in listed if stations is None or row.person_id in posted]
        return [Target(station=None if scheme.person_counts == PersonCounts.OWN else getattr(
            posted.get(row.person_id), "station", None), person=row.person, group=row.group, heads=row.heads)
            for row in rows if scheme.person_counts == PersonCounts.OWN or row.person_id in posted]
    return [Target(station=posting.station, person=posting.person) for posting in posted.values()]


def _check(scheme: ScoringScheme, targets: list[Target]) -> None:
    if scheme.subject == Subject.PERSON and scheme.person_counts == PersonCounts.OWN:
        unlinked = [str(target.person) for target in targets if not target.person.user_id]
        if unlinked:
            raise ValidationError(_("These people have no login, so no leads of their own: %(names)s.")
                                  % {"names": "、".join(unlinked)})


@transaction.atomic
def evaluate_all(*, scheme: ScoringScheme, first: datetime.date, last: datetime.date, targets: list[Target],
                 user=None) -> tuple[list[Evaluation], int]:
    """Compute (or recompute) the evaluations of `targets` for the period in one pass. Returns the
    evaluations computed and how many were kept because they are published or final (snapshots).
    Judgements already scored are kept; recomputing one that was in the hands sends it back to the
    subject (the facts may have changed). A missing target or base raises `ValidationError` and
    writes nothing."""
    _check(scheme, targets)
    # One computation of a scheme at a time: two first computations of a period at once (a double
    # click, two assessors) would both find no evaluation and both insert it, and the second would
    # fail on the unique constraint. The second now waits, then recomputes. NO KEY: adding an item
    # or a subject to the scheme meanwhile is not held up.
    ScoringScheme.objects.select_for_update(no_key=True).filter(pk=scheme.pk).values_list("pk", flat=True).first()
    items = sorted(scheme.items.all(), key=lambda item: (item.rule_type in REFERRING, item.position))
    facts = Facts(scheme, first, last, targets)
    existing = {(row.station_id, row.person_id, row.unit_id): row for row in Evaluation.objects.select_for_update(
        of=("self",)).filter(scheme=scheme, period_start=first, period_end=last).filter(
        Q(station__in=[t.station for t in targets if t.station]) | Q(person__in=[t.person for t in targets if t.person])
        | Q(unit__in=[t.unit for t in targets if t.unit]))}
    kept, todo = 0, []
    for target in targets:
        evaluation = existing.get(target.key)
        if evaluation is not None and evaluation.stage in (Stage.PUBLISHED, Stage.FINAL):
            kept += 1
            continue
        todo.append((target, evaluation))
    # The assessor's scores of the period (one query, whether or not any exist yet).
    open_ids = {evaluation.pk for _target, evaluation in todo if evaluation is not None}
    judged = defaultdict(dict)
    for line in EvaluationLine.objects.filter(evaluation__scheme=scheme, evaluation__period_start=first,
                                              evaluation__period_end=last, points__isnull=False,
                                              judged_by__isnull=False).select_related("item"):
        if line.evaluation_id in open_ids and scored_by_hand(line.item):
            judged[line.evaluation_id][line.item_id] = line
    results = []
    for target, evaluation in todo:
        lines = {}
        kept_lines = judged.get(evaluation.pk, {}) if evaluation is not None else {}
        for item in items:
            if item.pk in kept_lines:
                line = kept_lines[item.pk]
                lines[item.code] = Result(line.value, line.points, line.explanation, line.evidence)
            else:
                lines[item.code] = RULES[item.rule_type](item, target, facts, lines)
            lines[item.code].item = item
        results.append((target, evaluation, lines))
    return _write(scheme, first, last, results, judged, user), kept


def _write(scheme, first, last, results, judged, user) -> list[Evaluation]:
    """Write the evaluations and their lines in bulk: a fixed number of statements."""
    new = [Evaluation(scheme=scheme, station=target.station, person=target.person, unit=target.unit,
                      period_start=first, period_end=last) for target, evaluation, _lines in results
           if evaluation is None]
    if new:
        bulk_create_with_history(new, Evaluation, default_user=user)
        created = {(row.station_id, row.person_id, row.unit_id): row for row in Evaluation.objects.filter(
            scheme=scheme, period_start=first, period_end=last)}
    evaluations, steps, fresh_lines, now = [], [], [], timezone.now()
    for target, evaluation, lines in results:
        recomputed_in_hands = evaluation is not None and evaluation.stage != Stage.COMPUTED
        if evaluation is None:
            evaluation = created[target.key]
        points = [result.points for code, result in lines.items() if counts_in_total(result.item)]
        evaluation.total = None if any(value is None for value in points) else sum(points, ZERO)
        evaluation.stage, evaluation.computed_at = Stage.COMPUTED, now
        if recomputed_in_hands and user is not None:
            steps.append(EvaluationStep(evaluation=evaluation, stage=Stage.COMPUTED, by=user,
                                        comment=_("Recomputed: the facts are to be confirmed again.")))
        evaluations.append(evaluation)
        keep = judged.get(evaluation.pk, {})
        for result in lines.values():
            if result.item.pk in keep:
                continue
            fresh_lines.append(EvaluationLine(
                evaluation=evaluation, item=result.item, value=str(result.value)[:100], points=result.points,
                explanation=str(result.how)[:300], evidence=result.evidence, shortfall=result.shortfall,
                money=result.money, forbids=result.forbids))
    # Every line the engine writes is replaced; the assessor's scores stay.
    EvaluationLine.objects.filter(evaluation__in=evaluations).exclude(
        pk__in=[line.pk for kept in judged.values() for line in kept.values()]).delete()
    EvaluationLine.objects.bulk_create(fresh_lines)
    bulk_update_with_history(evaluations, Evaluation, ["total", "stage", "computed_at"], default_user=user)
    EvaluationStep.objects.bulk_create(steps)
    return evaluations


def evaluate(*, scheme: ScoringScheme, first: datetime.date, last: datetime.date, station: Station | None = None,
             person: Person | None = None, unit: Unit | None = None, user=None) -> Evaluation:
    """Compute (or recompute) one subject's evaluation: `person` (with the `station` whose counts
    feed them, or alone when scored on their own leads), a team (`station`) or a `unit`. Raises
    `workflow.Locked` for a published or final result (a snapshot)."""
    expected = {Subject.PERSON: person is not None,
                Subject.TEAM: person is None and unit is None and station is not None,
                Subject.UNIT: unit is not None and person is None and station is None}
    if not expected[scheme.subject]:
        raise ValidationError(_("This scheme scores %(subject)s.") % {"subject": scheme.get_subject_display()})
    target = Target(station=station, person=person, unit=unit)
    if scheme.subject != Subject.TEAM:
        listed = SchemeSubject.objects.filter(scheme=scheme, person=person, unit=unit).first()
        if listed is not None:
            target.group, target.heads = listed.group, listed.heads
        elif scheme.subject == Subject.UNIT:
            raise ValidationError(_("%(unit)s is not a subject of this scheme.") % {"unit": unit})
    if scheme.subject == Subject.PERSON and scheme.person_counts == PersonCounts.OWN:
        target.station = None
    with transaction.atomic():
        evaluations, kept = evaluate_all(scheme=scheme, first=first, last=last, targets=[target], user=user)
        if kept:
            evaluation = Evaluation.objects.get(scheme=scheme, period_start=first, period_end=last,
                                                station=target.station, person=person, unit=unit)
            workflow.require_open(evaluation)
    return evaluations[0]


@transaction.atomic
def judge(*, line: EvaluationLine, user, points: Decimal, reason: str) -> EvaluationLine:
    """Score an item scored by hand (a judgement, or an indicator the facts cannot give): within
    its maximum, with a written reason, by a reviewing office outside the subject."""
    if not access.may_review(user, line.evaluation):
        raise PermissionDenied
    evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=line.evaluation_id)
    workflow.require_open(evaluation)
    if not scored_by_hand(line.item):
        raise ValidationError(_("Only a judgement item is scored by hand."))
    maximum = line.item.max_points or ZERO
    if not ZERO <= points <= maximum:
        raise ValidationError({"points": _("Score between 0 and %(max)s.") % {"max": maximum}})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the score.")})
    line.points, line.reason, line.judged_by = points, reason.strip(), user
    line.save(update_fields=["points", "reason", "judged_by"])
    points = [row.points for row in evaluation.lines.select_related("item") if counts_in_total(row.item)]
    evaluation.total = None if any(value is None for value in points) else sum(points, ZERO)
    evaluation._history_user = user
    evaluation.save(update_fields=["total", "computed_at"])
    return line
