"""Work logs and presence: writing a day's log, and the month calendars that count days at post.

Presence targets are profile data (`ProfileVersion.on_post_days_month` / `_year`) and apply only
to the team kinds the profile marks resident. Each calendar costs a fixed number of queries.
"""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ON_POST, Posting, Profile, Station, TeamKindRule, WorkLog
from .permissions import Action, user_can
from .services import save_validated
from .workdays import working_days


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


@transaction.atomic
def worklog_save(*, user, station: Station, date: datetime.date, whereabouts: str, activities: str = "") -> WorkLog:
    """Write (or rewrite) the signed-in person's log for `date` at a team they are posted to."""
    person = getattr(user, "person", None)
    if person is None or not user_can(user, Action.WORK, station):
        raise PermissionDenied
    if not Posting.objects.active(date).filter(person=person, station=station).exists():
        raise ValidationError({"date": _("You were not posted to this team on that day.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("A log cannot be written for a day that has not come.")})
    log = WorkLog.objects.select_for_update().filter(person=person, date=date).first()
    if log is None:
        log = WorkLog(person=person, date=date, created_by=user)
    log.station, log.whereabouts, log.activities = station, whereabouts, activities.strip()
    save_validated(log, user=user, reason=_("Work log"))
    return log


def _targets(station: Station):
    """(monthly, yearly) days-at-post targets for this team, or (None, None) if not resident."""
    profile = Profile.objects.active().first()
    version = profile.version_for() if profile else None
    if version is None:
        return None, None
    resident = TeamKindRule.objects.filter(version=version, kind=station.kind, is_resident=True).exists()
    if not resident:
        return None, None
    return version.on_post_days_month, version.on_post_days_year


def person_month(*, person, station: Station, year: int, month: int) -> dict:
    """A person's month: every day with its log, whether it is a working day, and the count of
    days at post against the monthly target."""
    first, last = month_bounds(year, month)
    logs = {log.date: log for log in WorkLog.objects.filter(person=person, date__range=(first, last))}
    workdays = set(working_days(first, last))
    days = []
    day = first
    while day <= last:
        days.append({"date": day, "log": logs.get(day), "working": day in workdays})
        day += datetime.timedelta(days=1)
    on_post = sum(1 for log in logs.values() if log.whereabouts in ON_POST)
    monthly, _yearly = _targets(station)
    return {"days": days, "on_post": on_post, "target": monthly, "first": first,
            "lead_blanks": range(first.weekday())}


def team_month(*, station: Station, year: int, month: int) -> dict:
    """Everyone currently posted to a team × the days of a month, non-working days marked; days at
    post each. Four queries (postings, logs, the holiday calendar, the targets' three count as one)."""
    first, last = month_bounds(year, month)
    postings = list(Posting.objects.current().filter(station=station, start_date__lte=last)
                    .select_related("person").order_by("role", "start_date", "pk"))
    logs = {}
    for log in WorkLog.objects.filter(station=station, date__range=(first, last)).only(
            "person_id", "date", "whereabouts"):
        logs[(log.person_id, log.date)] = log
    dates = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    workdays = set(working_days(first, last))
    monthly, _yearly = _targets(station)
    rows = []
    for posting in postings:
        cells = [logs.get((posting.person_id, date)) for date in dates]
        on_post = sum(1 for log in cells if log is not None and log.whereabouts in ON_POST)
        rows.append({"person": posting.person, "title": posting.title, "cells": cells, "on_post": on_post,
                     "behind": monthly is not None and on_post < monthly})
    return {"dates": dates, "rows": rows, "target": monthly,
            "days": [{"date": date, "working": date in workdays} for date in dates]}
