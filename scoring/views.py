"""Views of scoring: the evaluations of a year, one evaluation with its evidence, judging."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from stations.models import Posting, Profile
from stations.permissions import READ_ALL_ROLES, Action, get_in_scope_or_404, roles_of, stations_for, user_can

from . import access, engine, grades, workflow
from .exports import score_workbook
from .models import EvaluationLine, ScoringScheme, Subject

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request):
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), timezone.localdate().year)


# A year, the first half (the half-year evaluation runs the same scheme on the first six months)
# or a quarter.
PERIODS = {"year": (1, 12), "h1": (1, 6), "q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12)}


PERIOD_LABELS = [("year", _lazy("Year")), ("h1", _lazy("First half")), ("q1", _lazy("Q1")), ("q2", _lazy("Q2")),
                 ("q3", _lazy("Q3")), ("q4", _lazy("Q4"))]


def _period(request, year):
    code = request.GET.get("period") or request.POST.get("period") or "year"
    code = code if code in PERIODS else "year"
    first_month, last_month = PERIODS[code]
    last = (datetime.date(year, last_month, 28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return code, datetime.date(year, first_month, 1), last


def _schemes(year):
    profile = Profile.objects.active().first()
    version = profile.version_for(year) if profile else None
    return ScoringScheme.objects.filter(version=version).prefetch_related("items") if version else \
        ScoringScheme.objects.none()


def _previous(period: str, first: datetime.date, last: datetime.date):
    """The period before: the same months a year earlier, or the quarter before."""
    if period.startswith("q"):
        previous_last = first - datetime.timedelta(days=1)
        return (previous_last - datetime.timedelta(days=62)).replace(day=1), previous_last
    return first.replace(year=first.year - 1), last.replace(year=last.year - 1)


def ranking(*, user, scheme, period: str, first, last) -> dict:
    """The ranking board of a scheme for a period: every subject the user may see with each
    item's points, the total, the grade and the change against the previous period. Three
    queries whatever the number of subjects."""
    visible = access.evaluations_for(user)
    rows = list(visible.filter(scheme=scheme, period_start=first, period_end=last)
                .select_related("person", "station").prefetch_related("lines").order_by("-total", "pk"))
    before_first, before_last = _previous(period, first, last)
    before = {(row["station_id"], row["person_id"]): row["total"] for row in visible.filter(
        scheme__code=scheme.code, period_start=before_first, period_end=before_last).values(
        "station_id", "person_id", "total")}
    items = list(scheme.items.all())
    board = []
    for rank, evaluation in enumerate(rows, start=1):
        points = {line.item_id: line.points for line in evaluation.lines.all()}
        previous = before.get((evaluation.station_id, evaluation.person_id))
        board.append({"rank": rank, "evaluation": evaluation, "points": [points.get(item.pk) for item in items],
                      "change": (evaluation.total - previous) if evaluation.total is not None and previous is not None
                      else None,
                      "interview": scheme.interview_line is not None and evaluation.total is not None
                      and evaluation.total <= scheme.interview_line})
    return {"scheme": scheme, "items": items, "rows": board}


@login_required
def evaluation_list(request):
    """The ranking board: a period's evaluations the user may see, best first, per scheme."""
    year = _year(request)
    period, first, last = _period(request, year)
    schemes = [ranking(user=request.user, scheme=scheme, period=period, first=first, last=last)
               for scheme in _schemes(year)]
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
    boards = [ranking(user=request.user, scheme=scheme, period=period, first=first, last=last)
              for scheme in _schemes(year)]
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
    scheme = get_in_scope_or_404(_schemes(year), request.POST["scheme"])
    period, first, last = _period(request, year)
    stations = stations_for(request.user, Action.REVIEW).filter(is_active=True)
    if scheme.subject == Subject.PERSON:
        subjects = [(posting.station, posting.person) for posting in
                    Posting.objects.current().filter(station__in=stations).select_related("person", "station")]
    else:
        subjects = [(station, None) for station in stations]
    count, kept = 0, 0
    try:
        for station, person in subjects:
            try:
                engine.evaluate(scheme=scheme, first=first, last=last, station=station, person=person,
                                user=request.user)
                count += 1
            except workflow.Locked:
                kept += 1  # published and final results are snapshots: not recomputed
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s evaluation(s) computed; %(kept)s published or final kept as they "
                                    "are.") % {"count": count, "kept": kept})
    return redirect(f"{reverse('scoring:evaluation_list')}?year={year}&period={period}")


@login_required
def evaluation_detail(request, pk):
    evaluation = get_in_scope_or_404(access.evaluations_for(request.user).select_related(
        "scheme", "person", "station"), pk)
    lines = list(evaluation.lines.select_related("item", "judged_by__person").order_by("item__position"))
    scale = grades.scale_for(evaluation)
    return render(request, "scoring/evaluation_detail.html", {
        "evaluation": evaluation, "lines": lines,
        "may_judge": user_can(request.user, Action.REVIEW, evaluation.station),
        "advice": grades.advice(evaluation), "scale": list(scale.items()),
        "grade_name": scale.get(evaluation.grade, ""), "may_grade": grades.may_grade(request.user, evaluation),
        "steps": evaluation.steps.select_related("by__person"), "objections": evaluation.objections.all(),
        "is_subject": workflow.is_subject(request.user, evaluation),
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
    if not user_can(request.user, Action.REVIEW, evaluation.station):
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


