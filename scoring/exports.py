"""The score sheet (量化考核表) as Excel: one sheet per scheme, ranked, with the marking."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from stations.exports import marking, text_cell

from . import grades


def score_workbook(*, boards, title: str, user, now) -> bytes:
    """`boards` as built by `scoring.views.ranking`; numbers stay numbers, names stay text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for board in boards:
        sheet = workbook.create_sheet(board["scheme"].name[:31])
        sheet.cell(row=1, column=1, value=f"{board['scheme'].name} · {title}").font = Font(bold=True, size=14)
        sheet.cell(row=2, column=1, value=marking(user, now))
        headers = [_("Ranking"), _("Subject"), _("Team"), *[item.label for item in board["items"]], _("Total"),
                   _("Change"), _("Grade"), _("Interview")]
        for column, header in enumerate(headers, start=1):
            sheet.cell(row=4, column=column, value=header).font = Font(bold=True)
            sheet.column_dimensions[get_column_letter(column)].width = 12 if column > 3 else 18
        for offset, row in enumerate(board["rows"]):
            number, evaluation = 5 + offset, row["evaluation"]
            sheet.cell(row=number, column=1, value=row["rank"])
            text_cell(sheet, number, 2, str(evaluation.subject))
            text_cell(sheet, number, 3, evaluation.station.name)
            column = 4
            for points in row["points"]:
                sheet.cell(row=number, column=column, value=points)
                column += 1
            sheet.cell(row=number, column=column, value=evaluation.total)
            sheet.cell(row=number, column=column + 1, value=row["change"])
            text_cell(sheet, number, column + 2, grades.scale_for(evaluation).get(evaluation.grade, ""))
            text_cell(sheet, number, column + 3, _("yes") if row["interview"] else "")
        sheet.freeze_panes = "D5"
    if not workbook.sheetnames:
        workbook.create_sheet(_("No scheme"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
