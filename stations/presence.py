"""Presence: what each day of a person's posting counts as, from logs, approvals and checks.

One rule, used by the calendars, the circular, the reports' figures and the warnings:

* an abnormal spot check makes the day **away**, whatever the log says (unless approved leave
  covers the day) — and when the log said "at post" it flags possible false reporting;
* approved leave makes the day **leave**: neither at post nor away;
* approved home service makes the day **at post**; logged home service without an approval is
  **away**, as is logged leave without one;
* a log "at post" or "on a work trip" is **at post**; "absent" is **away**;
* a day without a log is **unlogged**, which the profile may count as away.

Everything is fetched for many people at once: three queries whatever the number of people.
"""

from __future__ import annotations

import datetime
import enum
from collections import defaultdict
from dataclasses import dataclass, field

from .models import ON_POST, Absence, AbsenceKind, CheckResult, SpotCheck, Whereabouts, WorkLog


class Day(enum.StrEnum):
    ON_POST = "on_post"
    LEAVE = "leave"
    AWAY = "away"
    UNLOGGED = "unlogged"


@dataclass
class Presence:
    """The days of some people over a date range, with the facts behind them."""

    first: datetime.date
    last: datetime.date
    logs: dict = field(default_factory=dict)  # (person_id, date) → whereabouts
    covered: dict = field(default_factory=dict)  # (person_id, date) → AbsenceKind approved
    abnormal: set = field(default_factory=set)  # (person_id, date) with an abnormal check

    def day(self, person_id: int, date: datetime.date) -> Day:
        key = (person_id, date)
        covered = self.covered.get(key)
        if covered == AbsenceKind.LEAVE:
            return Day.LEAVE
        if key in self.abnormal:
            return Day.AWAY
        if covered == AbsenceKind.HOME_SERVICE:
            return Day.ON_POST
        whereabouts = self.logs.get(key)
        if whereabouts is None:
            return Day.UNLOGGED
        return Day.ON_POST if whereabouts in ON_POST else Day.AWAY

    def days(self, person_id: int, first: datetime.date | None = None, last: datetime.date | None = None):
        """(date, Day) for each day from `first` to `last` (default: the whole range)."""
        day = max(first or self.first, self.first)
        last = min(last or self.last, self.last)
        while day <= last:
            yield day, self.day(person_id, day)
            day += datetime.timedelta(days=1)

    def count(self, person_id: int, kind: Day, first=None, last=None) -> int:
        return sum(1 for _date, state in self.days(person_id, first, last) if state == kind)

    def false_reports(self, person_id: int) -> list[datetime.date]:
        """Days logged at post that an abnormal check contradicts."""
        return sorted(date for (pid, date) in self.abnormal
                      if pid == person_id and self.logs.get((pid, date)) == Whereabouts.AT_POST
                      and self.covered.get((pid, date)) != AbsenceKind.LEAVE)


def presence(person_ids, first: datetime.date, last: datetime.date) -> Presence:
    """The presence of `person_ids` from `first` to `last` inclusive (three queries)."""
    result = Presence(first=first, last=last)
    person_ids = list(person_ids)
    if not person_ids or last < first:
        return result
    for person_id, date, whereabouts in WorkLog.objects.filter(
            person_id__in=person_ids, date__range=(first, last)).values_list("person_id", "date", "whereabouts"):
        result.logs[(person_id, date)] = whereabouts
    for person_id, kind, start, end in Absence.objects.approved().overlapping(first, last).filter(
            person_id__in=person_ids).values_list("person_id", "kind", "start_date", "end_date"):
        day = max(start, first)
        while day <= min(end, last):
            result.covered[(person_id, day)] = kind
            day += datetime.timedelta(days=1)
    result.abnormal = set(SpotCheck.objects.filter(
        person_id__in=person_ids, date__range=(first, last), result=CheckResult.ABNORMAL,
    ).values_list("person_id", "date"))
    return result


def days_by_month(first: datetime.date, last: datetime.date) -> dict[tuple[int, int], int]:
    """How many days of [first, last] fall in each (year, month): leave across a month end
    counts in each month."""
    counts = defaultdict(int)
    day = first
    while day <= last:
        counts[(day.year, day.month)] += 1
        day += datetime.timedelta(days=1)
    return dict(counts)
