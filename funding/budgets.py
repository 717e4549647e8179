"""Money in: budgets set from the profile's funding rule, disbursement batches, lump sums, and
requests to raise a budget.

Who may: the bureau and finance keep the ledger (`ledger.may_record`), never for their own team.
The rule of a team-year is the active profile's `FundingRule` for that year's version, the rule
for the team's kind winning over the general one.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stations import approvals
from stations.duty import version_in_force
from stations.models import Posting, RequestStatus, Station
from stations.models.reports import Report, ReportKind, ReportStatus
from stations.permissions import Action, own_station_ids, require
from stations.services import save_validated

from . import ledger
from .models import Budget, BudgetIncrease, EntryKind, FundingModel, FundingRule, LedgerEntry, YearClose


def rule_for(station: Station, year: int) -> FundingRule | None:
    """The funding rule for `station` in `year` (None when the profile has none)."""
    version = version_in_force(year)
    if version is None:
        return None
    rules = list(FundingRule.objects.filter(version=version).filter(Q(team_kind="") | Q(team_kind=station.kind)))
    return next((rule for rule in rules if rule.team_kind), None) or next(iter(rules), None)


def _require_keeper(user, station: Station) -> None:
    if not ledger.may_record(user, station.pk):
        raise PermissionDenied(_("Only the bureau or finance keep a team's money, never their own team's."))


def _first_posting_start(station: Station) -> datetime.date | None:
    return Posting.objects.filter(station=station).order_by("start_date").values_list(
        "start_date", flat=True).first()


def _start_month(station: Station, year: int) -> int | None:
    """The month of `year` in which the team started (1–12), whose lump sum is the start-up amount
    (`lump_sum_due`: the month of the first posting); before anyone is posted, January of a year
    with no budget before it. None in any other year: a team opened before its first budget here
    pays twelve monthly amounts."""
    start = _first_posting_start(station)
    if start is not None:
        return start.month if start.year == year else None
    return None if Budget.objects.filter(station=station, year__lt=year).exists() else 1


@transaction.atomic
def budget_set(*, user, station: Station, year: int, date: datetime.date | None = None) -> Budget:
    """Give `station` its budget for `year` from the funding rule; under the annual and lead-unit
    models the budget is allocated to the team's (or lead unit's) account at once, by one entry.
    Batches and lump sums bring the money in as they are paid. Refused if the year has not begun
    (no entry is dated ahead), the year already has a budget (raise it with a `BudgetIncrease`)
    or the profile has no rule for the team."""
    _require_keeper(user, station)
    _require_begun(year)
    rule = rule_for(station, year)
    if rule is None:
        raise ValidationError(_("The profile has no funding rule for %(team)s in %(year)s.")
                              % {"team": station, "year": year})
    ledger.lock_team(station.pk)
    ledger.require_open_year(station.pk, year)
    if Budget.objects.filter(station=station, year=year).exists():
        raise ValidationError(_("%(team)s already has a budget for %(year)s.") % {"team": station, "year": year})
    amount = rule.yearly_amount(start_month=_start_month(station, year))
    budget = Budget(station=station, year=year, amount=amount, note=str(rule))
    save_validated(budget, user=user, reason=_("Set from the funding rule"))
    if rule.model in (FundingModel.ANNUAL, FundingModel.LEAD_UNIT) and amount > 0:
        date = date or _entry_date(year)
        ledger.post(user=user, station=station, year=year, date=date, kind=EntryKind.ALLOCATION, amount=amount,
                    description=_("Budget for %(year)s") % {"year": year}, reference=f"YS{year}")
    return budget


def _require_begun(year: int) -> None:
    if year > timezone.localdate().year:
        raise ValidationError(_("A budget is set once its year has begun."))


def _entry_date(year: int) -> datetime.date:
    """Today in the current year, 1 January for a year gone by (entries are never future-dated)."""
    today = timezone.localdate()
    return today if today.year == year else datetime.date(year, 1, 1)


def budgets_set_all(*, user, year: int) -> list[Budget]:
    """Budgets for every active team without one for `year` (each its own transaction: a team the
    profile has no rule for, or whose year is closed, is skipped, not a reason to leave the others
    without). Refused for a year that has not begun."""
    _require_begun(year)
    created = []
    have = Budget.objects.filter(year=year).values("station_id")
    closed = YearClose.objects.filter(year=year).values("station_id")
    for station in Station.objects.active().exclude(pk__in=have).exclude(pk__in=closed).order_by("name"):
        if not ledger.may_record(user, station.pk) or rule_for(station, year) is None:
            continue
        created.append(budget_set(user=user, station=station, year=year))
    return created


@transaction.atomic
def disburse(*, user, station: Station, amount, date: datetime.date, month: datetime.date | None = None,
             note: str = "", token: uuid.UUID | None = None) -> LedgerEntry:
    """Release a batch of the team's budget from the bureau's account (Xiangzhou). Where the rule
    says so, the batch is for a `month` whose monthly report the bureau has accepted. Batches never
    release more than the budget. A second call with the same form `token` returns the batch the
    first one released."""
    _require_keeper(user, station)
    rule = rule_for(station, date.year)
    errors = {}
    if rule is None or rule.model != FundingModel.BATCHES:
        raise ValidationError(_("%(team)s is not funded in batches.") % {"team": station})
    try:
        number = ledger.clean_amount(amount)
    except ValidationError as error:
        raise ValidationError({"amount": error.message_dict["amount"]}) from None
    if number <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if rule.release_needs_report:
        if month is None:
            errors["month"] = _("Name the month whose accepted report this batch rewards.")
        elif not Report.objects.filter(station=station, kind=ReportKind.MONTHLY, period_start=month.replace(day=1),
                                       status=ReportStatus.ACCEPTED).exists():
            errors["month"] = _("The monthly report for %(month)s has not been accepted.") % {
                "month": f"{month:%Y-%m}"}
    if errors:
        raise ValidationError(errors)
    ledger.lock_team(station.pk)
    if token is not None and (repeated := LedgerEntry.objects.filter(token=token, station=station).first()):
        return repeated  # the form sent again (a double click): the batch it released
    budget = Budget.objects.filter(station=station, year=date.year).values_list("amount", flat=True).first()
    released = ledger.total(station, date.year, kind=EntryKind.DISBURSEMENT)
    if budget is None or released + number > budget:
        raise ValidationError({"amount": _(
            "Only %(left)s yuan of the %(year)s budget is left to release.") % {
            "left": max((budget or 0) - released, Decimal("0")), "year": date.year}})
    reference = f"PF{month:%Y%m}" if month else ""
    if month and LedgerEntry.objects.filter(station=station, kind=EntryKind.DISBURSEMENT, reference=reference,
                                            reversal__isnull=True).exists():
        raise ValidationError({"month": _("A batch for %(month)s has already been released.")
                               % {"month": f"{month:%Y-%m}"}})
    return ledger.payout_record(user=user, station=station, kind=EntryKind.DISBURSEMENT, amount=number, date=date,
                                description=note or _("Batch released"), reference=reference, token=token)


def lump_sum_due(station: Station, month: datetime.date) -> Decimal | None:
    """The month's lump sum for `station`: the start-up amount in the month of the team's first
    posting, the monthly amount after (None when the team is not funded by lump sum)."""
    rule = rule_for(station, month.year)
    if rule is None or rule.model != FundingModel.LUMP_SUM:
        return None
    first_posting = _first_posting_start(station)
    first_month = first_posting is not None and (first_posting.year, first_posting.month) == (month.year, month.month)
    return rule.month_amount(first_month=first_month)


def _month_begun(month: datetime.date) -> datetime.date:
    """The first of `month`, refused when that month is still to come (money is never paid ahead)."""
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError({"month": _("That month has not begun.")})
    return month


def _pay_month(*, user, station: Station, month: datetime.date, amount: Decimal, reference: str,
               description: str, already: str) -> LedgerEntry:
    """One lump-sum entry for the month under the team's lock; `already` is the refusal when an
    entry with the same `reference` (that was not reversed) has been paid."""
    ledger.lock_team(station.pk)
    if LedgerEntry.objects.filter(station=station, kind=EntryKind.LUMP_SUM, reference=reference,
                                  reversal__isnull=True).exists():
        raise ValidationError({"month": already})
    return ledger.payout_record(user=user, station=station, kind=EntryKind.LUMP_SUM, amount=amount, date=month,
                                description=description, reference=reference)


@transaction.atomic
def lump_sum_pay(*, user, station: Station, month: datetime.date) -> LedgerEntry:
    """Pay the team its lump sum for `month` (once a month, from the month of its first posting;
    the amount is the rule's)."""
    _require_keeper(user, station)
    month = _month_begun(month)
    amount = lump_sum_due(station, month)
    if amount is None:
        raise ValidationError(_("%(team)s is not funded by a lump sum.") % {"team": station})
    words = {"month": f"{month:%Y-%m}"}
    start = _first_posting_start(station)
    if start is not None and month < start.replace(day=1):
        raise ValidationError({"month": _("%(team)s started in %(start)s: no lump sum is paid for %(month)s.")
                               % {**words, "team": station, "start": f"{start:%Y-%m}"}})
    return _pay_month(user=user, station=station, month=month, amount=amount, reference=f"BG{month:%Y%m}",
                      description=_("Lump sum for %(month)s") % words,
                      already=_("The lump sum for %(month)s has already been paid.") % words)


def travel_lump_sum_due(station: Station, month: datetime.date) -> tuple[Decimal, int] | None:
    """The travel lump sum of the team's posted people for `month` (Xuancheng: 派驻人员差旅费包干)
    and how many people it is for — everyone posted to the team on any day of the month. None
    when the rule pays no travel lump sum."""
    rule = rule_for(station, month.year)
    if rule is None or rule.travel_lump_sum is None:
        return None
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    heads = (Posting.objects.filter(station=station, start_date__lte=last)
             .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first)).values("person").distinct().count())
    return rule.travel_lump_sum * heads, heads


