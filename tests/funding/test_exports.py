"""The funding workbooks read back with openpyxl: the ledger with its running balance and totals,
the budget execution, the summary of many teams — each to the fen of the readers the pages use —
with the internal-material marking, user text kept as text, and a fixed number of queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from funding import ledger
from funding.exports import HEADER_ROW, ledger_workbook, summary_workbook
from funding.models import Budget, EntryKind, LedgerEntry
from funding.summary import summary, totals
from stations.models import Station
from tests.factories import StationFactory

from .conftest import DAY, YEAR

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 5))
FIRST = HEADER_ROW + 1
# The ledger sheet's columns, counted from 1.
NUMBER, DATE, KIND, CATEGORY, DESCRIPTION, MONEY_IN, MONEY_OUT, BALANCE, REFERENCE, RECORDER, RECORDED_AT = range(1, 12)


def record(world, station=None, **fields):
    values = {"station": station or world.station_a, "kind": EntryKind.ALLOCATION, "amount": "1000", "date": DAY}
    values.update(fields)
    return ledger.entry_record(user=world.users["bureau"], **values)


@pytest.fixture
def year_a(world, categories):
    """Station A's 2026: budget, a batch, self-funding, three expenses (one reversed by finance),
    an adjustment; one entry of station B and one of 2025 that the export must leave out."""
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("50000"))
    ledger.payout_record(user=world.users["bureau"], station=world.station_a, kind=EntryKind.DISBURSEMENT,
                         amount="20000", date=DAY, description="第一批拨付", reference="PF202603")
    record(world, kind=EntryKind.SELF_FUNDING, amount="10000.10", unit=world.unit_a)
    lodging = record(world, kind=EntryKind.EXPENSE, amount="3000.33", category=categories["lodging"],
                     date=datetime.date(2026, 3, 5), description="住宿")
    record(world, kind=EntryKind.EXPENSE, amount="1200", category=categories["meals"],
           date=datetime.date(2026, 3, 6))
    record(world, kind=EntryKind.EXPENSE, amount="99.99", category=categories["meals"],
           date=datetime.date(2026, 3, 7))
    ledger.entry_reverse(user=world.users["finance"], entry=lodging, reason="退房")
    record(world, kind=EntryKind.ADJUSTMENT, amount="-0.05", reason="手续费", date=datetime.date(2026, 3, 8))
    record(world, station=world.station_b, amount="777")
    record(world, date=datetime.date(2025, 12, 30), amount="5")
    return lodging


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def ledger_sheets(world, user="bureau"):
    book = workbook(ledger_workbook(station=world.station_a, year=YEAR, user=world.users[user], now=NOW))
    return book.worksheets


def money(value) -> Decimal | None:
    """A number cell read back (openpyxl gives a float) as the Decimal it was written from."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def entry_rows(sheet) -> list[tuple]:
    """The rows between the header and the total row: those with an entry number."""
    return [row for row in sheet.iter_rows(min_row=FIRST, values_only=True) if isinstance(row[0], int)]


def total_row(sheet) -> tuple:
    """The last row, which must be the total row."""
    row = list(sheet.iter_rows(min_row=sheet.max_row, values_only=True))[0]
    assert row[0] == "Total"
    return row


# --- The ledger sheet -----------------------------------------------------------------------------

def test_one_row_per_entry_of_the_team_year_in_ledger_order(world, year_a):
    sheet = ledger_sheets(world)[0]
    expected = list(LedgerEntry.objects.of(world.station_a, YEAR).order_by("date", "pk").values_list("pk", flat=True))
    assert [row[NUMBER - 1] for row in entry_rows(sheet)] == expected
    assert len(expected) == 7  # station B's entry and the 2025 entry are not there


def test_the_running_balance_ends_at_the_ledger_balance(world, year_a):
    rows = entry_rows(ledger_sheets(world)[0])
    running = Decimal("0")
    for row in rows:
        running += (money(row[MONEY_IN - 1]) or 0) - (money(row[MONEY_OUT - 1]) or 0)
        assert money(row[BALANCE - 1]) == running
    assert money(rows[-1][BALANCE - 1]) == ledger.balance(world.station_a, YEAR) == Decimal("28700.06")


def test_money_in_and_out_are_positive_in_their_own_columns(world, year_a):
    rows = {row[NUMBER - 1]: row for row in entry_rows(ledger_sheets(world)[0])}
    expense = rows[year_a.pk]
    assert (money(expense[MONEY_IN - 1]), money(expense[MONEY_OUT - 1])) == (None, Decimal("3000.33"))
    reversal = rows[year_a.reversal.pk]
    assert (money(reversal[MONEY_IN - 1]), money(reversal[MONEY_OUT - 1])) == (Decimal("3000.33"), None)


