"""Excel exports of the `stations` app: the roster and the monthly circular, as ordinary (not
write-only) openpyxl workbooks.

Every sheet carries the "internal material" marking with the user and the time, and every cell
that holds user text is written as text so that a name like `=HYPERLINK(…)` is never a formula.
`marking` and `text_cell` live in `stations.sheets` (the project's sheet writer) and are imported
from here by the other apps' exports too.
"""

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .sheets import marking, text_cell

__all__ = ["circular_workbook", "marking", "roster_workbook", "text_cell"]


def roster_workbook(*, postings, user, now) -> bytes:
    """The roster of current postings with the people's personal data."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")
    text_cell(sheet, 1, 1, marking(user, now)).font = Font(bold=True, color="C00000")
    headers = [
        _("Team"), _("Team code"), _("Role"), _("Title"), _("Name"), _("Phone"), _("Rank or post"),
        _("Staff category"), _("Education"), _("Birth date"), _("Home unit"), _("Term start"), _("Term end"),
        _("Appointment certificate number"),
    ]
    for column, header in enumerate(headers, start=1):
        text_cell(sheet, 3, column, header).font = Font(bold=True)
    row = 3
    for posting in postings:
        row += 1
        person = posting.person
        values = [
            posting.station.name, posting.station.code, str(posting.get_role_display()), posting.title,
            person.name, person.phone, person.rank, str(person.get_staff_category_display()),
            str(person.get_education_display()), person.birth_date, str(posting.home_unit or ""),
            posting.start_date, posting.term_end, posting.certificate_no,
        ]
        for column, value in enumerate(values, start=1):
            cell = text_cell(sheet, row, column, value)
            if hasattr(value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    for column in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def circular_workbook(*, circular: dict, user, now) -> bytes:
    """The monthly circular: each team's figures, ranked, with the internal-material marking."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{circular['first']:%Y-%m}"
    sheet.cell(row=1, column=1, value=_("Monthly circular %(month)s") % {"month": f"{circular['first']:%Y-%m}"}
               ).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=marking(user, now))
    headers = [_("Ranking"), _("Team"), *[str(column.label) for column in circular["columns"]]]
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=4, column=index, value=header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = 14 if index > 2 else 22
    for offset, row in enumerate(circular["rows"]):
        number = 5 + offset
        sheet.cell(row=number, column=1, value=row["rank"])
        text_cell(sheet, number, 2, row["station"].name)
        for index, cell in enumerate(row["cells"], start=3):
            column, value = cell["column"], cell["value"]
            if column.kind == "money" and value is not None:
                value = Decimal(value) / 10000  # the column is in 万元, as on the page
            if value is not None:
                sheet.cell(row=number, column=index, value=value).number_format = (
                    "#,##0.00" if column.kind == "money" else "0.0" if column.kind == "days" else "0")
    sheet.freeze_panes = "C5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
