"""`manage.py verify_ledger`: quiet and 0 on a clean ledger; each breach printed and status 1.

Breaches are made past the services with raw SQL. The database refuses most of them, so some are
made by switching off one of its guards inside the test's transaction (PostgreSQL rolls the DDL
back with it): which test runs where is said on each."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from funding import ledger
from funding.models import Budget, EntryKind

from .conftest import DAY, YEAR, insert_raw, on_postgresql


def verify_ledger() -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("verify_ledger", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def post(world, **fields):
    values = {"station": world.station_a, "kind": EntryKind.ALLOCATION, "amount": "1000", "date": DAY}
    values.update(fields)
    return ledger.entry_record(user=world.users["bureau"], **values)


@pytest.fixture
def clean(world, categories, budget_a):
    """A clean ledger of two teams: money in, spending, a reversal, an adjustment."""
    post(world, kind=EntryKind.SELF_FUNDING, amount="20000", unit=world.unit_a)
    meals = post(world, kind=EntryKind.EXPENSE, amount="150.50", category=categories["meals"])
    ledger.entry_reverse(user=world.users["bureau"], entry=meals, reason="录错")
    post(world, kind=EntryKind.ADJUSTMENT, amount="-0.50", reason="手续费")
    ledger.payout_record(user=world.users["bureau"], station=world.station_b, kind=EntryKind.LUMP_SUM, amount="7000",
                         date=DAY)
    return world


def test_a_clean_ledger_is_ok(clean):
    out, error = verify_ledger()
    assert error is None
    assert out == "ledger OK: 5 entries, 2 teams\n"


def test_an_empty_ledger_is_ok(db):
    assert verify_ledger() == ("ledger OK: 0 entries, 0 teams\n", None)


def test_a_breach_exits_with_status_1_from_the_command_line(clean, capsys, monkeypatch):
    # The command closes its connections when done: keep the test's transaction open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    insert_raw(station=clean.station_b, user=clean.users["bureau"], kind=EntryKind.EXPENSE, amount="-1",
               category=clean_category())
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "verify_ledger"]).execute()
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert ("BREACH 驻北京招商站 2026: spent 1.00 without an override, past the ceiling of 0.00 (budget 0.00 + "
            "self-funding and carry-over 0.00)") in captured.out
    assert "ledger BREACHED: 1 breach(es) in 6 entries" in captured.err


def clean_category():
    from funding.models import ExpenseCategory

    return ExpenseCategory.objects.get(code="other")


def test_spending_past_budget_and_self_funding_is_a_breach(clean, categories):
    """Runs on both databases: the row itself is valid, only the services would have refused it."""
    insert_raw(station=clean.station_a, user=clean.users["bureau"], kind=EntryKind.EXPENSE, amount="-520000.01",
               category=categories["reception"])
    out, error = verify_ledger()
    assert error is not None and error.returncode == 1
    assert out == (
        "BREACH 驻上海招商站 2026: spent 520000.01 without an override, past the ceiling of 520000.00 "
        "(budget 500000.00 + self-funding and carry-over 20000.00)\n"
    )
    # A budget increase (as finance, audit and the bureau agree) clears it.
    Budget.objects.filter(station=clean.station_a, year=YEAR).update(amount=Decimal("600000"))
    assert verify_ledger()[1] is None


def alter_table(sql):
    """Run DDL inside the test's transaction (PostgreSQL rolls it back with the test)."""
    with connection.cursor() as cursor:
        # PostgreSQL alters no table with deferred foreign-key checks pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)


def switch_off_reversal_trigger():
    if connection.vendor == "postgresql":
        alter_table("ALTER TABLE funding_ledgerentry DISABLE TRIGGER funding_ledgerentry_reversal_matches")