def test_the_total_row_adds_up_the_columns(world, year_a):
    sheet = ledger_sheets(world)[0]
    rows, total = entry_rows(sheet), total_row(sheet)
    assert money(total[MONEY_IN - 1]) == sum(money(row[MONEY_IN - 1]) or 0 for row in rows) == Decimal("33000.43")
    assert money(total[MONEY_OUT - 1]) == sum(money(row[MONEY_OUT - 1]) or 0 for row in rows) == Decimal("4300.37")
    assert money(total[BALANCE - 1]) == ledger.balance(world.station_a, YEAR)


def test_a_reversal_names_the_entry_it_reverses_and_why(world, year_a):
    rows = {row[NUMBER - 1]: row for row in entry_rows(ledger_sheets(world)[0])}
    reversal = rows[year_a.reversal.pk]
    assert reversal[DESCRIPTION - 1] == f"住宿\nReverses entry no. {year_a.pk} of 2026-03-05\nReason: 退房"
    assert (reversal[KIND - 1], reversal[CATEGORY - 1], reversal[RECORDER - 1]) == ("Reversal", "住宿费", "finance")


def test_self_funding_names_the_unit_that_paid_in(world, year_a):
    row = next(row for row in entry_rows(ledger_sheets(world)[0]) if row[KIND - 1] == "Self-funding by a home unit")
    assert row[DESCRIPTION - 1] == f"Paid in by {world.unit_a}"


def test_kinds_are_written_in_the_language_of_the_export(world, year_a):
    with translation.override("zh-hans"):
        sheet = ledger_sheets(world)[0]
    kinds = [row[KIND - 1] for row in entry_rows(sheet)]
    assert list(sheet.iter_rows(min_row=sheet.max_row, values_only=True))[0][0] == "合计"
    assert kinds == ["分批拨付", "派出单位自筹", "支出", "支出", "支出", "调整", "冲销"]
    assert [row[CATEGORY - 1] for row in entry_rows(sheet)][2:5] == ["住宿费", "伙食费", "伙食费"]


def test_dates_references_and_the_recording_time(world, year_a):
    row = entry_rows(ledger_sheets(world)[0])[0]
    entry = LedgerEntry.objects.of(world.station_a, YEAR).order_by("date", "pk").first()
    assert (row[DATE - 1].date(), row[REFERENCE - 1], row[RECORDER - 1]) == (DAY, "PF202603", "bureau")
    assert row[RECORDED_AT - 1] == timezone.localtime(entry.recorded_at).replace(tzinfo=None, second=0, microsecond=0)


@pytest.mark.parametrize("text", ["=1+2", '=HYPERLINK("http://example.com","x")', "+86 123", "-5", "@SUM(A1)"])
def test_user_text_is_stored_as_text_never_as_a_formula(world, categories, text):
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("100"))
    record(world, kind=EntryKind.EXPENSE, amount="10", category=categories["meals"], description=text,
           reference=text[:50])
    sheet = ledger_sheets(world)[0]
    for column in (DESCRIPTION, REFERENCE):
        cell = sheet.cell(row=FIRST, column=column)
        assert (cell.value, cell.data_type) == (text, "s")


def test_the_marking_names_who_exported_and_when_on_every_sheet(world, year_a):
    stamp = "Internal material · exported by finance at 2026-11-20 09:05"
    for sheet in ledger_sheets(world, user="finance"):
        assert sheet.cell(row=3, column=1).value == stamp
        assert sheet.oddHeader.left.text == stamp


def test_without_a_user_the_marking_names_the_system(world, year_a):
    sheet = workbook(ledger_workbook(station=world.station_a, year=YEAR, now=NOW)).worksheets[0]
    assert sheet.cell(row=3, column=1).value == "Internal material · exported by the system at 2026-11-20 09:05"


def test_the_sheets_print_on_a4_with_the_header_repeated(world, year_a):
    ledger_sheet, execution_sheet = ledger_sheets(world)
    assert (ledger_sheet.freeze_panes, execution_sheet.freeze_panes) == ("C5", "A5")
    for sheet in (ledger_sheet, execution_sheet):
        assert sheet.print_title_rows == "$1:$4"
        assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "landscape")
    header = [cell.value for cell in ledger_sheet[HEADER_ROW]]
    assert header[:8] == ["Entry no.", "Date", "Kind", "Expense category", "Description", "Money in (元)",
                          "Money out (元)", "Balance (元)"]
    assert ledger_sheet.cell(row=FIRST, column=BALANCE).number_format == "#,##0.00"


def test_an_empty_year_has_a_zero_total(world):
    ledger_sheet, execution_sheet = ledger_sheets(world)
    assert entry_rows(ledger_sheet) == []
    total = total_row(ledger_sheet)
    assert (money(total[MONEY_IN - 1]), money(total[MONEY_OUT - 1]), money(total[BALANCE - 1])) == (
        Decimal("0"), Decimal("0"), Decimal("0"))
    labels = {row[0]: row[1] for row in execution_sheet.iter_rows(min_row=FIRST, values_only=True) if row}
    assert labels["Budget (元)"] is None


# --- The execution sheet --------------------------------------------------------------------------

