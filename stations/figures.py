"""A team's figures for a period: the numbers the monthly report is pre-filled with, and the
columns of the monthly circular.

Each provider contributes columns and computes them for many teams at once (a fixed number of
queries whatever the number of teams). `stations` provides presence, logs, events, reports and
checks; the leads app adds leads by class, visits and funds in place from its `AppConfig.ready`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .duty import resident_kinds, version_in_force
from .models import CheckResult, Event, EventRole, Posting, Report, SpotCheck, WorkLog
from .presence import Day, presence


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count | days | money
    rank: bool = True  # may the circular rank teams by it?


class StationFigures:
    columns = [
        Column("on_post_avg", _("days at post per person"), "days"),
        Column("logs", _("work logs")),
        Column("events_attended", _("events attended")),
        Column("events_hosted", _("events hosted")),
        Column("reports_due", _("reports due"), rank=False),
        Column("reports_on_time", _("reports on time")),
        Column("checks_abnormal", _("abnormal spot checks"), rank=False),
    ]

    def collect(self, station_ids, first: datetime.date, last: datetime.date) -> dict:
        figures = defaultdict(dict)
        kinds = resident_kinds(version_in_force(first.year))
        postings = list(Posting.objects.filter(station_id__in=station_ids, station__kind__in=kinds,
                                               start_date__lte=last)
                        .exclude(ended_on__lt=first).values_list("station_id", "person_id", "start_date", "ended_on"))
        facts = presence({person_id for _s, person_id, _a, _b in postings}, first, last)
        days = defaultdict(list)
        for station_id, person_id, start, ended in postings:
            days[station_id].append(facts.count(person_id, Day.ON_POST, max(start, first), min(ended or last, last)))
        for station_id in station_ids:
            counts = days.get(station_id)
            figures[station_id]["on_post_avg"] = (
                (Decimal(sum(counts)) / len(counts)).quantize(Decimal("0.1")) if counts else None)
        for row in (WorkLog.objects.filter(station_id__in=station_ids, date__range=(first, last))
                    .values("station_id").annotate(n=Count("pk"))):
            figures[row["station_id"]]["logs"] = row["n"]
        for row in (Event.objects.filter(station_id__in=station_ids, date__range=(first, last))
                    .values("station_id").annotate(attended=Count("pk", filter=Q(role=EventRole.ATTENDED)),
                                                   hosted=Count("pk", filter=Q(role=EventRole.HOSTED)))):
            figures[row["station_id"]].update(events_attended=row["attended"], events_hosted=row["hosted"])
        for row in (Report.objects.filter(station_id__in=station_ids, due_date__range=(first, last))
                    .values("station_id").annotate(due=Count("pk"), on_time=Count("pk", filter=Q(days_late=0)))):
            figures[row["station_id"]].update(reports_due=row["due"], reports_on_time=row["on_time"])
        for row in (SpotCheck.objects.filter(station_id__in=station_ids, date__range=(first, last),
                                             result=CheckResult.ABNORMAL)
                    .values("station_id").annotate(n=Count("pk"))):
            figures[row["station_id"]]["checks_abnormal"] = row["n"]
        return figures


FIGURE_PROVIDERS = [StationFigures()]


def columns() -> list[Column]:
    return [column for provider in FIGURE_PROVIDERS for column in provider.columns]


def collect(station_ids, first: datetime.date, last: datetime.date) -> dict[int, dict]:
    """{station id: {column key: value}} for every column; missing counts are 0, missing money 0."""
    station_ids = list(station_ids)
    result = {station_id: {} for station_id in station_ids}
    for provider in FIGURE_PROVIDERS:
        for station_id, values in provider.collect(station_ids, first, last).items():
            if station_id in result:
                result[station_id].update(values)
    for values in result.values():
        for column in columns():
            if column.kind == "count":
                values.setdefault(column.key, 0)
            elif column.kind == "money":
                values.setdefault(column.key, Decimal("0"))
            else:
                values.setdefault(column.key, None)
    return result


def as_json(values: dict) -> dict:
    """Figures as stored in a report (JSON): decimals as strings."""
    return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in values.items()}


def labelled(values: dict) -> list[dict]:
    """A report's stored figures with their labels, in column order (unknown keys last)."""
    known = {column.key: column for column in columns()}
    rows = [{"column": column, "value": values[column.key]} for column in columns() if column.key in values]
    rows += [{"column": Column(key, key), "value": value} for key, value in values.items() if key not in known]
    return rows


__all__ = ["Column", "FIGURE_PROVIDERS", "as_json", "collect", "columns", "labelled"]
