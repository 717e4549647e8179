"""The funding pages of money itself: the all-teams summary, a team's ledger and budget execution,
money in, year end and the Excel downloads (claims and budget increases: `claim_views`).

Thin, like the other views: scope through `stations.permissions` (`Action.FUNDS` reads a team's
money; another team's object is a 404), validate with a form, write through a service and show
its refusal on the form or as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations.forms import apply_service_errors
from stations.models import Station
from stations.permissions import (
    Action,
    can_see_all_funds,
    get_in_scope_or_404,
    own_station_ids,
    station_or_404,
    stations_for,
)

from . import budgets, claims, exports, ledger, summary, yearend
from .forms import (
    DisburseForm,
    EntryForm,
    MonthForm,
    ReasonForm,
    RecoveryForm,
    YearForm,
)
from .models import (
    EntryKind,
    ExpenseCategory,
    FundingModel,
    LedgerEntry,
    YearClose,
    YearEnd,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def year_asked(request) -> int:
    """The year asked for in `?year=`, this year by default; nonsense falls back to this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The summary and a team's ledger -----------------------------------------------------------

@login_required
def overview(request):
    """All teams' money for the offices that read it; a team member goes to their own team."""
    year = year_asked(request)
    if not can_see_all_funds(request.user):
        own = sorted(own_station_ids(request.user))
        teams = stations_for(request.user, Action.FUNDS)
        if len(own) == 1 or (not own and teams.count() == 1):
            return redirect(f"{reverse('funding:station', args=[own[0] if own else teams.get().pk])}?year={year}")
        if not teams.exists():
            raise PermissionDenied
        rows = summary.summary(teams, year)
    else:
        rows = summary.summary(stations_for(request.user, Action.FUNDS), year)
    return render(request, "funding/overview.html", {
        "year": year, "rows": rows, "totals": summary.totals(rows), "years": range(year - 2, year + 2),
        "may_set_budgets": ledger.is_keeper(request.user) and year <= timezone.localdate().year,
        "may_export": can_see_all_funds(request.user),
        "export_url": f"{reverse('funding:summary_export')}?year={year}",
    })


