"""The monthly dispatch meeting (调度会) and the monthly circular (通报).

The bureau runs the meeting: its pack is built from the month's reports, the circular's figures
and the open warnings; its tasks go to the teams' to-do lists and are tracked to done. The
circular ranks every team by one of the figures' columns.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import figures
from .duty import month_bounds
from .models import DispatchMeeting, DispatchTask, Posting, Station, TaskStatus
from .models.todo import TodoKind
from .permissions import Action, Role, has_role, stations_for, user_can
from .services import save_validated, todo_close, todo_open

DEFAULT_RANK_KEYS = ("funds_in_place", "leads_qualified", "leads_complete", "visits")


def may_run_meetings(user) -> bool:
    return has_role(user, Role.BUREAU)


def _require_bureau(user) -> None:
    if not may_run_meetings(user):
        raise PermissionDenied


def circular(*, user, year: int, month: int, sort: str = "") -> dict:
    """Each team's figures for the month, ranked by `sort` (default: the first rankable column
    among funds in place, qualified leads, complete leads, visits), best first. Ties share a rank."""
    first, last = month_bounds(year, month)
    stations = list(stations_for(user, Action.VIEW).filter(is_active=True).order_by("name"))
    values = figures.collect([station.pk for station in stations], first, min(last, timezone.localdate()))
    columns = figures.columns()
    rankable = [column.key for column in columns if column.rank]
    if sort not in rankable:
        sort = next((key for key in DEFAULT_RANK_KEYS if key in rankable), rankable[0])
    rows = [{"station": station, "values": values[station.pk],
             "cells": [{"column": column, "value": values[station.pk].get(column.key)} for column in columns]} for station in stations]
    rows.sort(key=lambda row: (row["values"].get(sort) is None, -(row["values"].get(sort) or 0), row["station"].name))
    previous, rank = object(), 0
    for position, row in enumerate(rows, start=1):
        value = row["values"].get(sort)
        if value != previous:
            rank, previous = position, value
        row["rank"] = rank
    return {"columns": columns, "rows": rows, "sort": sort, "first": first, "last": last}


@transaction.atomic
def meeting_create(*, user, month: datetime.date, held_on: datetime.date, place: str = "",
                   chaired_by: str = "") -> DispatchMeeting:
    _require_bureau(user)
    if held_on < month.replace(day=1):
        raise ValidationError({"held_on": _("A meeting cannot be held before the month it reviews.")})
    meeting = DispatchMeeting(month=month.replace(day=1), held_on=held_on, place=place.strip(),
                              chaired_by=chaired_by.strip(), created_by=user)
    save_validated(meeting, user=user, reason=_("Meeting planned"))
    return meeting


@transaction.atomic
def meeting_minutes(*, meeting: DispatchMeeting, user, minutes: str) -> DispatchMeeting:
    _require_bureau(user)
    meeting.minutes = minutes.strip()
    save_validated(meeting, user=user, reason=_("Minutes"))
    return meeting


@transaction.atomic
def task_add(*, meeting: DispatchMeeting, user, station: Station, description: str,
             due_date: datetime.date | None = None) -> DispatchTask:
    """Give a team a task; its chief finds it in the to-do list."""
    _require_bureau(user)
    if not user_can(user, Action.VIEW, station):
        raise PermissionDenied
    if due_date is not None and due_date < meeting.held_on:
        raise ValidationError({"due_date": _("A task cannot be due before the meeting that set it.")})
    task = DispatchTask(meeting=meeting, station=station, description=description.strip(), due_date=due_date)
    save_validated(task, user=user, reason=_("Task set"))
    for posting in (Posting.objects.current().chiefs().filter(station=station, person__user__isnull=False)
                    .select_related("person__user")):
        todo_open(user=posting.person.user, kind=TodoKind.TASK, title=_("Dispatch meeting task: %(task)s")
                  % {"task": task.description}, target=task, url=task.get_absolute_url(), station=station,
                  due_date=due_date)
    return task


@transaction.atomic
def task_done(*, task: DispatchTask, user, report_back: str) -> DispatchTask:
    """The team reports the task done, saying what was done."""
    task = DispatchTask.objects.select_for_update().get(pk=task.pk)
    if not user_can(user, Action.WORK, task.station):
        raise PermissionDenied
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("This task is already done."))
    if not report_back.strip():
        raise ValidationError({"report_back": _("Say what was done.")})
    task.status, task.report_back, task.done_at, task.done_by = TaskStatus.DONE, report_back.strip(), timezone.now(), user
    save_validated(task, user=user, reason=_("Done"))
    todo_close(kind=TodoKind.TASK, target=task)
    return task


def tasks_for(*, user):
    """Dispatch tasks the user can see: every team's for readers of all teams, else their own."""
    return (DispatchTask.objects.filter(station__in=stations_for(user, Action.VIEW))
            .select_related("station", "meeting"))


def open_tasks_of_team(*, station: Station):
    return DispatchTask.objects.filter(station=station, status=TaskStatus.OPEN).select_related("meeting")
