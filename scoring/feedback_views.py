"""Feedback to home units: a person's final result as a printable sheet, and a unit's people as a
workbook with a sheet per person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.exports import marking
from stations.models import Unit
from stations.permissions import READ_ALL_ROLES, Role, get_in_scope_or_404, has_role, roles_of, unit_of

from . import access, feedback
from .views import XLSX, _year


@login_required
def evaluation_feedback(request, pk):
    """The per-person feedback sheet of a final result, for whoever may read the result (its
    person, the team once published, the person's home unit once final, the offices that read
    every team)."""
    visible = access.evaluations_for(request.user)
    evaluation = get_in_scope_or_404(visible.select_related("person", "station", "scheme"), pk)
    if not feedback.is_feedback(evaluation):
        messages.error(request, _("A feedback sheet is for a person's final result: this result is not one."))
        return redirect(evaluation)
    sheet = feedback.sheet_for(feedback.final_person_results(visible).get(pk=evaluation.pk))
    return render(request, "scoring/evaluation_feedback.html", {
        "sheet": sheet, "evaluation": sheet.evaluation, "sign_off": feedback.sign_off_rows(),
        "marking": marking(request.user, timezone.localtime())})


def _unit_for_export(request):
    """The unit whose people are exported, or None for every unit. The offices that read every
    team choose any unit or none; a home unit exports its own people only (another unit: 404)."""
    user, wanted = request.user, request.GET.get("unit") or ""
    if wanted and not wanted.isdigit():
        raise Http404
    if user.is_superuser or roles_of(user) & READ_ALL_ROLES:
        return get_in_scope_or_404(Unit.objects.all(), wanted) if wanted else None
    if has_role(user, Role.HOME_UNIT) and unit_of(user) is not None:
        return get_in_scope_or_404(Unit.objects.filter(pk=unit_of(user)), wanted or unit_of(user))
    raise PermissionDenied


@login_required
def feedback_export(request):
    """A year's final person results as a workbook, a sheet per person: for a home unit its own
    people; for the organization department and the other offices that read every team one unit's
    people or everyone's."""
    unit = _unit_for_export(request)
    year = _year(request)
    results = feedback.final_person_results(access.evaluations_for(request.user)).filter(period_start__year=year)
    if unit is not None:
        results = results.filter(person__home_unit=unit)
    title = f"{year} · {unit}" if unit is not None else str(year)
    content = feedback.feedback_workbook(sheets=[feedback.sheet_for(evaluation) for evaluation in results],
                                         title=title, user=request.user, now=timezone.localtime())
    response = HttpResponse(content, content_type=XLSX)
    suffix = f"-unit{unit.pk}" if unit is not None else ""
    response["Content-Disposition"] = f'attachment; filename="feedback-{year}{suffix}.xlsx"'
    return response