@login_required
def summary_export(request):
    if not can_see_all_funds(request.user):
        raise PermissionDenied
    year = year_asked(request)
    content = exports.summary_workbook(year=year, stations=stations_for(request.user, Action.FUNDS),
                                       user=request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="funding-summary-{year}.xlsx"'
    return response


def _filtered(request, station, year):
    """The team-year's entries in ledger order with the running balance of the whole ledger, then
    narrowed by the filters (kind, category, month) — the balance shown is always the ledger's."""
    entries = (LedgerEntry.objects.of(station, year)
               .select_related("category", "unit", "recorded_by__person", "reversal", "claim")
               .order_by("date", "pk"))
    rows = [{"entry": entry, "balance": running, "money_in": entry.amount if entry.amount > 0 else None,
             "money_out": -entry.amount if entry.amount < 0 else None}
            for entry, running in ledger.running_balance(entries)]
    kind, category, month = request.GET.get("kind", ""), request.GET.get("category", ""), request.GET.get("month", "")
    if kind in EntryKind.values:
        rows = [row for row in rows if row["entry"].kind == kind]
    if category.isdigit():
        rows = [row for row in rows if row["entry"].category_id == int(category)]
    if month.isdigit() and 1 <= int(month) <= 12:
        rows = [row for row in rows if row["entry"].date.month == int(month)]
    return rows, {"kind": kind, "category": category, "month": month}


@login_required
def station(request, pk):
    """A team's ledger (财务流水台账) with its running balance and filters, and its budget execution
    by category with bars, for the year."""
    team = station_or_404(request.user, Action.FUNDS, pk)
    year = year_asked(request)
    rows, filters = _filtered(request, team, year)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    run = ledger.execution(team, year)
    keeper = ledger.may_record(request.user, team.pk)
    rule = budgets.rule_for(team, year)
    closed = YearClose.objects.filter(station=team, year=year).first()
    recoveries = team.recoveries.filter(year=year).select_related("person", "recorded_by__person")
    return render(request, "funding/station.html", {
        "station": team, "year": year, "years": range(year - 2, year + 2), "page_obj": page,
        "is_paginated": page.has_other_pages(), "execution": run, "filters": filters, "rule": rule,
        "kinds": EntryKind.choices, "categories": ExpenseCategory.objects.all(), "months": range(1, 13),
        "keeper": keeper and closed is None, "closed": closed,
        # A budget is set once its year has begun (`budgets.budget_set`).
        "may_set_budget": keeper and closed is None and run.budget is None and rule is not None
        and year <= timezone.localdate().year,
        "may_claim": claims.may_file(request.user, team) and closed is None,
        "may_ask_increase": closed is None and run.budget is not None and (
            claims.may_file(request.user, team) or keeper),
        "may_close": keeper and closed is None and year < timezone.localdate().year,
        "may_recover": yearend.may_record_recovery(request.user, team), "recoveries": recoveries,
        "batches": rule is not None and rule.model == FundingModel.BATCHES,
        "lump_sum": rule is not None and rule.model == FundingModel.LUMP_SUM,
        "travel_lump_sum": rule is not None and rule.travel_lump_sum is not None,
        "claims": team.expense_claims.filter(year=year).select_related("category").order_by("-date", "-pk")[:20],
        "increases": team.budget_increases.filter(year=year),
        "month_form": MonthForm(initial={"month": timezone.localdate()}),
    })


@login_required
def ledger_export(request, pk):
    team = station_or_404(request.user, Action.FUNDS, pk)
    year = year_asked(request)
    content = exports.ledger_workbook(station=team, year=year, user=request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ledger-{team.code}-{year}.xlsx"'
    return response


# --- Money in, kept by the bureau or finance ---------------------------------------------------

def _keeper_station(request, pk) -> Station:
    team = station_or_404(request.user, Action.FUNDS, pk)
    if not ledger.may_record(request.user, team.pk):
        raise PermissionDenied
    return team


def _back(team, year):
    return redirect(f"{reverse('funding:station', args=[team.pk])}?year={year}")


@login_required
def entry_new(request, pk):
    """Record money in (allocation, self-funding) or an adjustment by hand; the same form sent
    again (its token) lands on the entry it recorded."""
    team = _keeper_station(request, pk)
    form = EntryForm(request.POST if request.method == "POST" else None, station=team,
                     initial={"date": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = ledger.entry_record(
                user=request.user, station=team, kind=data["kind"], amount=data["amount"], date=data["date"],
                category=data["category"], unit=data["unit"], description=data["description"],
                reason=data["reason"], reference=data["reference"], token=data["token"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Entry recorded."))
            return _back(team, entry.year)
    return render(request, "funding/form.html", {"form": form, "station": team,
                                                 "title": _("Record money in or an adjustment")})


@login_required
@require_POST
def entry_reverse(request, pk):
    entry = get_in_scope_or_404(
        LedgerEntry.objects.filter(station__in=stations_for(request.user, Action.FUNDS)), pk)
    form = ReasonForm(request.POST)
    if not ledger.may_record(request.user, entry.station_id):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Give the reason for the reversal."))
    else:
        try:
            ledger.entry_reverse(user=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Entry reversed."))
    return _back(entry.station, entry.year)


def _postedyear_asked(request):
    """The year of a one-click action, from its form; None (with a message) when it is missing."""
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the year."))
        return None
    return form.cleaned_data["year"]


@login_required
@require_POST
def budget_set(request, pk):
    team = _keeper_station(request, pk)
    year = _postedyear_asked(request)
    if year is None:
        return _back(team, year_asked(request))
    try:
        budgets.budget_set(user=request.user, station=team, year=year)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Budget set from the funding rule."))
    return _back(team, year)


@login_required
@require_POST
def budgets_set_all(request):
    if not ledger.is_keeper(request.user):
        raise PermissionDenied
    year = _postedyear_asked(request)
    if year is None:
        return redirect("funding:overview")
    try:
        created = budgets.budgets_set_all(user=request.user, year=year)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(count)s budgets set for %(year)s.") % {"count": len(created), "year": year})
    return redirect(f"{reverse('funding:overview')}?year={year}")


@login_required
def disburse(request, pk):
    team = _keeper_station(request, pk)
    form = DisburseForm(request.POST if request.method == "POST" else None,
                        initial={"date": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = budgets.disburse(user=request.user, station=team, amount=data["amount"], date=data["date"],
                                     month=data["month"], note=data["note"], token=data["token"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Batch released."))
            return _back(team, entry.year)
    return render(request, "funding/form.html", {"form": form, "station": team,
                                                 "title": _("Release a batch")})


@login_required
@require_POST
def lump_sum(request, pk):
    team = _keeper_station(request, pk)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the month."))
        return _back(team, year_asked(request))
    month = form.cleaned_data["month"]
    pay = budgets.travel_lump_sum_pay if form.cleaned_data["travel"] else budgets.lump_sum_pay
    try:
        pay(user=request.user, station=team, month=month)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Lump sum paid."))
    return _back(team, month.year)


# --- Year end -----------------------------------------------------------------------------------

@login_required
@require_POST
def year_close(request, pk):
    team = _keeper_station(request, pk)
    year = _postedyear_asked(request)
    if year is None:
        return _back(team, year_asked(request))
    try:
        close = yearend.year_close(user=request.user, station=team, year=year)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        words = (_("%(year)s closed: its balance of %(balance)s yuan is carried over to the next year.")
                 if close.disposition == YearEnd.CARRY_OVER
                 else _("%(year)s closed: its balance of %(balance)s yuan is returned."))
        messages.success(request, words % {"year": year, "balance": close.balance})
    return _back(team, year)


@login_required
def recovery_new(request, pk):
    team = station_or_404(request.user, Action.FUNDS, pk)
    if not yearend.may_record_recovery(request.user, team):
        raise PermissionDenied
    year = year_asked(request)
    form = RecoveryForm(request.POST if request.method == "POST" else None, station=team)
    if form.is_valid():
        try:
            yearend.recovery_record(user=request.user, station=team, year=year, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Recovery recorded."))
            return _back(team, year)
    return render(request, "funding/form.html", {
        "form": form, "station": team,
        "title": _("Record the amount to recover on dismissal (%(year)s)") % {"year": year},
        "intro": _("%(spent)s yuan were used in %(year)s; the amount is deducted from salary outside Outpost.")
        % {"spent": ledger.execution(team, year).spent, "year": year}})
