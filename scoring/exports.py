"""The score sheets (量化考核表) as Excel: for each scheme of the period a summary sheet (rank,
subject, every item, total, grade, flags), then one sheet per subject in the layout of the paper
form (item, target, explanation, points, method, actual, score, evidence count). Every sheet has
merged title rows, a frozen header repeated on each printed page, A4 landscape fitted to the
width, the sign-off rows (填报人 / 审核人 / 分管领导 / 单位盖章) and the internal-material marking.

Written in openpyxl's write-only mode: each sheet streams to a temporary file and is closed as
soon as it is written, so a year of a thousand subjects holds one sheet in memory (and one open
file) at a time. Merged cells, frozen panes, print set-up and styles all work in that mode; rows
must be written top to bottom and the column widths set before the first row.

No query per subject: the evaluations come from `boards.ranking` with their lines, persons, teams
and units; the subjects' groups (for targets kept by group) are read once, and only when an item
needs them. User text is always written as text, never as a formula.

Money penalties (`proportional_penalty`) are amounts in 元, never points: on the summary they have
their own column headed "(元)", on a subject's sheet their own "amount (元)" column, so that the
score column only ever holds points and adds up to the total.
"""

from __future__ import annotations

import io
import re
from copy import copy
from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from leads.models import Category
from stations.exports import marking

from . import grades, rules
from .models import SchemeSubject

# Who the marking names when no user is logged in: the management command.
COMMAND = "manage.py export_scores"
PAPERSIZE_A4 = 9
WAN = Decimal("10000")
# Rule types whose target depends on the subject's group (a rank class or a unit group).
BY_GROUP = {"amount_target", "weighted_indicator"}
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
EXCEL_TEXT_LIMIT = 32767
HEADER_ROW = 4  # title, subject or summary line, marking, then the column headers


class _Exporter:
    """Stands for the user in the marking when a command, not a person, writes the workbook."""

    def __init__(self, name: str):
        self.name = name

    def get_username(self) -> str:
        return self.name


