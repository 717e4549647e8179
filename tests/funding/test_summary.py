"""`funding.summary`: many teams' money in a fixed number of queries, each row equal to what the
team's own readers (`ledger.execution`, `ledger.balance`) say, and the totals adding up."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funding import claims, ledger
from funding.models import Budget, ClaimStatus, EntryKind
from funding.summary import summary, totals
from stations.models import Station
from tests.factories import StationFactory

from .conftest import DAY, YEAR


def record(world, station, **fields):
    values = {"station": station, "kind": EntryKind.ALLOCATION, "amount": "1000", "date": DAY}
    values.update(fields)
    return ledger.entry_record(user=world.users["bureau"], **values)


def build_teams(world, categories):
    """Station A: budget, a batch, self-funding, expenses (one reversed), an adjustment. Station B:
    a small budget and one expense. Entries of another year must not count."""
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("50000"))
    ledger.payout_record(user=world.users["bureau"], station=world.station_a, kind=EntryKind.DISBURSEMENT,
                         amount="20000", date=DAY)
    record(world, world.station_a, kind=EntryKind.SELF_FUNDING, amount="10000.10", unit=world.unit_a)
    lodging = record(world, world.station_a, kind=EntryKind.EXPENSE, amount="3000.33",
                     category=categories["lodging"], date=datetime.date(2026, 3, 5))
    record(world, world.station_a, kind=EntryKind.EXPENSE, amount="1299.99", category=categories["meals"],
           date=datetime.date(2026, 3, 6))
    ledger.entry_reverse(user=world.users["bureau"], entry=lodging, reason="退房")
    record(world, world.station_a, kind=EntryKind.ADJUSTMENT, amount="-0.05", reason="手续费")
    record(world, world.station_a, amount="5", date=datetime.date(2025, 12, 30))  # another year
    Budget.objects.create(station=world.station_b, year=YEAR, amount=Decimal("300"))
    record(world, world.station_b, kind=EntryKind.EXPENSE, amount="120.50", category=categories["other"])


def receipt():
    return SimpleUploadedFile("fapiao.pdf", b"%PDF-1.4 test receipt", content_type="application/pdf")


def file_claim(world, categories, persona, amount, invoice):
    return claims.claim_file(user=world.users[persona], station=world.station_a, date=DAY,
                             category=categories["other"], amount=amount, payee="某酒店", description="客商接待",
                             invoice_number=invoice, receipts=[receipt()])


def test_each_row_equals_the_teams_own_execution(world, categories):
    build_teams(world, categories)
    quiet = StationFactory(name="驻深圳招商站")
    teams = Station.objects.filter(pk__in=[world.station_a.pk, world.station_b.pk, quiet.pk])
    rows = summary(teams, YEAR)
    assert [row.station for row in rows] == list(teams)  # in the queryset's order
    for row in rows:
        result = ledger.execution(row.station, YEAR)
        assert (row.budget, row.money_in, row.self_funded, row.spent, row.balance) == (
            result.budget, result.money_in, result.self_funded, result.spent, result.balance)
        assert (row.ceiling, row.remaining, row.share) == (result.ceiling, result.remaining, result.share)
        assert row.balance == ledger.balance(row.station, YEAR)


def test_the_figures_of_a_team_year_to_the_fen(world, categories):
    build_teams(world, categories)
    row = summary([world.station_a], YEAR)[0]
    assert (row.budget, row.money_in, row.self_funded, row.spent, row.balance) == (
        Decimal("50000.00"), Decimal("30000.05"), Decimal("10000.10"), Decimal("1299.99"), Decimal("28700.06"))
    assert (row.ceiling, row.remaining, row.share) == (Decimal("60000.10"), Decimal("58700.11"), Decimal("2.6"))


def test_a_team_with_nothing_has_zeros_and_no_budget(world):
    row = summary([world.station_b], YEAR)[0]
    assert (row.budget, row.share, row.ceiling, row.balance, row.spent, row.claims_pending, row.claims_held) == (
        None, None, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), 0, 0)


def test_open_claims_are_counted_by_status(world, categories):
    build_teams(world, categories)
    file_claim(world, categories, "staff_a", "80", "INV-1")  # waits for the chief
    withdrawn = file_claim(world, categories, "staff_a", "90", "INV-2")
    claims.claim_withdraw(user=world.users["staff_a"], claim=withdrawn)
    held = file_claim(world, categories, "chief_a", "70000", "INV-3")  # the chief signs; the bureau approves
    held = claims.claim_decide(user=world.users["bureau"], claim=held, approve=True)
    paid = file_claim(world, categories, "chief_a", "10", "INV-4")
    paid = claims.claim_decide(user=world.users["bureau"], claim=paid, approve=True)
    assert (held.status, paid.status) == (ClaimStatus.HELD, ClaimStatus.APPROVED)
    rows = {row.station: row for row in summary(Station.objects.all(), YEAR)}
    assert (rows[world.station_a].claims_pending, rows[world.station_a].claims_held) == (1, 1)
    assert (rows[world.station_b].claims_pending, rows[world.station_b].claims_held) == (0, 0)
    assert summary([world.station_a], YEAR - 1)[0].claims_pending == 0  # claims of another year


def test_totals_add_up_the_rows(world, categories):
    build_teams(world, categories)
    quiet = StationFactory()  # no budget: adds nothing to the budget, and its share stays out
    rows = summary(Station.objects.filter(pk__in=[world.station_a.pk, world.station_b.pk, quiet.pk]), YEAR)
    total = totals(rows)
    assert total.station is None
    assert total.budget == Decimal("50300.00")
    assert total.spent == Decimal("1299.99") + Decimal("120.50")
    assert total.balance == ledger.balance(world.station_a, YEAR) + ledger.balance(world.station_b, YEAR)
    assert total.money_in == sum(row.money_in for row in rows)
    assert total.self_funded == Decimal("10000.10")
    assert total.ceiling == sum(row.ceiling for row in rows)
    assert total.remaining == sum(row.remaining for row in rows)
    assert total.share == Decimal("2.8")  # 1420.49 / 50300
    assert totals([]).budget is None


@pytest.mark.parametrize("extra_teams", [0, 12])
def test_summary_costs_the_same_queries_for_one_team_or_many(world, categories, django_assert_num_queries,
                                                            extra_teams):
    build_teams(world, categories)
    for _number in range(extra_teams):
        team = StationFactory()
        Budget.objects.create(station=team, year=YEAR, amount=Decimal("1000"))
        record(world, team, kind=EntryKind.EXPENSE, amount="1", category=categories["meals"])
    teams = Station.objects.exclude(pk=world.station_b.pk)
    # The teams; the ledger's sums by team; the budgets; the open claims by team and status.
    with django_assert_num_queries(4):
        rows = summary(teams, YEAR)
    assert len(rows) == 1 + extra_teams
    # Given as a list of loaded teams, the first query is not needed.
    teams = list(teams)
    with django_assert_num_queries(3):
        assert summary(teams, YEAR) == rows
