"""The ledger's rows: the database refuses a bad row of every kind, and nothing stored is changed
or deleted — not through the model, not through a queryset, and on PostgreSQL not in raw SQL."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from funding.models import AppendOnlyError, Budget, EntryKind, ExpenseCategory, LedgerEntry

from .conftest import DAY, YEAR, insert_raw, on_postgresql


def make(world, **fields):
    values = {"station": world.station_a, "year": YEAR, "date": DAY, "recorded_by": world.users["bureau"]}
    values.update(fields)
    return LedgerEntry.objects.create(**values)


def test_seeded_categories_are_the_nine_of_the_shanting_rules(categories):
    assert list(ExpenseCategory.objects.values_list("code", flat=True)) == [
        "office", "lodging", "intercity_transport", "local_transport", "meals", "insurance", "conference",
        "reception", "other",
    ]
    assert categories["reception"].name == "客商接待费"
    assert all(category.is_active for category in categories.values())


def test_a_good_row_of_every_kind_is_stored(world, categories):
    allocation = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("50000"))
    make(world, kind=EntryKind.DISBURSEMENT, amount=Decimal("10000.50"))
    make(world, kind=EntryKind.SELF_FUNDING, amount=Decimal("20000"), unit=world.unit_a)
    make(world, kind=EntryKind.LUMP_SUM, amount=Decimal("7000"))
    make(world, kind=EntryKind.EXPENSE, amount=Decimal("-300.25"), category=categories["meals"])
    make(world, kind=EntryKind.ADJUSTMENT, amount=Decimal("-0.01"), reason="银行手续费")
    make(world, kind=EntryKind.ADJUSTMENT, amount=Decimal("12"), category=categories["other"], reason="退款")
    make(world, kind=EntryKind.REVERSAL, amount=Decimal("-50000"), reverses=allocation, reason="重复录入")
    assert LedgerEntry.objects.count() == 8


BAD_ROWS = [
    ("ledger_money_in_positive", {"kind": EntryKind.ALLOCATION, "amount": Decimal("-1")}),
    ("ledger_money_in_positive", {"kind": EntryKind.DISBURSEMENT, "amount": Decimal("-0.01")}),
    ("ledger_money_in_positive", {"kind": EntryKind.SELF_FUNDING, "amount": Decimal("-5"), "unit": "unit_a"}),
    ("ledger_money_in_positive", {"kind": EntryKind.LUMP_SUM, "amount": Decimal("-7000")}),
    ("ledger_amount_not_zero", {"kind": EntryKind.ALLOCATION, "amount": Decimal("0")}),
    ("ledger_amount_not_zero", {"kind": EntryKind.ADJUSTMENT, "amount": Decimal("0"), "reason": "x"}),
    ("ledger_amount_in_range", {"kind": EntryKind.ALLOCATION, "amount": Decimal("100000000000")}),
    ("ledger_money_out_negative", {"kind": EntryKind.EXPENSE, "amount": Decimal("300"), "category": "meals"}),
    ("ledger_expense_has_category", {"kind": EntryKind.EXPENSE, "amount": Decimal("-300")}),
    ("ledger_category_only_on_spending", {"kind": EntryKind.ALLOCATION, "amount": Decimal("5"), "category": "meals"}),
    ("ledger_self_funding_has_unit", {"kind": EntryKind.SELF_FUNDING, "amount": Decimal("5")}),
    ("ledger_unit_only_on_self_funding", {"kind": EntryKind.ALLOCATION, "amount": Decimal("5"), "unit": "unit_a"}),
    ("ledger_correction_has_reason", {"kind": EntryKind.ADJUSTMENT, "amount": Decimal("5")}),
    ("ledger_only_reversal_reverses", {"kind": EntryKind.REVERSAL, "amount": Decimal("-5"), "reason": "x"}),
    ("ledger_only_reversal_reverses", {"kind": EntryKind.ALLOCATION, "amount": Decimal("5"), "reverses": "first"}),
    ("ledger_correction_has_reason", {"kind": EntryKind.REVERSAL, "amount": Decimal("-100"), "reverses": "first"}),
    ("ledger_year_range", {"kind": EntryKind.ALLOCATION, "amount": Decimal("5"), "year": 1999,
                           "date": datetime.date(1999, 5, 1)}),
    ("ledger_date_in_year", {"kind": EntryKind.ALLOCATION, "amount": Decimal("5"), "year": 2025}),
]


@pytest.mark.parametrize(("constraint", "fields"), BAD_ROWS, ids=[f"{name}-{row['kind']}" for name, row in BAD_ROWS])
def test_the_database_refuses_a_bad_row(world, categories, constraint, fields):
    first = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    fields = dict(fields)
    if fields.get("unit") == "unit_a":
        fields["unit"] = world.unit_a
    if "category" in fields:
        fields["category"] = categories[fields["category"]]
    if fields.get("reverses") == "first":
        fields["reverses"] = first
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        make(world, **fields)
    assert constraint in str(refused.value)
    assert LedgerEntry.objects.count() == 1


def test_an_entry_cannot_reverse_itself(world):
    entry = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        insert_raw(station=world.station_a, user=world.users["bureau"], kind=EntryKind.REVERSAL, amount="-100",
                   reverses=LedgerEntry(pk=entry.pk + 1), reason="x")
    # SQLite checks the row before the deferred foreign key; PostgreSQL's trigger finds no entry to reverse.
    assert "ledger_not_own_reversal" in str(refused.value) or "exact negative" in str(refused.value)


def test_an_entry_is_reversed_at_most_once(world):
    entry = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    make(world, kind=EntryKind.REVERSAL, amount=Decimal("-100"), reverses=entry, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        make(world, kind=EntryKind.REVERSAL, amount=Decimal("-100"), reverses=entry, reason="again")


def test_a_stored_entry_is_never_saved_again(world):
    entry = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    entry.amount = Decimal("1000")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["amount"])
    # Not even a fresh instance that carries the stored entry's key.
    with pytest.raises(AppendOnlyError):
        LedgerEntry(pk=entry.pk, station=world.station_a, year=YEAR, date=DAY, kind=EntryKind.ALLOCATION,
                    amount=Decimal("1"), recorded_by=world.users["bureau"]).save()
    assert LedgerEntry.objects.get().amount == Decimal("100.00")


def test_no_delete_or_update_gets_through_the_orm(world):
    entry = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().update(amount=Decimal("1"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.update(amount=Decimal("1"))
    entry.description = "改"
    # These two run in their own atomic blocks, which a refusal marks for rollback.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        LedgerEntry.objects.bulk_update([entry], ["description"])
    with pytest.raises(AppendOnlyError), transaction.atomic():
        LedgerEntry.objects.update_or_create(pk=entry.pk, defaults={"amount": Decimal("2")})
    stored = LedgerEntry.objects.get()
    assert (stored.amount, stored.description) == (Decimal("100.00"), "")


def test_entries_protect_what_they_name(world, categories):
    from django.db.models import ProtectedError

    make(world, kind=EntryKind.EXPENSE, amount=Decimal("-10"), category=categories["meals"])
    with pytest.raises(ProtectedError):
        categories["meals"].delete()
    with pytest.raises(ProtectedError):
        world.station_a.delete()


def test_a_budget_is_never_negative_and_once_a_year(world):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("-1"))
    assert "budget_amount_not_negative" in str(refused.value)
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("500000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("1"))


# --- PostgreSQL: the database itself refuses ------------------------------------------------------

@on_postgresql
@pytest.mark.parametrize("statement", [
    "UPDATE funding_ledgerentry SET amount = 1000 WHERE id = %s",
    "UPDATE funding_ledgerentry SET description = 'changed' WHERE id = %s",
    "DELETE FROM funding_ledgerentry WHERE id = %s",
])
def test_raw_sql_update_and_delete_are_refused_on_postgresql(world, statement):
    entry = make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    assert "append-only" in str(refused.value)
    stored = LedgerEntry.objects.get()
    assert (stored.amount, stored.description) == (Decimal("100.00"), "")


@on_postgresql
def test_truncating_a_ledger_with_entries_is_refused_on_postgresql(world):
    make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    with connection.cursor() as cursor:
        # Check the deferred foreign keys now: PostgreSQL truncates no table with pending checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("RESET outpost.ledger_truncate")  # whatever an earlier browser test's flush set
        cursor.execute("TRUNCATE funding_ledgerentry CASCADE")  # claims and closings point at entries
    assert "TRUNCATE refused" in str(refused.value)
    assert LedgerEntry.objects.count() == 1


@on_postgresql
def test_only_a_session_that_opts_in_may_truncate_a_ledger_with_entries(world):
    """The test suite's escape hatch for flushing after a browser test (tests/browser/conftest.py)."""
    make(world, kind=EntryKind.ALLOCATION, amount=Decimal("100"))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL outpost.ledger_truncate = 'allow'")
        cursor.execute("TRUNCATE funding_ledgerentry CASCADE")
    assert LedgerEntry.objects.count() == 0