@transaction.atomic
def travel_lump_sum_pay(*, user, station: Station, month: datetime.date) -> LedgerEntry:
    """Pay the posted people's travel lump sum for `month` (once a month), by one entry."""
    _require_keeper(user, station)
    month = _month_begun(month)
    due = travel_lump_sum_due(station, month)
    if due is None:
        raise ValidationError(_("The funding rule of %(team)s pays no travel lump sum.") % {"team": station})
    amount, heads = due
    words = {"team": station, "month": f"{month:%Y-%m}", "heads": heads}
    if not heads:
        raise ValidationError({"month": _("Nobody was posted to %(team)s in %(month)s.") % words})
    return _pay_month(user=user, station=station, month=month, amount=amount, reference=f"CL{month:%Y%m}",
                      description=_("Travel lump sum for %(month)s: %(heads)s posted people") % words,
                      already=_("The travel lump sum for %(month)s has already been paid.") % words)


# --- Budget increases -------------------------------------------------------------------------

@transaction.atomic
def increase_request(*, user, station: Station, year: int, amount, reason: str,
                     token: uuid.UUID | None = None) -> BudgetIncrease:
    """Ask for `amount` more for `station`'s `year`: the team itself or the bureau asks; the
    profile's chain decides (`increase_decide`). A second call with the same form `token` returns
    the request the first one made."""
    require(user, Action.FUNDS, station)
    if not (station.pk in own_station_ids(user) or ledger.may_record(user, station.pk)):
        raise PermissionDenied
    # The team's row first: the year cannot close between the check below and the request.
    ledger.lock_team(station.pk)
    if token is not None:
        existing = BudgetIncrease.objects.filter(token=token, station=station).first()
        if existing is not None:
            return existing
    try:
        number = ledger.clean_amount(amount)
    except ValidationError as error:
        raise ValidationError({"amount": error.message_dict["amount"]}) from None
    errors = {}
    if number <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the budget must rise.")
    if not Budget.objects.filter(station=station, year=year).exists():
        errors["year"] = _("%(team)s has no budget for %(year)s yet.") % {"team": station, "year": year}
    if errors:
        raise ValidationError(errors)
    ledger.require_open_year(station.pk, year)
    increase = BudgetIncrease(station=station, year=year, amount=number, reason=reason.strip(), requester=user,
                              token=token)
    save_validated(increase, user=user, reason=_("Asked"))
    approvals.start(increase, user=user, reason=_("Approved"))
    _raise_if_approved(increase, user)
    return increase


@transaction.atomic
def increase_decide(*, user, increase: BudgetIncrease, approve: bool, comment: str = "") -> BudgetIncrease:
    """Act in the pending step of a budget increase; the budget rises with the last approval
    (never in a closed year: the team's row is held from that check on, then the increase)."""
    require(user, Action.VIEW, increase.station)
    ledger.lock_team(increase.station_id)
    ledger.require_open_year(increase.station_id, increase.year)
    increase = approvals.decide(increase, user=user, approve=approve, comment=comment)
    _raise_if_approved(increase, user)
    return increase


def _raise_if_approved(increase: BudgetIncrease, user) -> None:
    if increase.status != RequestStatus.APPROVED:
        return
    budget = Budget.objects.select_for_update().get(station=increase.station, year=increase.year)
    budget.amount += increase.amount
    save_validated(budget, user=user, reason=str(increase))
