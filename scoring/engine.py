"""Evaluating a subject under a scheme: each item's value, points and evidence, from the leads,
spot checks, events and findings of the period. Set-based: a few queries per item whatever the
amount of data. Rule types not yet evaluated here are refused with a message, never guessed.

A person on a team-counted sheet (Shanting) is scored on the counts of the team they were posted
to ("office counts feed it"); presence and findings are the person's own.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.models import FundsEntry, Lead, StageChange
from leads.models import Stage as LeadStage
from stations.models import CheckResult, Event, EventRole, Person, Posting, SpotCheck, Station
from stations.permissions import Action, user_can

from . import workflow
from .models import (
    Evaluation,
    EvaluationLine,
    EvaluationStep,
    Finding,
    SchemeItem,
    ScoringScheme,
    Stage,
    Subject,
)

AMOUNT_FIELDS = {"total": "total_investment", "fixed_asset": "fixed_asset_investment"}
CLASS_LABELS = {"raw": gettext_lazy("raw"), "complete": gettext_lazy("complete"), "qualified": gettext_lazy("qualified")}
EVALUATED = {"count_target", "threshold_project", "presence", "events", "judgement", "deduction"}


def _lead(lead) -> dict:
    return {"kind": "lead", "id": lead.pk, "label": lead.title, "url": reverse("leads:detail", args=[lead.pk])}


class Context:
    def __init__(self, scheme: ScoringScheme, station: Station, person: Person | None, first, last):
        self.scheme, self.station, self.person, self.first, self.last = scheme, station, person, first, last
        self.leads = Lead.objects.filter(station=station).countable()

    @property
    def people(self):
        if self.person is not None:
            return [self.person.pk]
        return list(Posting.objects.filter(station=self.station, start_date__lte=self.last)
                    .exclude(ended_on__lt=self.first).values_list("person_id", flat=True))


def count_target(item: SchemeItem, ctx: Context):
    params = item.params
    leads = list(ctx.leads.filter(filed_at__date__range=(ctx.first, ctx.last)).of_class(params["lead_class"])
                 .order_by("filed_at"))
    count, target = len(leads), params["target"]
    base = item.max_points or Decimal("0")
    up = Decimal(params["points_per_unit"])
    down = Decimal(params["penalty_per_unit"] or params["points_per_unit"])
    points = base + (count - target) * (up if count >= target else down)
    points = max(points, Decimal(params["floor"]))
    if params["cap"] is not None:
        points = min(points, Decimal(params["cap"]))
    how = _("%(count)s %(class)s leads against a target of %(target)s: %(base)s %(sign)s %(diff)s × %(per)s") % {
        "count": count, "class": CLASS_LABELS[params["lead_class"]], "target": target, "base": base,
        "sign": "+" if count >= target else "−", "diff": abs(count - target), "per": up if count >= target else down}
    return str(count), points, how, [_lead(lead) for lead in leads]


def threshold_project(item: SchemeItem, ctx: Context):
    params = item.params
    threshold = Decimal(params["threshold"])
    if params["amount"] == "funds_in_place":
        entries = list(FundsEntry.objects.filter(lead__in=ctx.leads, date__range=(ctx.first, ctx.last))
                       .select_related("lead"))
        total = sum((entry.amount_cny for entry in entries), Decimal("0"))
        reached = total >= threshold if params["inclusive"] else total > threshold
        evidence = [_lead(entry.lead) | {"label": f"{entry.lead.title} · {entry.date} · {entry.amount_cny}"}
                    for entry in entries]
        return str(total), Decimal(params["points_signed"]) if reached else Decimal("0"), _(
            "Funds in place %(total)s against %(threshold)s") % {"total": total, "threshold": threshold}, evidence
    field = AMOUNT_FIELDS[params["amount"]]
    condition = Q(**{f"{field}__gte" if params["inclusive"] else f"{field}__gt": threshold})
    signed = ctx.leads.filter(signed_on__range=(ctx.first, ctx.last))
    if params["basis"] == "yearly_total":
        total = signed.aggregate(total=Sum(field))["total"] or Decimal("0")
        reached = total >= threshold if params["inclusive"] else total > threshold
        return str(total), Decimal(params["points_signed"]) if reached else Decimal("0"), _(
            "Signed in the period: %(total)s against %(threshold)s") % {"total": total, "threshold": threshold}, [
            _lead(lead) for lead in signed]
    projects = list(signed.filter(condition).order_by("signed_on", "pk"))
    if not projects:
        return "0", Decimal("0"), _("No project at or above %(threshold)s signed in the period.") % {
            "threshold": threshold}, []
    points = Decimal(params["points_signed"]) + Decimal(params["bonus_per_extra"]) * (len(projects) - 1)
    landed = [lead for lead in projects if lead.started_on and lead.started_on.year == lead.signed_on.year]
    if params["landing_bonus_for"] == "first":
        landed = landed[:1]
    points += Decimal(params["landing_bonus"]) * len(landed)
    return str(len(projects)), points, _("%(count)s project(s) signed, %(landed)s landed the same year") % {
        "count": len(projects), "landed": len(landed)}, [_lead(lead) for lead in projects]


def presence(item: SchemeItem, ctx: Context):
    params = item.params
    checks = list(SpotCheck.objects.filter(person_id__in=ctx.people, date__range=(ctx.first, ctx.last),
                                           result=CheckResult.ABNORMAL).select_related("person").order_by("date"))
    base = item.max_points or Decimal("0")
    per_person = {}
    for check in checks:
        per_person[check.person_id] = per_person.get(check.person_id, 0) + 1
    zeroed = params["zero_at"] and any(count >= params["zero_at"] for count in per_person.values())
    points = Decimal("0") if zeroed else max(base - Decimal(params["points_per_abnormal"]) * len(checks), Decimal(0))
    evidence = [{"kind": "spot_check", "id": check.pk, "label": f"{check.date} {check.person.name}: {check.note}",
                 "url": check.get_absolute_url()} for check in checks]
    return str(len(checks)), points, _("%(count)s abnormal spot check(s)") % {"count": len(checks)}, evidence


def events(item: SchemeItem, ctx: Context):
    params = item.params
    hosted = list(Event.objects.filter(station=ctx.station, role=EventRole.HOSTED, date__range=(ctx.first, ctx.last),
                                       invited_enterprises__gte=params["hosted_min_invited"])
                  .filter(Q(is_large=False) | Q(approved_in_advance=True)).order_by("date"))
    points = min(Decimal(params["points_hosted"]), item.max_points or Decimal(params["points_hosted"])) if hosted \
        else Decimal("0")
    evidence = [{"kind": "event", "id": event.pk, "label": f"{event.date} {event.title} ({event.invited_enterprises})",
                 "url": event.get_absolute_url()} for event in hosted]
    return str(len(hosted)), points, _("%(count)s event(s) hosted with at least %(min)s invited enterprises") % {
        "count": len(hosted), "min": params["hosted_min_invited"]}, evidence


def deduction(item: SchemeItem, ctx: Context):
    params = item.params
    per = Decimal(params["points_per_finding"])
    findings = Finding.objects.filter(station=ctx.station, kind=params["finding"], date__range=(ctx.first, ctx.last))
    if ctx.person is not None:
        findings = findings.filter(Q(person=ctx.person) | Q(person__isnull=True))
    evidence = [{"kind": "finding", "id": finding.pk, "label": f"{finding.date} {finding.description}",
                 "url": finding.get_absolute_url()} for finding in findings]
    if params["finding"] == "lost_by_service":
        lost = StageChange.objects.filter(lead__in=ctx.leads.filter(lost_poor_service=True), to_stage=LeadStage.LOST,
                                          at__date__range=(ctx.first, ctx.last)).select_related("lead")
        evidence += [_lead(change.lead) for change in lost]
    return str(len(evidence)), -per * len(evidence), _("%(count)s finding(s) × %(per)s") % {
        "count": len(evidence), "per": per}, evidence


def judgement(item: SchemeItem, ctx: Context):
    return "", None, _("To be scored by the assessor, with a reason."), []


RULES = {"count_target": count_target, "threshold_project": threshold_project, "presence": presence,
         "events": events, "deduction": deduction, "judgement": judgement}


@transaction.atomic
def evaluate(*, scheme: ScoringScheme, first: datetime.date, last: datetime.date, station: Station,
             person: Person | None = None, user=None) -> Evaluation:
    """Compute (or recompute) the evaluation of `person` (a person sheet) or `station` (a team
    sheet) for the period. Judgements already scored are kept. A published or final result is
    never recomputed; recomputing one in the hands sends it back to the subject (facts changed)."""
    missing = sorted({item.rule_type for item in scheme.items.all()} - EVALUATED)
    if missing:
        raise ValidationError(_("This scheme uses rule types that cannot be evaluated yet: %(types)s.")
                              % {"types": ", ".join(missing)})
    if (scheme.subject == Subject.PERSON) != (person is not None) or scheme.subject == Subject.UNIT:
        raise ValidationError(_("This scheme scores %(subject)s.") % {"subject": scheme.get_subject_display()})
    evaluation, _created = Evaluation.objects.select_for_update(of=("self",)).get_or_create(
        scheme=scheme, station=station, person=person, period_start=first, period_end=last)
    workflow.require_open(evaluation)
    if evaluation.stage != Stage.COMPUTED:
        evaluation.stage = Stage.COMPUTED
        evaluation.save(update_fields=["stage"])
        if user is not None:
            EvaluationStep.objects.create(evaluation=evaluation, stage=Stage.COMPUTED, by=user,
                                          comment=_("Recomputed: the facts are to be confirmed again."))
    ctx = Context(scheme, station, person, first, last)
    judged = {line.item_id: line for line in evaluation.lines.filter(item__rule_type="judgement")}
    evaluation.lines.exclude(item__rule_type="judgement").delete()
    for item in scheme.items.order_by("position"):
        if item.rule_type == "judgement" and item.pk in judged:
            continue
        value, points, how, evidence = RULES[item.rule_type](item, ctx)
        EvaluationLine.objects.create(evaluation=evaluation, item=item, value=value, points=points, explanation=how,
                                      evidence=evidence)
    _total(evaluation)
    return evaluation


def _total(evaluation: Evaluation) -> None:
    points = [line.points for line in evaluation.lines.all()]
    evaluation.total = None if any(value is None for value in points) else sum(points, Decimal("0"))
    evaluation.save(update_fields=["total", "computed_at"])


@transaction.atomic
def judge(*, line: EvaluationLine, user, points: Decimal, reason: str) -> EvaluationLine:
    """Score a judgement item: within its maximum, with a written reason, by a reviewing office
    outside the subject's team."""
    if not user_can(user, Action.REVIEW, line.evaluation.station):
        raise PermissionDenied
    workflow.require_open(line.evaluation)
    if line.item.rule_type != "judgement":
        raise ValidationError(_("Only a judgement item is scored by hand."))
    maximum = line.item.max_points or Decimal("0")
    if not Decimal("0") <= points <= maximum:
        raise ValidationError({"points": _("Score between 0 and %(max)s.") % {"max": maximum}})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the score.")})
    line.points, line.reason, line.judged_by = points, reason.strip(), user
    line.save(update_fields=["points", "reason", "judged_by"])
    _total(line.evaluation)
    return line