def test_a_reversal_that_does_not_match_is_a_breach(clean, categories):
    """Runs on both: SQLite has no trigger; on PostgreSQL the trigger is switched off in the test."""
    switch_off_reversal_trigger()
    original = post(clean, kind=EntryKind.ALLOCATION, amount="300")
    insert_raw(station=clean.station_b, user=clean.users["bureau"], kind=EntryKind.REVERSAL, amount="-299.99",
               reverses=original, reason="x", year=YEAR - 1, date=datetime.date(2025, 5, 1))
    out, error = verify_ledger()
    assert error is not None
    breaches = out.splitlines()
    pk = original.pk + 1
    assert f"BREACH entry #{pk}: reverses #{original.pk} of 300.00 with -299.99 instead of -300.00" in breaches
    assert f"BREACH entry #{pk}: reverses #{original.pk} with a different station ({clean.station_b.pk} instead " \
           f"of {clean.station_a.pk})" in breaches
    assert f"BREACH entry #{pk}: reverses #{original.pk} with a different year (2025 instead of 2026)" in breaches


def test_a_reversal_of_a_reversal_is_a_breach(clean):
    """Runs on both (as above)."""
    switch_off_reversal_trigger()
    original = post(clean, amount="300")
    reversal = ledger.entry_reverse(user=clean.users["bureau"], entry=original, reason="x")
    insert_raw(station=clean.station_a, user=clean.users["bureau"], kind=EntryKind.REVERSAL, amount="-300",
               reverses=reversal, reason="x")
    out, _error = verify_ledger()
    assert f"BREACH entry #{reversal.pk + 1}: reverses #{reversal.pk}, which is itself a reversal\n" in out


@on_postgresql
def test_an_entry_reversed_twice_is_a_breach(clean):
    """PostgreSQL only: the unique index is dropped inside the test's transaction."""
    with connection.cursor() as cursor:
        unique = [name for name, info in connection.introspection.get_constraints(cursor, "funding_ledgerentry").items()
                  if info["unique"] and info["columns"] == ["reverses_id"]]
    assert len(unique) == 1
    alter_table(f'ALTER TABLE funding_ledgerentry DROP CONSTRAINT "{unique[0]}"')
    original = post(clean, amount="300")
    ledger.entry_reverse(user=clean.users["bureau"], entry=original, reason="x")
    insert_raw(station=clean.station_a, user=clean.users["bureau"], kind=EntryKind.REVERSAL, amount="-300",
               reverses=original, reason="again")
    out, error = verify_ledger()
    assert error is not None
    assert out == f"BREACH entry #{original.pk}: reversed 2 times\n"


@on_postgresql
@pytest.mark.parametrize(("constraint", "kind", "amount"), [
    ("ledger_money_in_positive", EntryKind.ALLOCATION, "-5.00"),
    ("ledger_money_in_positive", EntryKind.SELF_FUNDING, "-5.00"),
    ("ledger_money_out_negative", EntryKind.EXPENSE, "5.00"),
])
def test_a_wrong_sign_is_a_breach(clean, categories, constraint, kind, amount):
    """PostgreSQL only: the CHECK constraint is dropped inside the test's transaction."""
    alter_table(f'ALTER TABLE funding_ledgerentry DROP CONSTRAINT "{constraint}"')
    entry = insert_raw(station=clean.station_a, user=clean.users["bureau"], kind=kind, amount=amount,
                       unit=clean.unit_a if kind == EntryKind.SELF_FUNDING else None,
                       category=categories["meals"] if kind == EntryKind.EXPENSE else None)
    out, error = verify_ledger()
    assert error is not None
    message = {"ledger_money_in_positive": "Money in must be a positive amount.",
               "ledger_money_out_negative": "An expense or a year-end closing is recorded as a negative amount."}[constraint]
    assert f"BREACH entry #{entry.pk} ({kind}, {amount}): breaks {constraint} — {message}" in out.splitlines()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's numeric(14, 2) rounds on insert")
def test_a_balance_that_differs_from_the_sum_of_its_entries_is_a_breach(clean):
    """SQLite only: it keeps 0.004 as the binary float it was given, so SQL's SUM (0.012 → 0.01)
    no longer equals the sum of the entries read back to the fen (0.00 each)."""
    for _ in range(3):
        insert_raw(station=clean.station_b, user=clean.users["bureau"], kind=EntryKind.DISBURSEMENT, amount="0.004")
    out, error = verify_ledger()
    assert error is not None
    assert out == "BREACH 驻北京招商站 2026: the database sums the entries to 7000.01, their amounts add up to 7000.00\n"
