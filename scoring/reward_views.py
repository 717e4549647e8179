"""Pages of rewards and penalties: the year's list, one reward with its steps and actions,
computing, proposing an award, the payment run, and the two Excel sheets. For the offices that
deal with rewards (`scoring.rewards.may_read`); teams get 403. The services decide who acts."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations.forms import apply_service_errors
from stations.permissions import get_in_scope_or_404, people_for

from . import rewards
from .reward_exports import penalties_workbook, rewards_workbook
from .reward_forms import AwardForm
from .reward_models import RewardKind, RewardStatus, Settlement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader(request) -> None:
    if not rewards.may_read(request.user):
        raise PermissionDenied


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), timezone.localdate().year)


def _to_list(year) -> HttpResponse:
    return redirect(f"{reverse('scoring:reward_list')}?year={year}")


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _reward(request, pk):
    return get_in_scope_or_404(rewards.rewards_for(request.user).select_related(
        "lead", "recipient_person", "recipient_unit", "introducer_settlement__expenses_entered_by__person",
        "introducer_settlement__decided_by__person"), pk)


@login_required
def reward_list(request):
    """The year's rewards by kind with their totals, and the year's money penalties."""
    _reader(request)
    year = _year(request)
    rows = list(rewards.reward_list(user=request.user, year=year))
    totals = {}
    for reward in rows:
        if reward.status not in (RewardStatus.REJECTED, RewardStatus.CLAWED_BACK):
            totals[reward.kind] = totals.get(reward.kind, Decimal("0")) + reward.amount
    penalties = rewards.penalty_lines(year)
    return render(request, "scoring/reward_list.html", {
        "year": year, "rules": rewards.rules_for_year(year), "rewards": rows,
        "totals": [(RewardKind(kind).label, amount) for kind, amount in totals.items()],
        "total": sum(totals.values(), Decimal("0")),
        "penalties": penalties, "penalty_total": sum((line.money for line in penalties), Decimal("0")),
        "may_compute": rewards.may_propose(request.user),
        "may_pay": rewards.may_pay(request.user)})


@login_required
def reward_detail(request, pk):
    _reader(request)
    reward = _reward(request, pk)
    moves = rewards.allowed_moves(request.user, reward)
    return render(request, "scoring/reward_detail.html", {
        "reward": reward, "steps": reward.steps.select_related("by__person"),
        "settlement": getattr(reward, "introducer_settlement", None),
        "moves": [(status, RewardStatus(status).label) for status in moves if status != RewardStatus.PAID],
        "amount_decided": RewardStatus.DECIDED in moves and (
            reward.is_award or reward.settlement == Settlement.AFTER_COMPLETION),
        "may_claw_back": rewards.may_claw_back(request.user, reward),
        "may_enter_expenses": rewards.may_enter_expenses(request.user, reward)})


@login_required
@require_POST
def reward_compute(request):
    """Propose the year's first-provider and introducer rewards from the leads (the bureau)."""
    _reader(request)
    if not rewards.may_propose(request.user):
        raise PermissionDenied
    if not request.POST.get("year"):
        messages.error(request, _("Choose the year to compute."))
        return _to_list(_year(request))
    try:
        summary = rewards.rewards_compute(year=request.POST["year"], user=request.user)
    except ValidationError as error:
        _error(request, error)
        return _to_list(_year(request))
    year = _year(request)
    if summary["rules"] is None or not summary["rules"].computes:
        messages.warning(request, _("The profile computes no rewards for %(year)s.") % {"year": year})
        return _to_list(year)
    messages.success(request, _("%(created)s reward(s) proposed, %(updated)s updated, %(removed)s removed; "
                                "%(kept)s already acted on kept as they are.") % summary)
    for lead, why in summary["skipped"][:20]:
        messages.info(request, _("Not rewarded: %(lead)s — %(why)s.") % {"lead": lead.title, "why": why})
    return _to_list(year)


@login_required
def award_propose(request):
    """The bureau proposes a collective, single-item or individual award."""
    _reader(request)
    if not rewards.may_propose(request.user):
        raise PermissionDenied
    form = AwardForm(request.POST if request.method == "POST" else None, people=people_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            reward = rewards.award_propose(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Award proposed."))
            return redirect(reward)
    return render(request, "scoring/award_form.html", {"form": form})


@login_required
@require_POST
def reward_advance(request, pk):
    """One step of the chain; the service checks who may take it."""
    _reader(request)
    reward = _reward(request, pk)
    to_status = request.POST.get("to", "")
    if not to_status:
        messages.error(request, _("Choose what to do."))
        return redirect(reward)
    try:
        rewards.reward_advance(reward=reward, user=request.user, to_status=to_status,
                               comment=request.POST.get("comment", ""), amount=request.POST.get("amount") or None,
                               run_year=request.POST.get("run_year") or None)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Recorded."))
    return redirect(reward)


@login_required
@require_POST
def reward_claw_back(request, pk):
    _reader(request)
    reward = _reward(request, pk)
    try:
        rewards.reward_claw_back(reward=reward, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Clawback recorded."))
    return redirect(reward)


@login_required
@require_POST
def reward_settlement(request, pk):
    """The bureau enters the introducer's promotion expenses that the settlement offsets."""
    _reader(request)
    reward = _reward(request, pk)
    try:
        rewards.settlement_enter_expenses(reward=reward, user=request.user,
                                          expenses=request.POST.get("expenses", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Expenses recorded."))
    return redirect(reward)


@login_required
@require_POST
def reward_pay(request):
    """Finance's payment run for a year."""
    _reader(request)
    if not rewards.may_pay(request.user):
        raise PermissionDenied
    if not request.POST.get("year"):
        messages.error(request, _("Choose the year to pay."))
        return _to_list(_year(request))
    try:
        count = rewards.rewards_pay(year=request.POST["year"], user=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("%(count)s reward(s) paid.") % {"count": count})
    return _to_list(_year(request))


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def reward_export(request):
    _reader(request)
    year = _year(request)
    content = rewards_workbook(rewards=rewards.reward_list(user=request.user, year=year), year=year,
                               user=request.user, now=timezone.localtime())
    return _download(content, f"rewards-{year}.xlsx")


@login_required
def penalty_export(request):
    _reader(request)
    year = _year(request)
    content = penalties_workbook(lines=rewards.penalty_lines(year), year=year, user=request.user,
                                 now=timezone.localtime())
    return _download(content, f"penalties-{year}.xlsx")