def test_the_execution_sheet_equals_execution(world, year_a):
    sheet = ledger_sheets(world)[1]
    result = ledger.execution(world.station_a, YEAR)
    rows = list(sheet.iter_rows(min_row=FIRST, values_only=True))
    lines = rows[:len(result.lines)]
    assert [(name, money(spent), None if share is None else Decimal(str(share))) for name, spent, share in lines] == [
        (line.category.name, line.spent, line.share) for line in result.lines]
    total = rows[len(result.lines)]
    assert (total[0], money(total[1]), Decimal(str(total[2]))) == ("Total", result.spent, result.share)
    figures = {row[0]: money(row[1]) for row in rows[len(result.lines) + 1:] if row and row[0]}
    assert figures == {
        "Budget (元)": result.budget, "Money in (元)": result.money_in,
        "Self-funding and carry-over (元)": result.self_funded,
        "Ceiling: budget, self-funding and carry-over (元)": result.ceiling, "Spent (元)": result.spent,
        "Remaining under the ceiling (元)": result.remaining, "Balance (元)": result.balance,
    }
    assert figures["Balance (元)"] == Decimal("28700.06")


@pytest.mark.parametrize("entries", [1, 25])
def test_the_ledger_workbook_costs_the_same_queries_for_few_entries_or_many(world, categories,
                                                                            django_assert_num_queries, entries):
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("100000"))
    for number in range(entries):
        entry = record(world, kind=EntryKind.EXPENSE, amount="10", category=categories["meals"])
        if number % 5 == 1:
            ledger.entry_reverse(user=world.users["finance"], entry=entry, reason="录错")
    user = world.users["bureau"]
    # The entries with their category, recorder and person, reversed entry and unit; then
    # `execution`: the categories with their spending, the year's totals, the budget.
    with django_assert_num_queries(4):
        ledger_workbook(station=world.station_a, year=YEAR, user=user, now=NOW)


# --- The summary ----------------------------------------------------------------------------------

def summary_rows(content: bytes) -> list[tuple]:
    return list(workbook(content).worksheets[0].iter_rows(min_row=FIRST, values_only=True))


def as_row(row) -> tuple:
    """A `SummaryRow`'s figures as the sheet shows them, after the team and its kind."""
    return (row.budget, row.money_in, row.self_funded, row.ceiling, row.spent, row.remaining, row.balance,
            row.share, row.claims_pending, row.claims_held)


def read_figures(cells) -> tuple:
    *amounts, share, pending, held = cells
    return (*[money(value) for value in amounts], None if share is None else Decimal(str(share)), pending, held)


def test_the_summary_sheet_equals_the_teams_ledgers(world, year_a, categories):
    Budget.objects.create(station=world.station_b, year=YEAR, amount=Decimal("1000"))
    record(world, station=world.station_b, kind=EntryKind.EXPENSE, amount="120.50", category=categories["other"])
    teams = Station.objects.all()
    rows = summary_rows(summary_workbook(year=YEAR, stations=teams, user=world.users["leader"], now=NOW))
    assert [row[0] for row in rows] == [*[team.name for team in teams], "Total"]
    for team, row in zip(teams, rows, strict=False):
        result = ledger.execution(team, YEAR)
        assert row[1] == str(team.get_kind_display())
        assert read_figures(row[2:]) == (result.budget, result.money_in, result.self_funded, result.ceiling,
                                         result.spent, result.remaining, result.balance, result.share, 0, 0)
        assert money(row[8]) == ledger.balance(team, YEAR)
    assert read_figures(rows[-1][2:]) == as_row(totals(summary(teams, YEAR)))
    assert money(rows[-1][8]) == Decimal("28700.06") + Decimal("777.00") - Decimal("120.50")


def test_the_summary_carries_the_marking(world):
    sheet = workbook(summary_workbook(year=YEAR, stations=Station.objects.all(), user=world.users["leader"],
                                      now=NOW)).worksheets[0]
    assert sheet.cell(row=3, column=1).value == "Internal material · exported by leader at 2026-11-20 09:05"
    assert sheet.cell(row=FIRST, column=1).data_type == "s"


@pytest.mark.parametrize("extra_teams", [0, 15])
def test_the_summary_workbook_costs_the_same_queries_for_one_team_or_many(world, categories,
                                                                          django_assert_num_queries, extra_teams):
    for _number in range(extra_teams):
        team = StationFactory()
        Budget.objects.create(station=team, year=YEAR, amount=Decimal("1000"))
        record(world, station=team, kind=EntryKind.EXPENSE, amount="1", category=categories["meals"])
    teams = Station.objects.exclude(pk=world.station_b.pk)
    # The teams; the ledger's sums by team; the budgets; the open claims by team and status.
    with django_assert_num_queries(4):
        content = summary_workbook(year=YEAR, stations=teams, user=world.users["bureau"], now=NOW)
    assert len(summary_rows(content)) == 1 + extra_teams + 1
