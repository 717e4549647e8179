"""Periods and ranking boards: what the ranking page, the Excel score sheets and
`export_scores` show. Pure reads; the caller decides whose evaluations are visible."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import F, Func, IntegerField, Prefetch
from django.utils.translation import gettext_lazy as _

from stations.models import ProfileVersion

from .models import EvaluationLine, ScoringScheme

# A year, the first half (the half-year evaluation runs the same scheme on the first six months)
# or a quarter.
PERIODS = {"year": (1, 12), "h1": (1, 6), "q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12)}
PERIOD_LABELS = [("year", _("Year")), ("h1", _("First half")), ("q1", _("Q1")), ("q2", _("Q2")),
                 ("q3", _("Q3")), ("q4", _("Q4"))]


def period_dates(year: int, code: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of period `code` (a key of `PERIODS`) of `year`."""
    first_month, last_month = PERIODS[code]
    last = (datetime.date(year, last_month, 28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return datetime.date(year, first_month, 1), last


def previous_period(period: str, first: datetime.date, last: datetime.date):
    """The period before: the same months a year earlier, or the quarter before."""
    if period.startswith("q"):
        previous_last = first - datetime.timedelta(days=1)
        return (previous_last - datetime.timedelta(days=62)).replace(day=1), previous_last
    return first.replace(year=first.year - 1), last.replace(year=last.year - 1)


def schemes_of_year(year: int):
    """The schemes of the active profile's version in force in `year`."""
    version = ProfileVersion.objects.in_force(year).first()
    return ScoringScheme.objects.filter(version=version).prefetch_related("items") if version else \
        ScoringScheme.objects.none()


class JSONArrayLength(Func):
    """The number of items of a JSON array column, 0 for anything else; in the database, so that a
    board never decodes the evidence behind its lines (millions of ids at a province's size)."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=(
            "CASE WHEN jsonb_typeof(%(expressions)s) = 'array' THEN jsonb_array_length(%(expressions)s) ELSE 0 END"),
            **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=(
            "CASE WHEN json_type(%(expressions)s) = 'array' THEN json_array_length(%(expressions)s) ELSE 0 END"),
            **extra)


def ranking(*, visible, scheme, period: str, first, last, page=None, per_page: int = 50) -> dict:
    """The ranking board of a scheme for a period: the evaluations in `visible` (a queryset of
    evaluations the reader may see) with each item's points, the total, the grade and the change
    against the previous period. With `page` (a page number, as typed), only that page of
    `per_page` subjects, ranked among all; without, every subject (the Excel sheet). A fixed
    number of queries whatever the number of subjects.

    Returns {"scheme", "items", "rows", "page_obj", "computed_at"}; each row has "rank", "evaluation" (its lines
    prefetched, in item order, with `evidence_count` and without the evidence itself), "points"
    (per item, None for an unscored judgement), "change" and "interview"; "page_obj" is the page
    shown (None without `page`)."""
    ordered = (visible.filter(scheme=scheme, period_start=first, period_end=last)
               .select_related("person", "station", "unit")
               .prefetch_related(Prefetch("lines", queryset=EvaluationLine.objects.defer("evidence").annotate(
                   evidence_count=JSONArrayLength("evidence"))))
               .order_by(F("total").desc(nulls_last=True), "pk"))  # judgement pending: last
    page_obj, offset = None, 0
    if page is not None:
        page_obj = Paginator(ordered, per_page).get_page(page)
        rows = list(page_obj.object_list)
        offset = (page_obj.number - 1) * per_page
    else:
        rows = list(ordered)
    before_first, before_last = previous_period(period, first, last)
    before = {(row["station_id"], row["person_id"], row["unit_id"]): row["total"] for row in visible.filter(
        scheme__code=scheme.code, period_start=before_first, period_end=before_last).values(
        "station_id", "person_id", "unit_id", "total")}
    items = list(scheme.items.all())
    board = []
    for rank, evaluation in enumerate(rows, start=offset + 1):
        points = {line.item_id: line.points for line in evaluation.lines.all()}
        previous = before.get((evaluation.station_id, evaluation.person_id, evaluation.unit_id))
        board.append({"rank": rank, "evaluation": evaluation, "points": [points.get(item.pk) for item in items],
                      "change": (evaluation.total - previous) if evaluation.total is not None and previous is not None
                      else None,
                      "interview": scheme.interview_line is not None and evaluation.total is not None
                      and evaluation.total <= scheme.interview_line})
    # Scores are stored when computed, not live: the page says as of when (the newest it shows).
    computed_at = max((evaluation.computed_at for evaluation in rows), default=None)
    return {"scheme": scheme, "items": items, "rows": board, "page_obj": page_obj, "computed_at": computed_at}
