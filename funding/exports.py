"""Excel exports of the money (the only module in `funding` that touches openpyxl): a team's ledger
for a year with its budget execution, and the summary of many teams.

Contracts:

* The workbooks are read through the same functions as the pages — `ledger.running_balance`,
  `ledger.execution`, `summary.summary` — so every figure equals the page's to the fen. Money is
  written as a `Decimal` number cell in 元 ('#,##0.00'), never as text and never through a float.
* Every sheet carries the internal-material marking (`stations.sheets.marking`: who exported
  it, and when, in local time) in a row above the header and in the printed page header.
* User text (descriptions, reasons, references, names) is always a text cell: a description such
  as `=HYPERLINK(…)`, `+1`, `-1` or `@SUM(…)` is stored as a string, which Excel never evaluates.
* A fixed number of queries, whatever the number of entries or teams: four for the ledger
  workbook (the entries with their joins, then `execution`'s three), four for the summary.
* Written in openpyxl's write-only mode with `stations.sheets`, the layout of `scoring.exports`
  (title, subtitle and marking rows, a frozen header repeated on each printed page, A4 landscape
  fitted to the width). `funding` does not import `scoring` (the apps depend on `stations` and
  `leads` only): both use the sheet writer of `stations`.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.sheets import BOLD, BOX, CENTRE, HEADER_ROW, RIGHT, Workbook, local_time, named_styles

from . import ledger
from .models import EntryKind, LedgerEntry
from .summary import SummaryRow, summary, totals

MONEY = "#,##0.00"


def _book(user, now) -> Workbook:
    """A workbook with the funding styles (named "funding-…"); the marking names `user`, or the
    system when None, at `now` in local time (default: now)."""
    styles = named_styles("funding-", {
        "integer": {"border": BOX, "alignment": CENTRE, "number_format": "0"},
        "date": {"border": BOX, "alignment": CENTRE, "number_format": "yyyy-mm-dd"},
        "datetime": {"border": BOX, "alignment": CENTRE, "number_format": "yyyy-mm-dd hh:mm"},
        "money": {"border": BOX, "alignment": RIGHT, "number_format": MONEY},
        "share": {"border": BOX, "alignment": RIGHT, "number_format": "0.0"},
        "total-label": {"font": BOLD, "border": BOX, "alignment": CENTRE},
        "total-money": {"font": BOLD, "border": BOX, "alignment": RIGHT, "number_format": MONEY},
        "total-share": {"font": BOLD, "border": BOX, "alignment": RIGHT, "number_format": "0.0"},
        "total-integer": {"font": BOLD, "border": BOX, "alignment": CENTRE, "number_format": "0"},
    })
    now = timezone.localtime(now) if now is not None else timezone.localtime()
    return Workbook(styles, user=user, now=now, exporter=_("the system"))


def _recorder(user) -> str:
    """The name of who recorded an entry: the person's name, else the login."""
    try:
        name = user.person.name
    except ObjectDoesNotExist:
        name = ""
    return name or user.get_full_name() or user.get_username()


def _summary_text(entry: LedgerEntry) -> str:
    """The 摘要 of an entry: its description, and what a reader must know besides — which entry a
    reversal cancels, the unit that paid self-funding in, the reason of a correction, an expense
    let past the budget."""
    lines = [entry.description]
    if entry.kind == EntryKind.REVERSAL:
        lines.append(_("Reverses entry no. %(number)s of %(date)s") % {
            "number": entry.reverses_id, "date": f"{entry.reverses.date:%Y-%m-%d}"})
    if entry.unit is not None:
        lines.append(_("Paid in by %(unit)s") % {"unit": entry.unit})
    if entry.reason:
        lines.append(_("Reason: %(reason)s") % {"reason": entry.reason})
    if entry.over_budget:
        lines.append(_("Past the budget by override"))
    return "\n".join(filter(None, lines))


def _ledger_sheet(book: Workbook, station, year: int, rows: list) -> None:
    headers = [_("Entry no."), _("Date"), _("Kind"), _("Expense category"), _("Description"), _("Money in (元)"),
               _("Money out (元)"), _("Balance (元)"), _("Voucher or reference"), _("Recorded by"),
               _("Recorded at")]
    width = len(headers)
    sheet = book.sheet(_("Ledger"))
    sheet.set_up(freeze=f"C{HEADER_ROW + 1}", widths=[8, 12, 14, 16, 40, 14, 14, 14, 16, 12, 17])
    sheet.banner(width, _("Ledger of %(team)s, %(year)s") % {"team": station.name, "year": year},
                 _("Team: %(team)s　Budget year: %(year)s　Entries: %(count)s　In the order of the ledger "
                   "(date, then entry number)") % {"team": station.name, "year": year, "count": len(rows)})
    sheet.header(headers)
    money_in = money_out = ledger.ZERO
    for entry, running in rows:
        incoming = entry.amount if entry.amount > 0 else None
        outgoing = -entry.amount if entry.amount < 0 else None
        money_in += incoming or 0
        money_out += outgoing or 0
        sheet.append([
            sheet.cell(entry.pk, "integer"), sheet.cell(entry.date, "date"),
            sheet.cell(str(entry.get_kind_display()), "centre"),
            sheet.cell(entry.category.name if entry.category else "", "centre"),
            sheet.cell(_summary_text(entry)), sheet.cell(incoming, "money"), sheet.cell(outgoing, "money"),
            sheet.cell(running, "money"), sheet.cell(entry.reference, "centre"),
            sheet.cell(_recorder(entry.recorded_by), "centre"), sheet.cell(local_time(entry.recorded_at), "datetime"),
        ])
    closing = rows[-1][1] if rows else ledger.ZERO
    # The label over the first five columns, then money in, money out and the closing balance.
    sheet.append([sheet.cell(_("Total"), "total-label"), *[sheet.cell(None, "total-label") for _i in range(4)],
                  sheet.cell(money_in, "total-money"), sheet.cell(money_out, "total-money"),
                  sheet.cell(closing, "total-money"), *[sheet.cell(None, "total-label") for _i in range(3)]],
                 merge=[(1, 5)])
    sheet.close()


