"""Views of station duty: leave and home service, spot checks and the check plan, events.

Thin, like the other views: scope through `stations.permissions`, validate with a form, write
through a service, show a service's refusal on the form.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import absences, approvals, checks, events
from .duty import parse_month
from .duty_forms import AbsenceForm, DecisionForm, EventForm, EventOutcomeForm, PlanDrawForm, SpotCheckForm
from .forms import apply_service_errors
from .models import (
    Absence,
    Event,
    Person,
    PlannedCheck,
    Posting,
    RequestStatus,
    SpotCheck,
    Station,
    TodoItem,
)
from .models.todo import TodoKind
from .permissions import Action, get_in_scope_or_404, own_station_ids, stations_for, user_can


def _awaiting(user, model):
    """Ids of `model` rows waiting for the user's decision (from their open approval to-dos)."""
    return set(TodoItem.objects.open().filter(
        user=user, kind=TodoKind.APPROVAL, target_type=ContentType.objects.get_for_model(model),
    ).values_list("target_id", flat=True))


def _decide(request, obj, service):
    """Act in the pending step of a request (leave, home service, an event) from its page."""
    if not approvals.may_decide(request.user, obj):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect(obj)
    try:
        service(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(obj)


def _may_withdraw(user, request) -> bool:
    """The person whose request it is, or the team's chief (as `approvals.withdraw` decides)."""
    return request.requester.pk == user.pk or Posting.objects.current().chiefs().filter(
        station=request.station, person__user=user).exists()


# --- Leave and home service -------------------------------------------------------------------

@login_required
def absence_list(request):
    scope = stations_for(request.user, Action.VIEW)
    status = request.GET.get("status", "")
    rows = absences.absence_list(user=request.user, stations=scope)
    if status in RequestStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-start_date", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "stations/absence_list.html", {
        "page_obj": page, "is_paginated": page.has_other_pages(), "statuses": RequestStatus.choices,
        "status": status, "awaiting": _awaiting(request.user, Absence),
        "may_request": bool(own_station_ids(request.user)),
    })


