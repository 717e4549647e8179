"""The funding pages of requests: expense claims (filing, the approval chain, a claim held past
the budget, the printable form, receipts) and budget increases.

Thin, like the other views: scope through `stations.permissions` (`Action.FUNDS` reads a team's
money; another team's object is a 404), validate with a form, write through `funding.claims` or
`funding.budgets` and show a refusal on the form or as a message.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations import approvals
from stations.duty_forms import DecisionForm
from stations.forms import apply_service_errors
from stations.models import Posting
from stations.permissions import Action, get_in_scope_or_404, station_or_404, stations_for

from . import budgets, claims, ledger
from .forms import ClaimForm, IncreaseForm, ReasonForm
from .models import BudgetIncrease, ClaimDecision, ClaimStatus, ExpenseClaim, Receipt
from .views import error_text, year_asked

# --- Claims -------------------------------------------------------------------------------------

@login_required
def claim_list(request):
    """The claims of the teams whose money the user reads, newest first; `?status=` and `?team=`."""
    scope = stations_for(request.user, Action.FUNDS)
    if not scope.exists():
        raise PermissionDenied
    rows = (ExpenseClaim.objects.filter(station__in=scope)
            .select_related("station", "category", "requester__person").order_by("-created_at", "-pk"))
    status, team = request.GET.get("status", ""), request.GET.get("team", "")
    if status in ClaimStatus.values:
        rows = rows.filter(status=status)
    if team.isdigit():
        rows = rows.filter(station_id=int(team))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "funding/claim_list.html", {
        "page_obj": page, "is_paginated": page.has_other_pages(), "statuses": ClaimStatus.choices,
        "status": status, "team": team, "teams": scope.order_by("name"),
    })


@login_required
def claim_new(request, pk):
    team = station_or_404(request.user, Action.WORK, pk)
    form = ClaimForm(request.POST if request.method == "POST" else None,
                     request.FILES if request.method == "POST" else None, station=team,
                     initial={"date": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            claim = claims.claim_file(user=request.user, station=team, receipts=data.pop("receipts"), **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Claim %(number)s filed: %(status)s.") % {
                "number": claim.number, "status": claim.get_status_display()})
            return redirect(claim)
    # A browser never sends a file twice: say so when the form comes back with receipts attached.
    reattach = form.is_bound and bool(request.FILES.getlist("receipts"))
    return render(request, "funding/form.html", {
        "form": form, "station": team, "title": _("File an expense claim"), "reattach": reattach,
        "intro": _("The claim goes along the approval chain of the policy profile; a claim that would take "
                   "the team past its budget is held for the person the profile names.")})


def _claim(request, pk) -> ExpenseClaim:
    return get_in_scope_or_404(ExpenseClaim.objects.filter(
        station__in=stations_for(request.user, Action.FUNDS)).select_related(
        "station", "category", "event", "requester__person", "entry", "override_by__person"), pk)


@login_required
def claim_detail(request, pk):
    claim = _claim(request, pk)
    return render(request, "funding/claim_detail.html", _claim_context(request, claim))


def _claim_context(request, claim):
    decisions = list(ClaimDecision.objects.filter(claim=claim).select_related("decided_by__person"))
    chain = approvals.steps_with_decisions(claim)
    positions = {row["step"].position for row in chain}
    may_override = claim.status == ClaimStatus.HELD and claims.may_override(request.user, claim)
    overrun = None
    if may_override:  # how far past the ceiling paying it would go, for whoever decides
        spent, ceiling = ledger.spend_and_ceiling(claim.station_id, claim.year)
        overrun = max(spent + claim.amount - ceiling, Decimal("0"))
    return {
        "object": claim, "chain": chain, "extra_decisions": [d for d in decisions if d.position not in positions],
        "receipts": claim.receipts.all(), "may_decide": approvals.may_decide(request.user, claim),
        "may_override": may_override, "overrun": overrun,
        "may_withdraw": claim.is_open and (claim.requester_id == request.user.pk or Posting.objects.current()
                                           .chiefs().filter(station=claim.station, person__user=request.user)
                                           .exists()),
        "may_reverse": claim.entry is not None and ledger.may_record(request.user, claim.station_id)
        and not hasattr(claim.entry, "reversal"),
        "form": DecisionForm(), "reason_form": ReasonForm(),
    }


@login_required
def claim_print(request, pk):
    """The printable claim form (报销单) with its sign-off rows."""
    claim = _claim(request, pk)
    context = _claim_context(request, claim)
    context["printed_at"] = timezone.localtime()
    return render(request, "funding/claim_print.html", context)


@login_required
@require_POST
def claim_decide(request, pk):
    claim = _claim(request, pk)
    if not approvals.may_decide(request.user, claim):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect(claim)
    try:
        claim = claims.claim_decide(user=request.user, claim=claim, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if claim.status == ClaimStatus.HELD:
            messages.warning(request, _("Approved, but paying it would take the team past its budget: the claim is "
                                        "held until %(actor)s decides.") % {"actor": claims.override_actor_label(claim)})
        else:
            messages.success(request, _("Decision recorded."))
    return redirect(claim)


def _held_action(request, pk, service, done):
    claim = _claim(request, pk)
    if not (claim.status == ClaimStatus.HELD and claims.may_override(request.user, claim)):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the decision."))
        return redirect(claim)
    try:
        service(user=request.user, claim=claim, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect(claim)


@login_required
@require_POST
def claim_override(request, pk):
    return _held_action(request, pk, claims.claim_override, _("The claim is paid past the budget, on your record."))


@login_required
@require_POST
def claim_decline(request, pk):
    return _held_action(request, pk, claims.claim_decline, _("The claim is refused."))


@login_required
@require_POST
def claim_withdraw(request, pk):
    claim = _claim(request, pk)
    try:
        claims.claim_withdraw(user=request.user, claim=claim)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Claim withdrawn."))
    return redirect(claim)


@login_required
def receipt_file(request, pk):
    """A receipt's file, for whoever may read its claim (never a public media URL)."""
    receipt = get_in_scope_or_404(Receipt.objects.filter(
        claim__station__in=stations_for(request.user, Action.FUNDS)), pk)
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=False, filename=receipt.name)