def _execution_sheet(book: Workbook, station, year: int, result: ledger.Execution) -> None:
    headers = [_("Expense category"), _("Spent (元)"), _("Share of the budget (%)")]
    width = len(headers)
    sheet = book.sheet(_("Budget execution"))
    sheet.set_up(freeze=f"A{HEADER_ROW + 1}", widths=[28, 18, 18])
    sheet.banner(width, _("Budget execution of %(team)s, %(year)s") % {"team": station.name, "year": year},
                 _("Spending by category against the budget; the share is blank without a budget."))
    sheet.header(headers)
    for line in result.lines:
        sheet.append([sheet.cell(line.category.name), sheet.cell(line.spent, "money"),
                      sheet.cell(line.share, "share")])
    sheet.append([sheet.cell(_("Total"), "total-label"), sheet.cell(result.spent, "total-money"),
                  sheet.cell(result.share, "total-share")])
    sheet.append([])
    for label, value in [(_("Budget (元)"), result.budget), (_("Money in (元)"), result.money_in),
                         (_("Self-funding and carry-over (元)"), result.self_funded),
                         (_("Ceiling: budget, self-funding and carry-over (元)"), result.ceiling),
                         (_("Spent (元)"), result.spent), (_("Remaining under the ceiling (元)"), result.remaining),
                         (_("Balance (元)"), result.balance)]:
        sheet.append([sheet.cell(label, "total-label"), sheet.cell(value, "money")])
    sheet.close()


def ledger_workbook(*, station, year: int, user=None, now=None) -> bytes:
    """The team-year's ledger as an .xlsx: the sheet "Ledger" (财务流水台账), one row per entry in
    ledger order (date, then number) with money in and out as positive numbers in their own
    columns, the running balance after each entry, and a total row (money in, money out, closing
    balance = `ledger.balance`); then the sheet "Budget execution" (预算执行), `ledger.execution`
    by category with the budget, self-funding and carry-over, ceiling, spent, remaining and
    balance. `user` is who exports (None: the marking names the system); `now` defaults to now.
    Four queries whatever the number of entries. The caller checks that `user` may see the team.
    """
    entries = (LedgerEntry.objects.of(station, year)
               .select_related("category", "recorded_by__person", "reverses", "unit").order_by("date", "pk"))
    rows = ledger.running_balance(entries)
    book = _book(user, now)
    _ledger_sheet(book, station, year, rows)
    _execution_sheet(book, station, year, ledger.execution(station, year))
    return book.save()


def summary_workbook(*, year: int, stations, user=None, now=None) -> bytes:
    """The funding summary (经费汇总) of `stations` (a queryset or a list of teams, in the order
    wanted) for `year` as an .xlsx: one row per team from `funding.summary.summary` — team, kind,
    budget, money in, self-funding and carry-over, ceiling, spent, remaining, balance, execution
    (% of the budget), claims pending and held — then the totals (`funding.summary.totals`).
    Four queries whatever the number of teams. The caller passes only teams `user` may see."""
    rows = summary(stations, year)
    book = _book(user, now)
    headers = [_("Team"), _("Kind"), _("Budget (元)"), _("Money in (元)"), _("Self-funding and carry-over (元)"),
               _("Ceiling (元)"), _("Spent (元)"), _("Remaining (元)"), _("Balance (元)"), _("Execution (%)"),
               _("Claims pending"), _("Claims held")]
    width = len(headers)
    sheet = book.sheet(_("Funding summary"))
    sheet.set_up(freeze=f"C{HEADER_ROW + 1}", widths=[22, 12, *[15] * 7, 11, 10, 10])
    sheet.banner(width, _("Funding summary %(year)s") % {"year": year},
                 _("%(count)s team(s); remaining = ceiling (budget, self-funding and carry-over) − spent")
                 % {"count": len(rows)})
    sheet.header(headers)

    def figures(row: SummaryRow, prefix: str) -> list:
        money, share, integer = f"{prefix}money", f"{prefix}share", f"{prefix}integer"
        return [sheet.cell(row.budget, money), sheet.cell(row.money_in, money), sheet.cell(row.self_funded, money),
                sheet.cell(row.ceiling, money), sheet.cell(row.spent, money), sheet.cell(row.remaining, money),
                sheet.cell(row.balance, money), sheet.cell(row.share, share),
                sheet.cell(row.claims_pending, integer), sheet.cell(row.claims_held, integer)]

    for row in rows:
        sheet.append([sheet.cell(row.station.name), sheet.cell(str(row.station.get_kind_display()), "centre"),
                      *figures(row, "")])
    sheet.append([sheet.cell(_("Total"), "total-label"), sheet.cell(None, "total-label"),
                  *figures(totals(rows), "total-")], merge=[(1, 2)])
    sheet.close()
    return book.save()