def _styles() -> list[NamedStyle]:
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    middle = Alignment(vertical="center", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")

    def style(name, **kwargs):
        return NamedStyle(name=f"outpost-{name}", hidden=True, **kwargs)

    return [
        style("title", font=Font(bold=True, size=16), alignment=centre),
        style("subtitle", alignment=Alignment(vertical="center")),
        style("marking", font=Font(bold=True, color="C00000", size=10), alignment=Alignment(vertical="center")),
        style("header", font=Font(bold=True), border=box, alignment=centre, fill=PatternFill("solid", fgColor="D9E1F2")),
        style("text", border=box, alignment=middle),
        style("centre", border=box, alignment=centre),
        style("general", border=box, alignment=centre, number_format="General"),
        style("integer", border=box, alignment=centre, number_format="0"),
        style("points", border=box, alignment=centre, number_format="0.00"),
        style("change", border=box, alignment=centre, number_format="+0.00;-0.00;0.00"),
        style("yuan", border=box, alignment=right, number_format='#,##0.00"元"'),
        style("wan", border=box, alignment=centre, number_format='#,##0.00##"万元"'),
        style("wan-whole", border=box, alignment=centre, number_format='#,##0"万元"'),
        style("total-label", font=Font(bold=True), border=box, alignment=centre),
        style("total", font=Font(bold=True), border=box, alignment=centre, number_format="0.00"),
        style("sign", font=Font(bold=True), alignment=right),
        style("blank-line", border=Border(bottom=thin)),
    ]


def _clean(text: str) -> str:
    """What Excel can hold: no control characters, at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:EXCEL_TEXT_LIMIT]


class _SheetNames:
    """Unique sheet names Excel accepts: at most 31 characters, none of []:*?/\\, not starting or
    ending with an apostrophe, unique whatever the case."""

    def __init__(self):
        self.taken = {"history"}  # reserved by Excel

    def __call__(self, wanted: str) -> str:
        base = FORBIDDEN_IN_SHEET_NAMES.sub("_", _clean(wanted)).strip().strip("'") or "_"
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


class _Sheet:
    """A write-only sheet of the workbook: rows of styled cells, written top to bottom."""

    def __init__(self, workbook, name: str, styles: dict):
        self.ws, self.styles, self.row = workbook.create_sheet(name), styles, 0

    def cell(self, value, style: str = "text") -> WriteOnlyCell:
        """A styled cell; a string is stored as text, never read as a formula."""
        if isinstance(value, str):
            value = _clean(value)
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

    def set_up(self, *, stamp: str, freeze: str, widths: list[int]) -> None:
        """Column widths, frozen header, A4 landscape fitted to the width, the rows above and of the
        header repeated on every printed page, the marking in the page header and page numbers in
        the footer. In write-only mode all of this comes before the first row."""
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
        ws.oddHeader.left.text = stamp.replace("&", "&&")  # "&" starts a code in a page header
        ws.oddHeader.left.size = 8
        ws.oddFooter.center.text = "&P / &N"

    def banner(self, width: int, title: str, subtitle: str, stamp: str) -> None:
        """The merged rows above the header: the title, the subject or summary line, the marking."""
        for text, style, height in [(title, "title", 30), (subtitle, "subtitle", 20), (stamp, "marking", None)]:
            self.append([self.cell(text, style)], height=height, merge=[(1, width)])

    def sign_off(self, width: int) -> None:
        """A blank row, then 填报人 / 审核人 / 分管领导 / 单位盖章, each with a line to sign on."""
        self.append([])
        labels = [_("Filled in by:"), _("Checked by:"), _("Leader in charge:"), _("Unit seal:")]
        span = max(width // len(labels), 2)
        cells, merge = [], []
        for index, label in enumerate(labels):
            cells += [self.cell(label, "sign"), *[self.cell(None, "blank-line") for _i in range(span - 1)]]
            if span > 2:
                merge.append((index * span + 2, index * span + span))
        self.append(cells, height=36, merge=merge)


def _number(value: str):
    """The actual as a number when it is one ("16", "150000000.00"), else None."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _wan(amount) -> tuple[Decimal, str]:
    value = Decimal(str(amount)) / WAN
    return value, "wan-whole" if value == value.to_integral_value() else "wan"


def _target(item, group: str) -> tuple[object, str]:
    """The item's target as (value, style), from its parameters and the subject's group: a count,
    or an amount shown in 万元; blank when the rule type has no target or the group has none."""
    params = item.params or {}
    if item.rule_type == "count_target" and params.get("target") is not None:
        return params["target"], "integer"
    if item.rule_type == "threshold_project" and params.get("threshold"):
        return _wan(params["threshold"])
    if item.rule_type == "weighted_indicator" and group:
        target = (params.get("targets_by_group") or {}).get(group)
        return (Decimal(str(target)), "general") if target is not None else (None, "text")
    if item.rule_type == "amount_target" and group:
        targets = (params.get("targets_by_rank") or {}).get(group) or {}
        if len(targets) == 1:
            return _wan(next(iter(targets.values())))
        if targets:
            sectors = dict(Category.choices)
            return "；".join(f"{sectors.get(sector, sector)} {_wan(amount)[0]:,f}万元"
                            for sector, amount in targets.items()), "text"
    return None, "text"


def _flags(row, lines: dict) -> str:
    flags = []
    if row["evaluation"].total is None:
        flags.append(_("Judgement pending"))
    if row["interview"]:
        flags.append(_("Interview"))
    if any(line.forbids for line in lines.values()):
        flags.append(_("Veto: excellent forbidden"))
    return "、".join(flags)


def _is_money(item) -> bool:
    return rules.RULE_TYPES[item.rule_type].money


def _summary(sheet: _Sheet, board, *, title: str, stamp: str, links: list[str]) -> None:
    scheme, items, rows = board["scheme"], board["items"], board["rows"]
    headers = [_("Ranking"), _("Subject"), _("Team"),
               *[f"{item.label} (元)" if _is_money(item) else item.label for item in items],
               _("Total"), _("Change"), _("Grade"), _("Flags")]
    width = len(headers)
    sheet.set_up(stamp=stamp, freeze=f"D{HEADER_ROW + 1}", widths=[6, 16, 16, *[12] * len(items), 10, 10, 10, 24])
    sheet.banner(width, f"{scheme.name} · {title}",
                 _("Summary: %(count)s subject(s), ranked by total") % {"count": len(rows)}, stamp)
    sheet.append([sheet.cell(header, "header") for header in headers], height=32)
    for row, link, lines in zip(rows, links, board["lines"], strict=True):
        evaluation = row["evaluation"]
        subject = sheet.cell(str(evaluation.subject))
        # To the subject's own sheet (an apostrophe inside a quoted sheet name is doubled).
        subject.hyperlink = Hyperlink(ref="", location="'{}'!A1".format(link.replace("'", "''")))
        cells = [sheet.cell(row["rank"], "integer"), subject,
                 sheet.cell(evaluation.station.name if evaluation.station else "")]
        for item in items:
            line = lines.get(item.pk)
            if _is_money(item):
                cells.append(sheet.cell(line.money if line else None, "yuan"))
            else:
                cells.append(sheet.cell(line.points if line else None, "points"))
        cells += [sheet.cell(evaluation.total, "total"), sheet.cell(row["change"], "change"),
                  sheet.cell(grades.scale_for(evaluation).get(evaluation.grade, ""), "centre"),
                  sheet.cell(_flags(row, lines))]
        sheet.append(cells)
    sheet.sign_off(width)


def _subject_sheet(sheet: _Sheet, board, row, lines: dict, *, group: str, title: str, stamp: str,
                   methods: dict) -> None:
    scheme, items, evaluation = board["scheme"], board["items"], row["evaluation"]
    money = any(_is_money(item) for item in items)
    headers = [_("No."), _("Item"), _("Target"), _("Explanation"), _("Points"), _("Scoring method"), _("Actual"),
               _("Score"), _("Evidence (items)"), *([capfirst(_("amount (元)"))] if money else [])]
    width = len(headers)
    sheet.set_up(stamp=stamp, freeze=f"A{HEADER_ROW + 1}", widths=[6, 18, 14, 40, 8, 40, 12, 10, 10, 14][:width])
    about = [_("Subject: %(subject)s") % {"subject": evaluation.subject},
             _("Team: %(team)s") % {"team": evaluation.station.name if evaluation.station else "—"},
             _("Period: %(first)s – %(last)s") % {"first": evaluation.period_start, "last": evaluation.period_end},
             _("Ranking: %(rank)s of %(count)s") % {"rank": row["rank"], "count": len(board["rows"])}]
    sheet.banner(width, f"{scheme.name} · {title}", "　".join(about), stamp)
    sheet.append([sheet.cell(header, "header") for header in headers], height=32)
    for item in items:
        line = lines.get(item.pk)
        target, target_style = _target(item, group)
        explanation = line.explanation if line else ""
        if line is not None and line.reason:
            explanation = "\n".join(filter(None, [explanation, _("Reason: %(reason)s") % {"reason": line.reason}]))
        actual = _number(line.value) if line is not None and line.value else None
        cells = [sheet.cell(item.position, "integer"), sheet.cell(item.label), sheet.cell(target, target_style),
                 sheet.cell(explanation), sheet.cell(item.max_points, "points"), sheet.cell(methods[item.pk]),
                 sheet.cell(actual, "general") if actual is not None else
                 sheet.cell(line.value if line is not None and line.value else None, "centre"),
                 sheet.cell(line.points if line is not None and not _is_money(item) else None, "points"),
                 sheet.cell(len(line.evidence or []) if line is not None else None, "integer")]
        if money:
            cells.append(sheet.cell(line.money if line is not None and _is_money(item) else None, "yuan"))
        sheet.append(cells)
    # Total, grade and flags: the label over the first seven columns, the value over the rest.
    for label, value, style in [(_("Total"), evaluation.total, "total"),
                                (_("Grade"), grades.scale_for(evaluation).get(evaluation.grade, ""), "total-label"),
                                (_("Flags"), _flags(row, lines), "text")]:
        sheet.append([sheet.cell(label, "total-label"), *[sheet.cell(None, "total-label") for _i in range(6)],
                      sheet.cell(value, style), *[sheet.cell(None, style) for _i in range(width - 8)]],
                     merge=[(1, 7), (8, width)])
    sheet.sign_off(width)


def _groups(boards) -> dict:
    """(scheme id, "person" or "unit", id) → the subject's group, for the schemes with an item
    whose target depends on it. One query for the whole workbook."""
    schemes = [board["scheme"].pk for board in boards if any(item.rule_type in BY_GROUP for item in board["items"])]
    if not schemes:
        return {}
    return {(scheme, "person", person) if person else (scheme, "unit", unit): group
            for scheme, person, unit, group in SchemeSubject.objects.filter(scheme__in=schemes).values_list(
                "scheme_id", "person_id", "unit_id", "group")}


def score_workbook(*, boards, title: str, user, now) -> bytes:
    """`boards` as built by `scoring.boards.ranking`, one per scheme; `title` names the period;
    `user` is who exports (None: the management command). The summaries come first, then the
    subjects' sheets, scheme by scheme in ranking order."""
    stamp = marking(user if user is not None else _Exporter(COMMAND), now)
    workbook = Workbook(write_only=True)
    styles = {}
    for style in _styles():
        workbook.add_named_style(style)
        styles[style.name.removeprefix("outpost-")] = style.as_tuple()
    names, groups, several = _SheetNames(), _groups(boards), len(boards) > 1
    boards = [board | {"lines": [{line.item_id: line for line in row["evaluation"].lines.all()}
                                 for row in board["rows"]]} for board in boards]
    summaries = [names(f"{_('Summary')} {board['scheme'].name}") for board in boards]
    subjects = [[names(f"{number}-{row['rank']} {row['evaluation'].subject}" if several
                       else f"{row['rank']} {row['evaluation'].subject}") for row in board["rows"]]
                for number, board in enumerate(boards, start=1)]
    for board, name, links in zip(boards, summaries, subjects, strict=True):
        sheet = _Sheet(workbook, name, styles)
        _summary(sheet, board, title=title, stamp=stamp, links=links)
        sheet.ws.close()  # streamed to its temporary file: one open file at a time
    for board, links in zip(boards, subjects, strict=True):
        scheme = board["scheme"]
        methods = {item.pk: str(rules.RULE_TYPES[item.rule_type].description) for item in board["items"]}
        for row, lines, name in zip(board["rows"], board["lines"], links, strict=True):
            evaluation = row["evaluation"]
            group = groups.get((scheme.pk, "person", evaluation.person_id) if evaluation.person_id
                               else (scheme.pk, "unit", evaluation.unit_id), "")
            sheet = _Sheet(workbook, name, styles)
            _subject_sheet(sheet, board, row, lines, group=group, title=title, stamp=stamp, methods=methods)
            sheet.ws.close()
    if not boards:
        sheet = _Sheet(workbook, _("No scheme"), styles)
        sheet.append([sheet.cell(stamp, "marking")])
        sheet.append([sheet.cell(_("No scoring scheme is in force for this period."), "subtitle")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