# --- Budget increases ----------------------------------------------------------------------------

@login_required
def increase_new(request, pk):
    team = station_or_404(request.user, Action.FUNDS, pk)
    year = year_asked(request)
    if not (claims.may_file(request.user, team) or ledger.may_record(request.user, team.pk)):
        raise PermissionDenied
    form = IncreaseForm(request.POST if request.method == "POST" else None)
    if form.is_valid():  # the same form sent again (its token) lands on the request it made
        try:
            increase = budgets.increase_request(user=request.user, station=team, year=year, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Increase asked for."))
            return redirect(increase)
    return render(request, "funding/form.html", {
        "form": form, "station": team,
        "title": _("Ask for a budget increase for %(year)s") % {"year": year}})


def _increase(request, pk) -> BudgetIncrease:
    return get_in_scope_or_404(BudgetIncrease.objects.filter(
        station__in=stations_for(request.user, Action.FUNDS)).select_related("station", "requester__person"), pk)


@login_required
def increase_detail(request, pk):
    increase = _increase(request, pk)
    return render(request, "funding/increase_detail.html", {
        "object": increase, "chain": approvals.steps_with_decisions(increase),
        "may_decide": approvals.may_decide(request.user, increase), "form": DecisionForm(),
    })


@login_required
@require_POST
def increase_decide(request, pk):
    increase = _increase(request, pk)
    if not approvals.may_decide(request.user, increase):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
    else:
        try:
            budgets.increase_decide(user=request.user, increase=increase, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Decision recorded."))
    return redirect(increase)
