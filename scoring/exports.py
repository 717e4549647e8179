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
needs them. User text is always written as text, never as a formula. The sheet writer (styles,
banner, print set-up, text cells) is `stations.sheets`, shared with `funding.exports`.

Money penalties (`proportional_penalty`) are amounts in 元, never points: on the summary they have
their own column headed "(元)", on a subject's sheet their own "amount (元)" column, so that the
score column only ever holds points and adds up to the total.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.styles import Border
from openpyxl.worksheet.hyperlink import Hyperlink

from leads.models import Category
from stations.sheets import (
    BOLD,
    BOX,
    CENTRE,
    HEADER_ROW,
    RIGHT,
    THIN,
    Sheet,
    SheetNames,
    Workbook,
    named_styles,
)

from . import grades, rules
from .models import SchemeSubject

# Who the marking names when no user is logged in: the management command.
COMMAND = "manage.py export_scores"
WAN = Decimal("10000")
# Rule types whose target depends on the subject's group (a rank class or a unit group).
BY_GROUP = {"amount_target", "weighted_indicator"}


def _styles() -> dict:
    """The score sheets' styles (after `stations.sheets`' common ones), named "outpost-…"."""
    return named_styles("outpost-", {
        "general": {"border": BOX, "alignment": CENTRE, "number_format": "General"},
        "integer": {"border": BOX, "alignment": CENTRE, "number_format": "0"},
        "points": {"border": BOX, "alignment": CENTRE, "number_format": "0.00"},
        "change": {"border": BOX, "alignment": CENTRE, "number_format": "+0.00;-0.00;0.00"},
        "yuan": {"border": BOX, "alignment": RIGHT, "number_format": '#,##0.00"元"'},
        "wan": {"border": BOX, "alignment": CENTRE, "number_format": '#,##0.00##"万元"'},
        "wan-whole": {"border": BOX, "alignment": CENTRE, "number_format": '#,##0"万元"'},
        "total-label": {"font": BOLD, "border": BOX, "alignment": CENTRE},
        "total": {"font": BOLD, "border": BOX, "alignment": CENTRE, "number_format": "0.00"},
        "sign": {"font": BOLD, "alignment": RIGHT},
        "blank-line": {"border": Border(bottom=THIN)},
    })


def _sign_off(sheet: Sheet, width: int) -> None:
    """A blank row, then 填报人 / 审核人 / 分管领导 / 单位盖章, each with a line to sign on."""
    sheet.append([])
    labels = [_("Filled in by:"), _("Checked by:"), _("Leader in charge:"), _("Unit seal:")]
    span = max(width // len(labels), 2)
    cells, merge = [], []
    for index, label in enumerate(labels):
        cells += [sheet.cell(label, "sign"), *[sheet.cell(None, "blank-line") for _i in range(span - 1)]]
        if span > 2:
            merge.append((index * span + 2, index * span + span))
    sheet.append(cells, height=36, merge=merge)


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


def _summary(sheet: Sheet, board, *, title: str, links: list[str]) -> None:
    scheme, items, rows = board["scheme"], board["items"], board["rows"]
    headers = [_("Ranking"), _("Subject"), _("Team"),
               *[f"{item.label} (元)" if _is_money(item) else item.label for item in items],
               _("Total"), _("Change"), _("Grade"), _("Flags")]
    width = len(headers)
    sheet.set_up(freeze=f"D{HEADER_ROW + 1}", widths=[6, 16, 16, *[12] * len(items), 10, 10, 10, 24])
    sheet.banner(width, f"{scheme.name} · {title}",
                 _("Summary: %(count)s subject(s), ranked by total") % {"count": len(rows)})
    sheet.header(headers)
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
    _sign_off(sheet, width)


def _subject_sheet(sheet: Sheet, board, row, lines: dict, *, group: str, title: str, methods: dict) -> None:
    scheme, items, evaluation = board["scheme"], board["items"], row["evaluation"]
    money = any(_is_money(item) for item in items)
    headers = [_("No."), _("Item"), _("Target"), _("Explanation"), _("Points"), _("Scoring method"), _("Actual"),
               _("Score"), _("Evidence (items)"), *([capfirst(_("amount (元)"))] if money else [])]
    width = len(headers)
    sheet.set_up(freeze=f"A{HEADER_ROW + 1}", widths=[6, 18, 14, 40, 8, 40, 12, 10, 10, 14][:width])
    about = [_("Subject: %(subject)s") % {"subject": evaluation.subject},
             _("Team: %(team)s") % {"team": evaluation.station.name if evaluation.station else "—"},
             _("Period: %(first)s – %(last)s") % {"first": evaluation.period_start, "last": evaluation.period_end},
             _("Ranking: %(rank)s of %(count)s") % {"rank": row["rank"], "count": len(board["rows"])}]
    sheet.banner(width, f"{scheme.name} · {title}", "　".join(about))
    sheet.header(headers)
    for item in items:
        line = lines.get(item.pk)
        target, target_style = _target(item, group)
        explanation = line.explanation if line else ""
        if line is not None and line.reason:
            explanation = "\n".join(filter(None, [explanation, _("Reason: %(reason)s") % {"reason": line.reason}]))
        actual = _number(line.value) if line is not None and line.value else None
        actual_style = "general"
        if actual is not None and rules.amount_valued(item):
            actual, actual_style = _wan(actual)  # in 万元, as the target beside it
        cells = [sheet.cell(item.position, "integer"), sheet.cell(item.label), sheet.cell(target, target_style),
                 sheet.cell(explanation), sheet.cell(item.max_points, "points"), sheet.cell(methods[item.pk]),
                 sheet.cell(actual, actual_style) if actual is not None else
                 sheet.cell(line.value if line is not None and line.value else None, "centre"),
                 sheet.cell(line.points if line is not None and not _is_money(item) else None, "points"),
                 sheet.cell(line.evidence_count if line is not None else None, "integer")]
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
    _sign_off(sheet, width)


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
    book = Workbook(_styles(), user=user, now=now, exporter=COMMAND)
    names, groups, several = SheetNames(), _groups(boards), len(boards) > 1
    boards = [board | {"lines": [{line.item_id: line for line in row["evaluation"].lines.all()}
                                 for row in board["rows"]]} for board in boards]
    summaries = [names(f"{_('Summary')} {board['scheme'].name}") for board in boards]
    subjects = [[names(f"{number}-{row['rank']} {row['evaluation'].subject}" if several
                       else f"{row['rank']} {row['evaluation'].subject}") for row in board["rows"]]
                for number, board in enumerate(boards, start=1)]
    for board, name, links in zip(boards, summaries, subjects, strict=True):
        sheet = book.sheet(name)
        _summary(sheet, board, title=title, links=links)
        sheet.close()  # streamed to its temporary file: one open file at a time
    for board, links in zip(boards, subjects, strict=True):
        scheme = board["scheme"]
        methods = {item.pk: rules.method_of(item) for item in board["items"]}
        for row, lines, name in zip(board["rows"], board["lines"], links, strict=True):
            evaluation = row["evaluation"]
            group = groups.get((scheme.pk, "person", evaluation.person_id) if evaluation.person_id
                               else (scheme.pk, "unit", evaluation.unit_id), "")
            sheet = book.sheet(name)
            _subject_sheet(sheet, board, row, lines, group=group, title=title, methods=methods)
            sheet.close()
    if not boards:
        sheet = book.sheet(_("No scheme"))
        sheet.append([sheet.cell(book.stamp, "marking")])
        sheet.append([sheet.cell(_("No scoring scheme is in force for this period."), "subtitle")])
    return book.save()
