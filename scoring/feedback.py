"""Feedback to home units: a person's final result, item by item, as a printable sheet and as a
workbook with a sheet per person (DESIGN §3: results go as feedback to the person's home unit and
to the organization department).

Only final results of persons are fed back: a result still under publication may change. The
caller decides whose evaluations are visible (`scoring.access.evaluations_for`); this module
reads them set-based and is the only place the feedback workbook touches openpyxl.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from stations.exports import marking, text_cell

from . import grades
from .models import Evaluation, EvaluationLine, EvaluationStep, Stage


def sign_off_rows() -> list[str]:
    """The sign-off rows at the foot of each sheet: 填报人 / 审核人 / 分管领导 / 单位盖章."""
    return [_("Prepared by"), _("Reviewed by"), _("Leader in charge"), _("Unit seal")]


@dataclass
class Sheet:
    """One evaluation as fed back: the evaluation (person, home unit, team, scheme prefetched),
    its lines in item order, the grade's name on the person's scale, and when the result was
    published and made final."""

    evaluation: Evaluation
    lines: list[EvaluationLine] = field(default_factory=list)
    grade_name: str = ""
    published_on: datetime.date | None = None
    final_on: datetime.date | None = None

    @property
    def has_money(self) -> bool:
        return any(line.money is not None for line in self.lines)


def is_feedback(evaluation: Evaluation) -> bool:
    """Only a person's final result goes back to the home unit."""
    return evaluation.person_id is not None and evaluation.stage == Stage.FINAL


def final_person_results(visible: QuerySet) -> QuerySet:
    """The final person evaluations among `visible`, with everything a sheet shows: three queries
    whatever their number (evaluations, lines with items, steps)."""
    return (visible.filter(stage=Stage.FINAL, person__isnull=False)
            .select_related("person__home_unit", "station", "scheme")
            .prefetch_related(Prefetch("lines", queryset=EvaluationLine.objects.select_related("item")
                                       .order_by("item__position")),
                              Prefetch("steps", queryset=EvaluationStep.objects.filter(
                                  stage__in=(Stage.PUBLISHED, Stage.FINAL)).order_by("at", "pk"),
                                       to_attr="publication_steps"))
            .order_by("person__home_unit__name", "person__name", "person_id", "period_start", "period_end",
                      "scheme__code"))


def _local_date(moment) -> datetime.date:
    return timezone.localtime(moment).date()


def sheet_for(evaluation: Evaluation) -> Sheet:
    """`evaluation` as taken from `final_person_results`. The latest publication and finalisation
    count (a result unlocked and decided again was published again)."""
    steps = evaluation.publication_steps
    published = [step.at for step in steps if step.stage == Stage.PUBLISHED]
    final = [step.at for step in steps if step.stage == Stage.FINAL]
    return Sheet(evaluation=evaluation, lines=list(evaluation.lines.all()),
                 grade_name=grades.scale_for(evaluation).get(evaluation.grade, ""),
                 published_on=_local_date(published[-1]) if published else None,
                 final_on=_local_date(final[-1]) if final else None)


INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


def _title(name: str, taken: set[str]) -> str:
    base = INVALID_TITLE.sub("-", name).strip("'") or "-"
    title, number = base[:31], 1
    while title.lower() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def feedback_workbook(*, sheets: list[Sheet], title: str, user, now) -> bytes:
    """A sheet per person (their final results of the period one below the other); user text is
    written as text, numbers stay numbers; the internal-material marking is at the top."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, thin = Font(bold=True), Side(style="thin")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    by_person: dict[int, list[Sheet]] = {}
    for sheet in sheets:
        by_person.setdefault(sheet.evaluation.person_id, []).append(sheet)
    taken: set[str] = set()
    for person_sheets in by_person.values():
        person = person_sheets[0].evaluation.person
        ws = workbook.create_sheet(_title(person.name, taken))
        text_cell(ws, 1, 1, marking(user, now)).font = Font(bold=True, color="C00000")
        text_cell(ws, 2, 1, f"{_('Feedback on the assessment result')} · {title}").font = Font(bold=True, size=14)
        row = 4
        for sheet in person_sheets:
            row = _write_result(ws, row, sheet, bold, boxed) + 2
        for column, width in enumerate((22, 14, 12, 10, 50, 14), start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
    if not workbook.sheetnames:
        ws = workbook.create_sheet(_("No final results"))
        text_cell(ws, 1, 1, marking(user, now)).font = Font(bold=True, color="C00000")
        text_cell(ws, 2, 1, _("No final result of a person in %(title)s.") % {"title": title})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_result(ws, row: int, sheet: Sheet, bold, boxed) -> int:
    """Write one result from `row`; return the last row written."""
    evaluation = sheet.evaluation
    person = evaluation.person
    facts = [
        (_("Person"), person.name),
        (_("Home unit"), str(person.home_unit) if person.home_unit_id else ""),
        (_("Team"), evaluation.station.name if evaluation.station_id else ""),
        (_("Scheme"), evaluation.scheme.name),
        (_("Period"), f"{evaluation.period_start:%Y-%m-%d} – {evaluation.period_end:%Y-%m-%d}"),
    ]
    for label, value in facts:
        text_cell(ws, row, 1, label).font = bold
        text_cell(ws, row, 2, value)
        row += 1
    row += 1
    headers = [_("Item"), _("Full points"), _("Value"), _("Points"), _("How")]
    if sheet.has_money:
        headers.append(_("Amount (元)"))
    for column, header in enumerate(headers, start=1):
        cell = text_cell(ws, row, column, header)
        cell.font, cell.border = bold, boxed
    for line in sheet.lines:
        row += 1
        values = [line.item.label, line.item.max_points, line.value, line.points, line.explanation]
        if sheet.has_money:
            values.append(line.money)
        for column, value in enumerate(values, start=1):
            cell = text_cell(ws, row, column, value)
            cell.border = boxed
            if column == 5:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    row += 1
    closing = [(_("Total"), evaluation.total), (_("Grade"), sheet.grade_name)]
    if evaluation.grade_reason:
        closing.append((_("Reason for the grade"), evaluation.grade_reason))
    closing += [(_("Published"), sheet.published_on),
                (_("Published until"), evaluation.published_until), (_("Final on"), sheet.final_on)]
    for label, value in closing:
        text_cell(ws, row, 1, label).font = bold
        cell = text_cell(ws, row, 2, value)
        if hasattr(value, "isoformat"):
            cell.number_format = "yyyy-mm-dd"
        row += 1
    row += 1
    for label in sign_off_rows():
        text_cell(ws, row, 1, label).font = bold
        for column in (2, 3, 5):
            ws.cell(row=row, column=column).border = Border(bottom=Side(style="thin"))
        text_cell(ws, row, 4, _("Date")).font = bold
        row += 1
    return row - 1
