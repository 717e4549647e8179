"""The project's Excel sheet writer, shared by the apps' exports (`scoring`, `funding`, …), which
depend on `stations` and never on each other.

Contract:

* `Workbook` is an openpyxl write-only workbook with the project's named styles registered once
  (`named_styles`: the common title, subtitle, marking, header, text and centre styles plus the
  app's own, each named `<prefix><name>`), and the internal-material marking (内部资料: who
  exported, and when — `marking`) computed once for all its sheets.
* A `Sheet` is written top to bottom, row by row, and closed as soon as it is written: a sheet
  streams to a temporary file, so a workbook of a thousand sheets holds one in memory at a time.
  Column widths, frozen panes and print set-up (`Sheet.set_up`) come before the first row.
* User text is always stored as text, never as a formula: `=HYPERLINK(…)`, `+1` or `@SUM(…)` stay
  strings (`Sheet.cell`, and `text_cell` for ordinary, not write-only, workbooks), without the
  control characters Excel refuses and cut to the 32,767 characters a cell holds (`clean_text`).
* Print set-up: A4 landscape fitted to the width, as many pages down as needed, the rows down to
  the column headers (`HEADER_ROW`) repeated on every printed page, the marking in the page
  header and page numbers in the footer; on screen the same rows are frozen.
"""

from __future__ import annotations

import io
import re
from copy import copy

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from .names import person_name

PAPERSIZE_A4 = 9
EXCEL_TEXT_LIMIT = 32767
HEADER_ROW = 4  # title, subtitle, marking, then the column headers
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