@login_required
def absence_create(request):
    own = Station.objects.filter(pk__in=own_station_ids(request.user)).order_by("name")
    if not own.exists():
        raise PermissionDenied
    chief_of = Posting.objects.current().chiefs().filter(station__in=own, person__user=request.user)
    # A chief schedules leave for the team; everyone else asks for themselves.
    people = Person.objects.filter(
        Q(pk__in=Posting.objects.current().filter(station__in=chief_of.values("station")).values("person"))
        | Q(user=request.user)).order_by("name")
    form = AbsenceForm(request.POST if request.method == "POST" else None, people=people, stations=own,
                       initial={"station": own.first().pk, "person": getattr(request.user, "person", None),
                                "kind": "leave"})
    if request.method == "POST" and form.is_valid():
        try:
            absence = absences.absence_request(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Request sent: %(request)s.") % {"request": absence})
            return redirect(absence)
    return render(request, "stations/absence_form.html", {"form": form})


def _absence(request, pk):
    return get_in_scope_or_404(Absence.objects.filter(station__in=stations_for(request.user, Action.VIEW))
                               .select_related("person__user", "station", "requested_by"), pk)


@login_required
def absence_detail(request, pk):
    absence = _absence(request, pk)
    return render(request, "stations/request_detail.html", {
        "object": absence, "kind_label": absence.get_kind_display(), "chain": approvals.steps_with_decisions(absence),
        "may_decide": approvals.may_decide(request.user, absence), "form": DecisionForm(),
        "decide_url": "stations:absence_decide", "withdraw_url": "stations:absence_withdraw",
        "may_withdraw": absence.status == RequestStatus.PENDING and _may_withdraw(request.user, absence),
    })


@login_required
@require_POST
def absence_decide(request, pk):
    absence = _absence(request, pk)
    return _decide(request, absence, lambda **data: absences.absence_decide(absence=absence, **data))


@login_required
@require_POST
def absence_withdraw(request, pk):
    absence = _absence(request, pk)
    if not _may_withdraw(request.user, absence):
        raise PermissionDenied
    try:
        absences.absence_withdraw(absence=absence, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect(absence)


# --- Spot checks --------------------------------------------------------------------------------

@login_required
def check_list(request):
    """The month's checks and check plan (for the reviewing offices; teams see their own checks)."""
    today = timezone.localdate()
    year, month = parse_month(request.GET.get("month"), today)
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    scope = stations_for(request.user, Action.VIEW)
    may_check = checks.may_check(request.user)
    return render(request, "stations/check_list.html", {
        "month": first, "may_check": may_check,
        "checks": SpotCheck.objects.filter(station__in=scope, date__range=(first, last))
        .select_related("person", "station", "checked_by").order_by("-date", "pk"),
        # The plan is the checking offices' own: a team must not know it is next.
        "plan": PlannedCheck.objects.filter(station__in=stations_for(request.user, Action.REVIEW), month=first)
        .select_related("person", "station", "check_done") if may_check else None,
        "draw_form": PlanDrawForm() if may_check else None,
        "pickable": checks.checkable_postings(request.user, first) if may_check else [],
        "previous": f"{(first - datetime.timedelta(days=1)):%Y-%m}",
        "next": f"{(last + datetime.timedelta(days=1)):%Y-%m}",
    })


@login_required
def check_create(request):
    if not checks.may_check(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    # People who left since last month began are still checked for the days they were posted.
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    postings = checks.checkable_postings(request.user, today.replace(day=1), ended_since=last_month)
    initial = {"date": today, "method": "phone", "result": "normal", "posting": request.GET.get("posting")}
    form = SpotCheckForm(request.POST if request.method == "POST" else None, postings=postings, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        posting = data.pop("posting")
        try:
            check = checks.check_record(user=request.user, person=posting.person, station=posting.station, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if check.contradicts_log:
                messages.warning(request, _("Recorded. The check contradicts the day's log: it is flagged for "
                                            "possible false reporting and the day no longer counts as at post."))
            else:
                messages.success(request, _("Check recorded."))
            return redirect(check)
    return render(request, "stations/check_form.html", {"form": form})


def _month_from_post(request):
    year, month = parse_month(request.POST.get("month"), timezone.localdate())
    return datetime.date(year, month, 1)


@login_required
@require_POST
def check_plan_draw(request):
    if not checks.may_check(request.user):
        raise PermissionDenied
    month = _month_from_post(request)
    form = PlanDrawForm(request.POST)
    if form.is_valid():
        try:
            lines = checks.plan_draw(user=request.user, month=month, count=form.cleaned_data["count"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)s people drawn for %(month)s.") % {
                "count": len(lines), "month": f"{month:%Y-%m}"})
    else:
        messages.error(request, _("Give a number of people between 1 and 200."))
    return redirect(f"{PlannedCheck(month=month).get_absolute_url()}")


@login_required
@require_POST
def check_plan_pick(request):
    if not checks.may_check(request.user):
        raise PermissionDenied
    month = _month_from_post(request)
    if not str(request.POST.get("posting", "")).isdigit():
        messages.error(request, _("Choose the person to add."))
        return redirect(PlannedCheck(month=month).get_absolute_url())
    posting = get_in_scope_or_404(checks.checkable_postings(request.user, month), request.POST["posting"])
    try:
        checks.plan_pick(user=request.user, month=month, posting=posting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s added to the plan.") % {"person": posting.person.name})
    return redirect(f"{PlannedCheck(month=month).get_absolute_url()}")


# --- Events -------------------------------------------------------------------------------------

@login_required
def event_list(request):
    scope = stations_for(request.user, Action.VIEW)
    rows = Event.objects.filter(station__in=scope).select_related("station").order_by("-date", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "stations/event_list.html", {
        "page_obj": page, "is_paginated": page.has_other_pages(), "awaiting": _awaiting(request.user, Event),
        "may_create": bool(own_station_ids(request.user)),
    })


@login_required
def event_create(request):
    own = Station.objects.filter(pk__in=own_station_ids(request.user)).order_by("name")
    if not own.exists():
        raise PermissionDenied
    form = EventForm(request.POST if request.method == "POST" else None, stations=own, initial={"station": own.first().pk, "role": "attended"})
    if request.method == "POST" and form.is_valid():
        try:
            event = events.event_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Event saved; it needs approval before it takes place.")
                             if event.status == RequestStatus.PENDING else _("Event saved."))
            return redirect(event)
    return render(request, "stations/event_form.html", {"form": form})


def _event(request, pk):
    return get_in_scope_or_404(Event.objects.filter(station__in=stations_for(request.user, Action.VIEW))
                               .select_related("station", "created_by"), pk)


@login_required
def event_detail(request, pk):
    event = _event(request, pk)
    own = event.station_id in own_station_ids(request.user)
    return render(request, "stations/event_detail.html", {
        "object": event, "chain": approvals.steps_with_decisions(event) if event.needs_approval else [],
        "may_decide": event.needs_approval and approvals.may_decide(request.user, event), "form": DecisionForm(),
        "may_withdraw": event.status == RequestStatus.PENDING and _may_withdraw(request.user, event),
        "outcome_form": EventOutcomeForm(initial={"outcome": event.outcome,
                                                  "attended_enterprises": event.attended_enterprises})
        if own and event.date <= timezone.localdate() else None,
    })


@login_required
@require_POST
def event_decide(request, pk):
    event = _event(request, pk)
    if not event.needs_approval:
        raise PermissionDenied
    return _decide(request, event, lambda **data: events.event_decide(event=event, **data))


@login_required
@require_POST
def event_withdraw(request, pk):
    """The team calls off a large event still waiting for approval."""
    event = _event(request, pk)
    if event.status != RequestStatus.PENDING or not user_can(request.user, Action.WORK, event.station):
        raise PermissionDenied
    try:
        approvals.withdraw(event, user=request.user)  # the one who entered it, or the chief
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Event called off."))
    return redirect(event)


@login_required
@require_POST
def event_outcome(request, pk):
    event = _event(request, pk)
    if not user_can(request.user, Action.WORK, event.station):
        raise PermissionDenied
    form = EventOutcomeForm(request.POST)
    if form.is_valid():
        try:
            events.event_outcome(event=event, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Outcome saved."))
    else:
        messages.error(request, _("Describe the outcome."))
    return redirect(event)