@on_postgresql
def test_an_empty_ledger_may_be_truncated_so_that_test_databases_can_be_flushed(db):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE funding_ledgerentry CASCADE")
    assert LedgerEntry.objects.count() == 0


@on_postgresql
@pytest.mark.parametrize("change", ["amount", "station", "year", "category", "of_a_reversal"])
def test_raw_sql_cannot_insert_a_reversal_that_does_not_match_on_postgresql(world, categories, change):
    bureau = world.users["bureau"]
    original = make(world, kind=EntryKind.EXPENSE, amount=Decimal("-300"), category=categories["meals"])
    fields = {"station": world.station_a, "user": bureau, "kind": EntryKind.REVERSAL, "amount": "300",
              "category": categories["meals"], "reverses": original, "reason": "x"}
    if change == "amount":
        fields["amount"] = "299.99"
    elif change == "station":
        fields["station"] = world.station_b
    elif change == "year":
        fields["year"] = YEAR - 1
    elif change == "category":
        fields["category"] = categories["lodging"]
    else:
        reversal = make(world, kind=EntryKind.REVERSAL, amount=Decimal("300"), category=categories["meals"],
                        reverses=original, reason="x")
        fields.update(amount="-300", reverses=reversal)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        insert_raw(**fields)
    assert "exact negative" in str(refused.value)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_test_runner_can_still_flush_the_database():
    """Transactional (browser) tests end with a flush that truncates every table: the trigger lets
    an empty ledger through, or every such test would fail on PostgreSQL (the error would come in
    this test's teardown)."""
    assert LedgerEntry.objects.count() == 0
