"""Views of findings: the list, recording one, one finding with the evaluations that cite it, and
withdrawing one recorded in error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations.forms import apply_service_errors
from stations.permissions import Action, get_in_scope_or_404, stations_for

from . import findings
from .forms import FindingFilterForm, FindingForm


@login_required
def finding_list(request):
    """A year's findings (by default this year), by team and kind, newest first."""
    if not findings.may_read(request.user):
        raise PermissionDenied
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    teams = stations_for(request.user, Action.VIEW)
    form = FindingFilterForm(data, stations=teams)
    rows = (findings.findings_for(request.user).filter(**form.filters())
            .select_related("station", "person", "recorded_by__person").order_by("-date", "-pk"))
    return render(request, "scoring/finding_list.html", {
        "form": form, "findings": rows, "teams": teams.only("pk", "name"),
        "may_record": findings.may_record(request.user)})


@login_required
def finding_create(request):
    if not findings.may_record(request.user):
        raise PermissionDenied
    form = FindingForm(request.POST if request.method == "POST" else None,
                       stations=findings.recordable_stations(request.user),
                       people=findings.recordable_people(request.user),
                       initial={"date": timezone.localdate(), "station": request.GET.get("station")})
    if request.method == "POST" and form.is_valid():
        try:
            finding = findings.finding_record(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Finding recorded. Deduction items count it when the scores are next "
                                        "computed."))
            return redirect(finding)
    return render(request, "scoring/finding_form.html", {"form": form})


@login_required
def finding_detail(request, pk):
    finding = get_in_scope_or_404(findings.findings_for(request.user).select_related(
        "station", "person__home_unit", "recorded_by__person", "withdrawn_by__person"), pk)
    first_record = finding.history.order_by("history_date", "history_id").only("history_date").first()
    return render(request, "scoring/finding_detail.html", {
        "finding": finding, "recorded_at": first_record.history_date if first_record else None,
        "lines": findings.citing_lines(user=request.user, finding=finding),
        "may_withdraw": findings.may_withdraw(request.user, finding)})


@login_required
@require_POST
def finding_withdraw(request, pk):
    """Withdraw a finding recorded in error (the reason is required); back to the finding."""
    finding = get_in_scope_or_404(findings.findings_for(request.user).select_related("station"), pk)
    try:
        findings.finding_withdraw(user=request.user, finding=finding, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Finding withdrawn. Deduction items stop counting it when the scores are next "
                                    "computed; published and final results keep what they had."))
    return redirect(finding)
