"""Views of scoring: the evaluations of a year, one evaluation with its evidence, judging."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations.permissions import READ_ALL_ROLES, Action, get_in_scope_or_404, roles_of, stations_for, unit_of

from . import access, engine, findings, grades, workflow
from .boards import PERIOD_LABELS, PERIODS, period_dates, ranking, schemes_of_year
from .exports import score_workbook
from .models import EvaluationLine, Stage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request):
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), timezone.localdate().year)


def _period(request, year):
    code = request.GET.get("period") or request.POST.get("period") or "year"
    code = code if code in PERIODS else "year"
    return (code, *period_dates(year, code))


def _board(request, scheme, period, first, last, page=None):
    return ranking(visible=access.evaluations_for(request.user), scheme=scheme, period=period, first=first, last=last,
                   page=page)


@login_required
def evaluation_list(request):
    """The ranking board: a period's evaluations the user may see, best first, per scheme."""
    year = _year(request)
    period, first, last = _period(request, year)
    # A province's board has thousands of people: fifty a page, ranked among all (one page number
    # for every scheme of the year). The Excel sheet has them all.
    page = request.GET.get("page") or 1
    schemes = [_board(request, scheme, period, first, last, page) for scheme in schemes_of_year(year)]
    return render(request, "scoring/evaluation_list.html", {
        "year": year, "period": period, "periods": PERIOD_LABELS, "schemes": schemes,
        "may_compute": access.may_compute(request.user),
        "may_export": request.user.is_superuser or bool(roles_of(request.user) & READ_ALL_ROLES)})


@login_required
def evaluation_export(request):
    """The period's score sheets as Excel, for the offices that read every team (leadership
    approves and downloads them)."""
    if not (request.user.is_superuser or roles_of(request.user) & READ_ALL_ROLES):
        raise PermissionDenied
    year = _year(request)
    period, first, last = _period(request, year)
    boards = [_board(request, scheme, period, first, last) for scheme in schemes_of_year(year)]
    title = f"{year} {dict(PERIOD_LABELS)[period]}"
    content = score_workbook(boards=boards, title=title, user=request.user, now=timezone.localtime())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="scores-{year}-{period}.xlsx"'
    return response


@login_required
@require_POST
def evaluation_compute(request):
    """Compute the year so far for every subject of a scheme the user may review."""
    if not access.may_compute(request.user):
        raise PermissionDenied
    year = _year(request)
    if not str(request.POST.get("scheme", "")).isdigit():
        messages.error(request, _("Choose the scheme to compute."))
        return redirect(f"{reverse('scoring:evaluation_list')}?year={year}")
    scheme = get_in_scope_or_404(schemes_of_year(year), request.POST["scheme"])
    period, first, last = _period(request, year)
    targets = [target for target in engine.targets_for(
        scheme, first, last, stations=stations_for(request.user, Action.REVIEW).filter(is_active=True))
        if target.unit is None or target.unit.pk != unit_of(request.user)]  # never one's own unit
    try:
        evaluations, kept = engine.evaluate_all(scheme=scheme, first=first, last=last, targets=targets,
                                                user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s evaluation(s) computed; %(kept)s published or final kept as they "
                                    "are.") % {"count": len(evaluations), "kept": kept})
    return redirect(f"{reverse('scoring:evaluation_list')}?year={year}&period={period}")


@login_required
def evaluation_detail(request, pk):
    evaluation = get_in_scope_or_404(access.evaluations_for(request.user).select_related(
        "scheme", "person", "station"), pk)
    lines = list(evaluation.lines.select_related("item", "judged_by__person").order_by("item__position"))
    withdrawn = findings.withdrawn_among(lines)
    for line in lines:
        line.by_hand = engine.scored_by_hand(line.item)
        # Each piece of evidence, and whether it is a finding withdrawn since it was counted.
        line.pieces = [(piece, findings.cited_finding(piece) in withdrawn) for piece in line.evidence or ()]
    scale = grades.scale_for(evaluation)
    return render(request, "scoring/evaluation_detail.html", {
        "evaluation": evaluation, "lines": lines,
        "may_judge": access.may_review(request.user, evaluation),
        "advice": grades.advice(evaluation), "scale": list(scale.items()),
        "grade_name": scale.get(evaluation.grade, ""), "may_grade": grades.may_grade(request.user, evaluation),
        "steps": evaluation.steps.select_related("by__person"), "objections": evaluation.objections.all(),
        "is_subject": workflow.is_subject(request.user, evaluation),
        # Which of the workflow's buttons to offer: the workflow decides again on each POST.
        "hands": workflow.hands_for(request.user, evaluation),
        "locked": evaluation.stage in (Stage.PUBLISHED, Stage.FINAL),
        "in_publication": evaluation.stage == Stage.PUBLISHED and evaluation.published_until is not None
        and timezone.localdate() <= evaluation.published_until,
    })


# The workflow's actions: name → (function, takes a comment as `comment`, `reason` or `text`).
ACTIONS = {
    "confirm": lambda e, u, text: workflow.confirm_evidence(evaluation=e, user=u, agree=True, comment=text),
    "dispute": lambda e, u, text: workflow.confirm_evidence(evaluation=e, user=u, agree=False, comment=text),
    "verify": lambda e, u, text: workflow.verify(evaluation=e, user=u, comment=text),
    "adjudicate": lambda e, u, text: workflow.adjudicate(evaluation=e, user=u, comment=text),
    "publish": lambda e, u, text: workflow.publish(evaluation=e, user=u),
    "object": lambda e, u, text: workflow.object_to(evaluation=e, user=u, text=text),
    "finalize": lambda e, u, text: workflow.finalize(evaluation=e, user=u),
    "unlock": lambda e, u, text: workflow.unlock(evaluation=e, user=u, reason=text),
}


@login_required
@require_POST
def evaluation_act(request, pk):
    """One step of the three hands or of publication; the workflow checks who may take it."""
    evaluation = get_in_scope_or_404(access.evaluations_for(request.user), pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Choose what to do."))
        return redirect(evaluation)
    try:
        action(evaluation, request.user, request.POST.get("text", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded."))
    return redirect(evaluation)


@login_required
@require_POST
def objection_answer(request, pk, objection_pk):
    evaluation = get_in_scope_or_404(access.evaluations_for(request.user), pk)
    objection = get_in_scope_or_404(evaluation.objections.all(), objection_pk)
    try:
        workflow.answer(objection=objection, user=request.user, text=request.POST.get("text", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Answer recorded."))
    return redirect(evaluation)


@login_required
@require_POST
def evaluation_grade(request, pk):
    evaluation = get_in_scope_or_404(access.evaluations_for(request.user), pk)
    if not grades.may_grade(request.user, evaluation):
        raise PermissionDenied
    try:
        grades.grade_decide(evaluation=evaluation, user=request.user, grade=request.POST.get("grade", ""),
                            reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Grade recorded."))
    return redirect(evaluation)


@login_required
@require_POST
def line_judge(request, pk, line_pk):
    evaluation = get_in_scope_or_404(access.evaluations_for(request.user), pk)
    line = get_in_scope_or_404(EvaluationLine.objects.filter(evaluation=evaluation).select_related("item"), line_pk)
    if not access.may_review(request.user, evaluation):
        raise PermissionDenied
    try:
        points = Decimal(request.POST.get("points", ""))
        engine.judge(line=line, user=request.user, points=points, reason=request.POST.get("reason", ""))
    except (InvalidOperation, ValueError):
        messages.error(request, _("Give the score as a number."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Score recorded."))
    return redirect(evaluation)


