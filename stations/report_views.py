"""Views of reports and their review queue, the dispatch meeting, the circular, warnings and
accountability records."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import accountability, figures, meetings, reports, selectors, warnings
from .duty import parse_month
from .duty_forms import (
    AccountabilityForm,
    MeetingForm,
    MinutesForm,
    ReportForm,
    ReportOpenForm,
    ReviewForm,
    TaskDoneForm,
    TaskForm,
)
from .exports import circular_workbook
from .forms import apply_service_errors
from .models import (
    FILE_KINDS,
    DispatchMeeting,
    DispatchTask,
    Posting,
    Report,
    ReportKind,
    ReportStatus,
    TaskStatus,
)
from .permissions import (
    READ_ALL_ROLES,
    Action,
    get_in_scope_or_404,
    own_station_ids,
    roles_of,
    stations_for,
    user_can,
)
from .services import breaks_constraint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(request, name="month"):
    year, month = parse_month(request.GET.get(name), timezone.localdate())
    return year, month


def _shift(year, month, delta):
    index = year * 12 + (month - 1) + delta
    return f"{index // 12}-{index % 12 + 1:02d}"


# --- Reports ------------------------------------------------------------------------------------

@login_required
def report_list(request, pk):
    """A team's reports, and a form to open a new one for those who work on the team."""
    station = selectors.station_get(user=request.user, pk=pk)
    may_work = user_can(request.user, Action.WORK, station)
    today = timezone.localdate()
    form = ReportOpenForm(request.POST if request.method == "POST" else None, initial={"kind": ReportKind.MONTHLY, "year": today.year,
                                                          "number": today.month})
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if form.is_valid():
            try:
                report = reports.report_open(user=request.user, station=station, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect(report)
    return render(request, "stations/report_list.html", {
        "station": station, "reports": reports.reports_of(station=station), "form": form if may_work else None,
        "tasks": meetings.open_tasks_of_team(station=station),
    })


def _report(request, pk):
    return get_in_scope_or_404(Report.objects.filter(station__in=stations_for(request.user, Action.VIEW))
                               .select_related("station"), pk)


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    may_work = user_can(request.user, Action.WORK, report.station)
    versions = list(report.versions.select_related("submitted_by__person", "review__reviewer__person")
                    .order_by("-number"))
    is_chief = Posting.objects.current().chiefs().filter(station=report.station, person__user=request.user).exists()
    return render(request, "stations/report_detail.html", {
        "report": report, "figures": figures.labelled(report.figures), "versions": versions,
        "form": ReportForm(initial={"title": report.title, "body": report.body}, with_file=report.kind in FILE_KINDS)
        if may_work and report.editable else None,
        "may_submit": may_work and report.editable and is_chief,
        "review_form": ReviewForm() if report.status == "submitted" and user_can(
            request.user, Action.REVIEW, report.station) else None,
        "own_team": report.station_id in own_station_ids(request.user),
    })


@login_required
@require_POST
def report_edit(request, pk):
    report = _report(request, pk)
    if not user_can(request.user, Action.WORK, report.station):
        raise PermissionDenied
    form = ReportForm(request.POST, request.FILES, with_file=report.kind in FILE_KINDS)
    if form.is_valid():
        try:
            reports.report_save(report=report, user=request.user, **form.cleaned_data)
            if "submit" in request.POST:
                version = reports.report_submit(report=report, user=request.user)
                messages.success(request, _("Submitted as version %(number)s.") % {"number": version.number})
            else:
                messages.success(request, _("Saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(report)


@login_required
@require_POST
def report_refresh(request, pk):
    report = _report(request, pk)
    if not user_can(request.user, Action.WORK, report.station):
        raise PermissionDenied
    try:
        reports.report_refresh(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Figures filled in again from today's data."))
    return redirect(report)


@login_required
@require_POST
def report_review(request, pk):
    report = _report(request, pk)
    if not user_can(request.user, Action.REVIEW, report.station):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review = reports.report_review(report=report, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Report %(outcome)s.") % {"outcome": review.get_outcome_display()})
            return redirect(f"{reverse('stations:review_queue')}?month={report.period_start:%Y-%m}")
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(report)


@login_required
def report_file(request, pk):
    """The report's uploaded document, for whoever may read the report."""
    report = _report(request, pk)
    if not report.attachment:
        raise Http404
    return FileResponse(report.attachment.open("rb"), as_attachment=True,
                        filename=report.attachment.name.rsplit("/", 1)[-1])


@login_required
def review_queue(request):
    """All teams × the month's report, with status and lateness; other reports awaiting review."""
    if not user_can(request.user, Action.REVIEW):
        raise PermissionDenied
    year, month = _month(request)
    queue = reports.review_queue(user=request.user, year=year, month=month)
    # A province has a thousand teams: the rows of one status (the badges), fifty a page.
    status = request.GET.get("status", "")
    rows = queue["rows"]
    if status == "missing":
        rows = [row for row in rows if row["report"] is None or row["status"] == ReportStatus.DRAFT]
    elif status in ReportStatus.values:
        rows = [row for row in rows if row["status"] == status]
    else:
        status = ""
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "stations/review_queue.html", {
        "queue": queue, "rows": page, "page_obj": page, "is_paginated": page.has_other_pages(), "status": status,
        "month": datetime.date(year, month, 1),
        "previous": _shift(year, month, -1), "next": _shift(year, month, 1),
    })


# --- The circular and the dispatch meeting ------------------------------------------------------

def _may_read_circular(user):
    """The circular compares every team: it is for the offices that read all teams."""
    if not (user.is_superuser or roles_of(user) & READ_ALL_ROLES):
        raise PermissionDenied


@login_required
def circular(request):
    _may_read_circular(request.user)
    year, month = _month(request)
    data = meetings.circular(user=request.user, year=year, month=month, sort=request.GET.get("sort", ""))
    return render(request, "stations/circular.html", {
        "circular": data, "month": datetime.date(year, month, 1),
        "previous": _shift(year, month, -1), "next": _shift(year, month, 1),
    })


@login_required
def circular_export(request):
    _may_read_circular(request.user)
    year, month = _month(request)
    data = meetings.circular(user=request.user, year=year, month=month, sort=request.GET.get("sort", ""))
    response = HttpResponse(circular_workbook(circular=data, user=request.user, now=timezone.localtime()),
                            content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="circular-{year}-{month:02d}.xlsx"'
    return response


@login_required
def dispatch_list(request):
    if not meetings.may_run_meetings(request.user) and not user_can(request.user, Action.REVIEW):
        raise PermissionDenied
    today = timezone.localdate()
    previous_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    form = MeetingForm(request.POST if request.method == "POST" else None, initial={"month": previous_month, "held_on": today})
    if request.method == "POST":
        if not meetings.may_run_meetings(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                meeting = meetings.meeting_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect(meeting)
    return render(request, "stations/dispatch_list.html", {
        "meetings": DispatchMeeting.objects.all()[:36],
        "form": form if meetings.may_run_meetings(request.user) else None,
    })


def _meeting(request, pk):
    if not meetings.may_run_meetings(request.user) and not user_can(request.user, Action.REVIEW):
        raise PermissionDenied
    return get_in_scope_or_404(DispatchMeeting.objects.all(), pk)


# The meeting pack lists this many open warnings, and counts the rest by kind: a province has
# thousands, which no meeting reads one by one (the warnings page has them all, fifty a page).
PACK_WARNINGS = 50


@login_required
def dispatch_detail(request, pk):
    """The meeting pack: the month's reports, the circular, open warnings and tasks; minutes."""
    meeting = _meeting(request, pk)
    year, month = meeting.month.year, meeting.month.month
    runs = meetings.may_run_meetings(request.user)
    visible = stations_for(request.user, Action.VIEW)
    warnings.refresh(visible)
    open_rows = warnings.stored_rows(visible).filter(handled=False)
    open_kinds = sorted((str(warnings.KINDS.get(row["kind"], row["kind"])), row["n"]) for row in
                        open_rows.order_by().values("kind").annotate(n=Count("pk")))
    return render(request, "stations/dispatch_detail.html", {
        "meeting": meeting, "runs": runs,
        "queue": reports.review_queue(user=request.user, year=year, month=month),
        "circular": meetings.circular(user=request.user, year=year, month=month),
        "warnings": [warnings.as_warning(row) for row in open_rows[:PACK_WARNINGS]],
        "open_kinds": open_kinds, "open_count": sum(n for _label, n in open_kinds),
        "tasks": meeting.tasks.select_related("station", "done_by").order_by("station__name", "pk"),
        "earlier_open": meetings.tasks_for(user=request.user).filter(status=TaskStatus.OPEN,
                                                                      meeting__month__lt=meeting.month),
        "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}) if runs else None,
        "task_form": TaskForm(stations=stations_for(request.user, Action.VIEW).filter(is_active=True)
                              .order_by("name")) if runs else None,
    })


@login_required
@require_POST
def dispatch_minutes(request, pk):
    meeting = _meeting(request, pk)
    if not meetings.may_run_meetings(request.user):
        raise PermissionDenied
    form = MinutesForm(request.POST)
    if form.is_valid():
        meetings.meeting_minutes(meeting=meeting, user=request.user, **form.cleaned_data)
        messages.success(request, _("Minutes saved."))
    else:
        messages.error(request, _("Write the minutes before saving them."))
    return redirect(meeting)


@login_required
@require_POST
def dispatch_task_add(request, pk):
    meeting = _meeting(request, pk)
    if not meetings.may_run_meetings(request.user):
        raise PermissionDenied
    form = TaskForm(request.POST, stations=stations_for(request.user, Action.VIEW).filter(is_active=True))
    if form.is_valid():
        try:
            meetings.task_add(meeting=meeting, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            if breaks_constraint(error, "dispatch_task_once"):  # pressed twice: the task stands, once
                messages.info(request, _("This task is already given to this team at this meeting."))
            else:
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Task given to %(team)s.") % {"team": form.cleaned_data["station"]})
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(meeting)


@login_required
@require_POST
def task_done(request, pk):
    task = get_in_scope_or_404(DispatchTask.objects.filter(station__in=stations_for(request.user, Action.VIEW)), pk)
    if not user_can(request.user, Action.WORK, task.station):
        raise PermissionDenied
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            meetings.task_done(task=task, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Task reported done."))
    else:
        messages.error(request, _("Say what was done."))
    return redirect(reverse("stations:report_list", args=[task.station_id]))


# --- Warnings and accountability ----------------------------------------------------------------

@login_required
def warning_list(request):
    if not user_can(request.user, Action.VIEW):
        raise PermissionDenied
    visible = stations_for(request.user, Action.VIEW)
    warnings.refresh(visible)
    kind = request.GET.get("kind", "")
    present = set(warnings.stored_rows(visible).order_by().values_list("kind", flat=True).distinct())
    kind = kind if kind in present else ""
    # Fifty a page, counted and cut in the database: a province has thousands of warnings.
    page = Paginator(warnings.stored_rows(visible, kind=kind), 50).get_page(request.GET.get("page"))
    return render(request, "stations/warning_list.html", {
        "warnings": [warnings.as_warning(row) for row in page.object_list], "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "kinds": sorted((value, str(warnings.KINDS.get(value, value))) for value in present),
        "kind": kind, "open_count": warnings.stored_rows(visible).filter(handled=False).count(),
    })


@login_required
def accountability_create(request, pk):
    """Record a decision about a person (from their page or from a warning)."""
    person = selectors.person_get(user=request.user, pk=pk)
    postings = list(Posting.objects.filter(person=person).select_related("station").order_by("-start_date"))
    station_id = request.GET.get("station") or request.POST.get("station")
    posting = next((p for p in postings if str(p.station_id) == str(station_id)), postings[0] if postings else None)
    if posting is None:
        raise Http404
    station = posting.station
    offices = accountability.offices_for(request.user, station)
    if not offices:
        raise PermissionDenied
    form = AccountabilityForm(request.POST if request.method == "POST" else None, offices=offices,
                              initial={"warning_key": request.GET.get("warning", ""),
                                       "kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        try:
            accountability.record_create(user=request.user, person=person, station=station, **form.cleaned_data)
        except ValidationError as error:
            if breaks_constraint(error, "accountability_record_once"):
                if accountability.is_recorded(person=person, station=station, **form.cleaned_data):  # pressed twice
                    messages.info(request, _("This decision is already recorded."))
                    return redirect(person)
                # Another decision of the same kind, office and day: say so, keep what was typed.
                form.add_error("decided_on", _(
                    "This office already recorded a decision of this kind about this person on this day, "
                    "on other evidence (see their page). Record a further decision under the day it is taken."))
            else:
                apply_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(person)
    return render(request, "stations/accountability_form.html", {"form": form, "person": person,
                                                                 "station": station})