# The building blocks of the styles, for the apps' own styles too.
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MIDDLE = Alignment(vertical="center", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
BOLD = Font(bold=True)


def marking(user, now) -> str:
    """The internal-material marking (内部资料): who exported (their person's name, else their
    login) and when."""
    return _("Internal material · exported by %(user)s at %(time)s") % {
        "user": person_name(user),
        "time": now.strftime("%Y-%m-%d %H:%M"),
    }


class Exporter:
    """Stands for the user in the marking when no person exports (a command, a script, the shell)."""

    def __init__(self, name: str):
        self.name = name

    def get_username(self) -> str:
        return str(self.name)


def clean_text(text: str) -> str:
    """What Excel can hold: no control characters, at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:EXCEL_TEXT_LIMIT]


def text_cell(sheet, row, column, value):
    """Write `value` in an ordinary (not write-only) sheet; strings are stored as text, never
    interpreted as a formula."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        # openpyxl marks a string starting with "=" as a formula; force it back to text.
        cell.data_type = TYPE_STRING
    return cell


def local_time(moment):
    """An aware datetime as the naive local time Excel holds (it has no time zones), to the minute
    as shown (a fraction of a second would not survive Excel's floating-point days anyway)."""
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


def named_styles(prefix: str, extra: dict[str, dict]) -> dict[str, NamedStyle]:
    """Short name → named style: the styles every sheet uses (title, subtitle, marking, header,
    text, centre), then `extra` (short name → `NamedStyle` arguments), in that order. In the
    workbook each is named `<prefix><short name>` and hidden from Excel's style gallery."""
    common = {
        "title": {"font": Font(bold=True, size=16), "alignment": CENTRE},
        "subtitle": {"alignment": Alignment(vertical="center")},
        "marking": {"font": Font(bold=True, color="C00000", size=10), "alignment": Alignment(vertical="center")},
        "header": {"font": BOLD, "border": BOX, "alignment": CENTRE, "fill": PatternFill("solid", fgColor="D9E1F2")},
        "text": {"border": BOX, "alignment": MIDDLE},
        "centre": {"border": BOX, "alignment": CENTRE},
    }
    return {name: NamedStyle(name=f"{prefix}{name}", hidden=True, **kwargs)
            for name, kwargs in (common | extra).items()}


class SheetNames:
    """Unique sheet names Excel accepts: at most 31 characters, none of []:*?/\\, not starting or
    ending with an apostrophe, unique whatever the case."""

    def __init__(self):
        self.taken = {"history"}  # reserved by Excel

    def __call__(self, wanted: str) -> str:
        base = FORBIDDEN_IN_SHEET_NAMES.sub("_", clean_text(wanted)).strip().strip("'") or "_"
        name, number = self._fit(base, ""), 1
        while name.casefold() in self.taken:
            number += 1
            name = self._fit(base, f" ({number})")
        self.taken.add(name.casefold())
        return name

    @staticmethod
    def _fit(base: str, suffix: str) -> str:
        while len((base + suffix).encode("utf-16-le")) // 2 > 31:  # Excel counts UTF-16 units
            base = base[:-1]
        return (base.rstrip().rstrip("'") or "_") + suffix


class _NamedWorksheet(WriteOnlyWorksheet):
    """openpyxl's write-only sheet, named as given. openpyxl checks a new sheet's title against
    every sheet so far (a list built and scanned per sheet): 2.6 s of a 3,644-sheet score workbook,
    growing with the square of the sheets. `Workbook.sheet` checks uniqueness with a set instead."""

    @property
    def title(self):
        return self._WorkbookChild__title

    @title.setter
    def title(self, value):
        self._WorkbookChild__title = value


class Workbook:
    """A write-only workbook with `styles` (from `named_styles`) registered once and the marking
    `stamp` of its sheets: `user` at `now` (as given: the caller decides the time zone), or
    `exporter` when `user` is None."""

    def __init__(self, styles: dict[str, NamedStyle], *, user, now, exporter: str):
        self.workbook = openpyxl.Workbook(write_only=True)
        self.names = set()  # casefolded, as Excel compares them
        self.styles = {}
        for name, style in styles.items():
            self.workbook.add_named_style(style)
            self.styles[name] = style.as_tuple()
        self.stamp = marking(user if user is not None else Exporter(exporter), now)

    def sheet(self, name: str) -> Sheet:
        """A new sheet, after the others; `name` must be one Excel accepts (`SheetNames`): a name
        that is empty, too long, holds a character Excel refuses or repeats another sheet's
        (whatever the case) raises ValueError."""
        folded = name.casefold()
        if (not name or len(name.encode("utf-16-le")) // 2 > 31 or FORBIDDEN_IN_SHEET_NAMES.search(name)
                or name[0] == "'" or name[-1] == "'" or folded == "history" or folded in self.names):
            raise ValueError(f"Not a sheet name Excel accepts here: {name!r}")
        self.names.add(folded)
        ws = _NamedWorksheet(parent=self.workbook, title=name)
        self.workbook._add_sheet(ws)  # what create_sheet does after building the sheet
        return Sheet(ws, self.styles, self.stamp)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


class Sheet:
    """One write-only sheet: rows of styled cells, written top to bottom."""

    def __init__(self, ws, styles: dict, stamp: str):
        self.ws, self.styles, self.stamp, self.row = ws, styles, stamp, 0

    def cell(self, value, style: str = "text") -> WriteOnlyCell:
        """A styled cell; a string is stored as text, never read as a formula."""
        if isinstance(value, str):
            value = clean_text(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = TYPE_STRING  # openpyxl marks a string starting with "=" as a formula
        # A copy of the named style's array: what `cell.style = name` does, without looking the
        # name up in the workbook for every cell of a thousand sheets.
        cell._style = copy(self.styles[style])
        return cell

    def append(self, cells: list, *, height: float | None = None, merge: tuple = ()) -> int:
        """Write the next row; `merge` lists (first column, last column) spans. Returns its number."""
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height  # write-only: set before the row
        self.ws.append(cells)
        for first, last in merge:
            self.ws.merged_cells.add(f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}")
        return self.row

    def set_up(self, *, freeze: str, widths: list[int]) -> None:
        """Column widths, frozen panes, A4 landscape fitted to the width, the rows down to the
        header (`HEADER_ROW`) repeated on every printed page, the marking in the page header and
        page numbers in the footer. In write-only mode all of this comes before the first row."""
        ws = self.ws
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = freeze
        ws.print_title_rows = f"1:{HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        ws.oddHeader.left.text = self.stamp.replace("&", "&&")  # "&" starts a code in a page header
        ws.oddHeader.left.size = 8
        ws.oddFooter.center.text = "&P / &N"

    def banner(self, width: int, title: str, subtitle: str) -> None:
        """The rows above the header, each merged across `width` columns: the title, the subtitle,
        the marking."""
        for text, style, height in [(title, "title", 30), (subtitle, "subtitle", 20), (self.stamp, "marking", None)]:
            self.append([self.cell(text, style)], height=height, merge=[(1, width)])

    def header(self, headers: list[str]) -> None:
        """The row of column headers (row `HEADER_ROW` after the banner)."""
        self.append([self.cell(header, "header") for header in headers], height=32)

    def close(self) -> None:
        """Stream the sheet to its temporary file: nothing more can be written to it."""
        self.ws.close()
