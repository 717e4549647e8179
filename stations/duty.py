"""Work logs and presence: writing a day's log, and the month calendars that count days at post.

Presence targets are profile data (`ProfileVersion.on_post_days_month` / `_year`) and apply only
to the team kinds the profile marks resident. What a day counts as is decided in
`stations.presence`. Each calendar costs a fixed number of queries.
"""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Max, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Posting,
    ProfileVersion,
    Report,
    ReportKind,
    ReportStatus,
    Station,
    TeamKindRule,
    WorkLog,
)
from .permissions import Action, sees_every_team, stations_for, user_can
from .presence import Day, presence
from .services import save_validated
from .workdays import working_days

# Extensions add fields to the log form (leads: the enterprises and leads a day's work was about).
# Each is an object with `form(user, station_ids, data=None, log=None)` returning a form, and
# `save(log, form, user)`; `stations` calls them in the same transaction as the log.
WORKLOG_EXTENSIONS = []


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str | None, default: datetime.date) -> tuple[int, int]:
    """"2026-03" → (2026, 3); anything unreadable or out of range → the default's month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        datetime.date(year, month, 1)
        if not 2000 <= year <= default.year + 1:
            raise ValueError
    except ValueError:
        return default.year, default.month
    return year, month


def version_in_force(year: int | None = None) -> ProfileVersion | None:
    """The active profile's version for `year` (default this year), or None."""
    return ProfileVersion.objects.in_force(year).first()


def resident_kinds(version: ProfileVersion | None) -> frozenset[str]:
    """The team kinds to which presence rules apply under `version`."""
    if version is None:
        return frozenset()
    return frozenset(TeamKindRule.objects.filter(version=version, is_resident=True).values_list("kind", flat=True))


def locked_days(station: Station, first: datetime.date, last: datetime.date) -> set[datetime.date]:
    """The days from `first` to `last` whose logs are closed: those a submitted or accepted monthly
    report of the team covered, up to its latest submission. The figures the bureau reviews must
    not move under its feet; returning the report opens them again. (A report due before its
    month ends — Shanting's 25th — leaves the rest of the month open.) One query."""
    days = set()
    reports = (Report.objects.filter(station=station, kind=ReportKind.MONTHLY, period_start__lte=last,
                                     period_end__gte=first,
                                     status__in=(ReportStatus.SUBMITTED, ReportStatus.ACCEPTED))
               .annotate(sent=Max("versions__submitted_at")))
    for report in reports:
        day = max(report.period_start, first)
        end = min(report.period_end, last, timezone.localtime(report.sent).date() if report.sent else last)
        while day <= end:
            days.add(day)
            day += datetime.timedelta(days=1)
    return days


def log_locked(station: Station, date: datetime.date) -> bool:
    return date in locked_days(station, date, date)


@transaction.atomic
def worklog_save(*, user, station: Station, date: datetime.date, whereabouts: str, activities: str = "",
                 activity_kinds=(), extension_forms=()) -> WorkLog:
    """Write (or rewrite) the signed-in person's log for `date` at a team they are posted to."""
    person = getattr(user, "person", None)
    if person is None or not user_can(user, Action.WORK, station):
        raise PermissionDenied
    if not Posting.objects.active(date).filter(person=person, station=station).exists():
        raise ValidationError({"date": _("You were not posted to this team on that day.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("A log cannot be written for a day that has not come.")})
    log = WorkLog.objects.select_for_update().filter(person=person, date=date).first()
    # Closed at the team it is written for, and at the team it was written for until now: a log
    # must not leave (or change in) a month another team has reported.
    if log_locked(station, date) or (log is not None and log.station_id != station.pk
                                     and log_locked(log.station, date)):
        raise ValidationError({"date": _("The monthly report covering this day has been submitted, so the day's "
                                         "log is closed. Ask the bureau to return the report to change it.")})
    if log is None:
        log = WorkLog(person=person, date=date, created_by=user)
    log.station, log.whereabouts, log.activities = station, whereabouts, activities.strip()
    log.activity_kinds = list(activity_kinds)
    save_validated(log, user=user, reason=_("Work log"))
    for extension, form in extension_forms:
        extension.save(log, form, user)
    return log


def _targets(station: Station, version: ProfileVersion | None):
    """(monthly, yearly) days-at-post targets for this team, or (None, None) if not resident."""
    if version is None or station.kind not in resident_kinds(version):
        return None, None
    return version.on_post_days_month, version.on_post_days_year


def person_month(*, user, person, station: Station, year: int, month: int) -> dict:
    """A person's month as `user` may read it: every day with its log, what it counts as, whether
    it is a working day, and the days at post against the monthly target. A person posted to
    several teams logs each day for one of them; what the day's work was (`activities`) is shown
    to the person and where `user` may see that team, the day's presence everywhere."""
    first, last = month_bounds(year, month)
    # One's own logs are always one's own to read, whichever team they were written for.
    readable = (Value(True) if sees_every_team(user) or person.user_id == user.pk else
                ExpressionWrapper(Q(station__in=stations_for(user, Action.VIEW)), output_field=BooleanField()))
    logs = {log.date: log for log in WorkLog.objects.filter(person=person, date__range=(first, last))
            .annotate(readable=readable)}
    facts = presence([person.pk], first, last)
    workdays = set(working_days(first, last))
    false_reports = set(facts.false_reports(person.pk))
    days = [{"date": date, "log": logs.get(date), "state": state, "working": date in workdays,
             "false_report": date in false_reports,
             "activities": logs[date].activities if date in logs and logs[date].readable else ""}
            for date, state in facts.days(person.pk)]
    monthly, yearly = _targets(station, version_in_force(year))
    # The year so far (to the end of this month): the yearly target counts calendar days too.
    year_end = min(last, timezone.localdate())
    year_facts = presence([person.pk], datetime.date(year, 1, 1), year_end) if yearly else None
    return {"days": days, "on_post": sum(1 for day in days if day["state"] == Day.ON_POST), "target": monthly,
            "leave": sum(1 for day in days if day["state"] == Day.LEAVE),
            "year_on_post": year_facts.count(person.pk, Day.ON_POST) if year_facts else None, "year_target": yearly,
            "first": first, "lead_blanks": range(first.weekday())}


def team_month(*, station: Station, year: int, month: int) -> dict:
    """Everyone currently posted to a team × the days of a month, non-working days marked; days at
    post each. A fixed number of queries whatever the team's size."""
    first, last = month_bounds(year, month)
    postings = list(Posting.objects.current().filter(station=station, start_date__lte=last)
                    .select_related("person").order_by("role", "start_date", "pk"))
    facts = presence([posting.person_id for posting in postings], first, last)
    dates = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    workdays = set(working_days(first, last))
    monthly, _yearly = _targets(station, version_in_force(year))
    rows = []
    for posting in postings:
        cells = [{"state": facts.day(posting.person_id, date),
                  "whereabouts": facts.logs.get((posting.person_id, date), "")} for date in dates]
        on_post = sum(1 for cell in cells if cell["state"] == Day.ON_POST)
        rows.append({"person": posting.person, "title": posting.title, "cells": cells, "on_post": on_post,
                     "behind": monthly is not None and on_post < monthly})
    return {"dates": dates, "rows": rows, "target": monthly,
            "days": [{"date": date, "working": date in workdays} for date in dates]}
