"""Posting and reversing through `funding.ledger`: who may, what input is refused and with which
message, the ceiling, reversals, and the balances and execution read back."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding import ledger
from funding.models import Budget, EntryKind, LedgerEntry
from stations.models import Station

from .conftest import DAY, YEAR, locks


def record(world, persona="bureau", **fields):
    values = {"station": world.station_a, "kind": EntryKind.ALLOCATION, "amount": "1000", "date": DAY}
    values.update(fields)
    return ledger.entry_record(user=world.users[persona], **values)


def refusal(world, **fields) -> dict:
    with pytest.raises(ValidationError) as refused:
        record(world, **fields)
    assert LedgerEntry.objects.count() == 0
    return refused.value.message_dict


# --- Recording ------------------------------------------------------------------------------------

def test_money_in_is_stored_positive_with_who_recorded_it(world):
    entry = record(world, kind=EntryKind.ALLOCATION, amount="12500.50", description="第一批拨付", reference="ZF-1")
    entry.refresh_from_db()
    assert (entry.kind, entry.amount, entry.year, entry.date) == (EntryKind.ALLOCATION, Decimal("12500.50"), YEAR, DAY)
    assert entry.recorded_by == world.users["bureau"]
    assert entry.recorded_at is not None
    assert (entry.description, entry.reference) == ("第一批拨付", "ZF-1")


def test_an_expense_is_given_positive_and_stored_negative(world, categories, budget_a):
    entry = record(world, kind=EntryKind.EXPENSE, amount=Decimal("320"), category=categories["lodging"])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("-320.00")


def test_self_funding_names_the_home_unit(world):
    assert refusal(world, kind=EntryKind.SELF_FUNDING) == {"unit": ["Name the home unit that contributed the money."]}
    entry = record(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_a, amount="30000")
    assert (entry.unit, entry.amount) == (world.unit_a, Decimal("30000.00"))


def test_self_funding_names_one_of_the_teams_own_units(world):
    """Xiangzhou: home units self-fund. Unit A forms station A; the bureau's unit is the home unit
    of bureau_a, posted there; unit B forms station B and has nobody posted to A."""
    assert refusal(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_b) == {"unit": [
        "民政局 is not one of 驻上海招商站's units: only a unit that forms or leads the team, or the home unit of "
        "someone posted to it, self-funds it."]}
    posted = world.postings["bureau_a"].home_unit
    assert set(ledger.team_units(world.station_a)) == {world.unit_a, posted}
    assert record(world, kind=EntryKind.SELF_FUNDING, unit=posted).unit == posted
    assert record(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_b, station=world.station_b).unit == world.unit_b


def test_self_funding_only_where_the_rule_says_home_units_self_fund(world, shanting):
    """Shanting's rule has no self-funding: 50万 from the treasury is the ceiling."""
    assert refusal_after(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_a, amount="100000") == {"unit": [
        "Under the funding rule, home units do not self-fund 驻上海招商站 in 2026."]}
    # No rule at all (the presets start in 2026): no self-funding either.
    assert refusal_after(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_a, date=datetime.date(2025, 6, 1)) == {
        "unit": ["Under the funding rule, home units do not self-fund 驻上海招商站 in 2025."]}
    assert ledger.spend_and_ceiling(world.station_a.pk, YEAR)[1] == Decimal("500000.00")


def test_batches_and_lump_sums_are_not_recorded_by_hand(world):
    """They are paid by their buttons (`funding.budgets`), which apply their rules."""
    assert refusal(world, kind=EntryKind.DISBURSEMENT) == {"kind": [
        "Release a batch with the batch button: it checks the month's report and the budget."]}
    assert refusal(world, kind=EntryKind.LUMP_SUM) == {"kind": [
        "Pay a lump sum with the lump-sum button: it pays the rule's amount once a month."]}
    entry = ledger.payout_record(user=world.users["bureau"], station=world.station_a, kind=EntryKind.LUMP_SUM,
                                 amount="7000", date=DAY)
    assert (entry.kind, entry.amount) == (EntryKind.LUMP_SUM, Decimal("7000.00"))
    with pytest.raises(ValidationError) as refused:  # with every check of a recorded entry
        ledger.payout_record(user=world.users["bureau"], station=world.station_a, kind=EntryKind.DISBURSEMENT,
                             amount="-1", date=DAY)
    assert refused.value.message_dict == {"amount": ["The amount must be more than zero."]}
    with pytest.raises(PermissionDenied):
        ledger.payout_record(user=world.users["chief_a"], station=world.station_a, kind=EntryKind.DISBURSEMENT,
                             amount="1", date=DAY)
    with pytest.raises(ValueError):
        ledger.payout_record(user=world.users["bureau"], station=world.station_a, kind=EntryKind.ALLOCATION,
                             amount="1", date=DAY)
    assert LedgerEntry.objects.count() == 1


def test_the_same_form_token_records_one_entry(world):
    token = uuid.uuid4()
    first = record(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_a, amount="300", token=token)
    assert record(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_a, amount="300", token=token) == first
    assert LedgerEntry.objects.get().token == token
    assert record(world, amount="300", token=uuid.uuid4()) != first  # another form, another entry
    assert LedgerEntry.objects.count() == 2


def test_an_adjustment_is_signed_and_needs_a_reason(world):
    assert refusal(world, kind=EntryKind.ADJUSTMENT, amount="-5") == {"reason": ["Give the reason for the adjustment."]}
    assert refusal(world, kind=EntryKind.ADJUSTMENT, amount="0", reason="x") == {
        "amount": ["An adjustment cannot be zero."]}
    entry = record(world, kind=EntryKind.ADJUSTMENT, amount="-5", reason="  银行手续费  ")
    assert (entry.amount, entry.reason) == (Decimal("-5.00"), "银行手续费")


@pytest.mark.parametrize(("amount", "message"), [
    ("-100", "The amount must be more than zero."),
    (Decimal("-0.01"), "The amount must be more than zero."),
    ("0", "The amount must be more than zero."),
    (0, "The amount must be more than zero."),
    ("abc", "Enter the amount as a number, such as 1200.50."),
    ("", "Enter the amount as a number, such as 1200.50."),
    ("1,00", "Enter the amount as a number, such as 1200.50."),
    ("10,00.5", "Enter the amount as a number, such as 1200.50."),
    ("NaN", "Enter the amount as a number, such as 1200.50."),
    ("Infinity", "Enter the amount as a number, such as 1200.50."),
    (Decimal("-Infinity"), "Enter the amount as a number, such as 1200.50."),
    ("12.345", "The amount can have at most two decimal places."),
    ("0.001", "The amount can have at most two decimal places."),
    ("100000000000", "The amount must be less than 100,000,000,000 yuan."),
    ("1e20", "The amount must be less than 100,000,000,000 yuan."),
])
def test_bad_amounts_are_refused_with_a_message(world, amount, message):
    assert refusal(world, amount=amount) == {"amount": [message]}


def test_amounts_that_are_fine_are_kept_to_the_fen(world):
    assert record(world, amount=" 1200.5 ").amount == Decimal("1200.50")
    assert record(world, amount="1.000").amount == Decimal("1.00")
    assert record(world, amount=99999999999).amount == Decimal("99999999999.00")
    # As people type them: thousands grouped by commas, a Chinese keyboard's full-width digits.
    assert record(world, amount="1,800").amount == Decimal("1800.00")
    assert record(world, amount="12,345.50").amount == Decimal("12345.50")
    assert record(world, amount="１８００．５").amount == Decimal("1800.50")
    assert record(world, amount="１，２００").amount == Decimal("1200.00")


def test_only_full_width_digits_are_read_as_digits(world):
    # A superscript or a circled number is not a digit of an amount (NFKC would read 10² as 102).
    for amount in ("10²", "①"):
        assert refusal(world, amount=amount) == {"amount": ["Enter the amount as a number, such as 1200.50."]}


def test_a_float_is_a_programming_error(world):
    with pytest.raises(TypeError):
        record(world, amount=0.1)
    assert LedgerEntry.objects.count() == 0


def test_the_date_must_fall_within_the_year_and_not_in_the_future(world):
    assert refusal(world, year=2025) == {"date": ["The date must fall within 2025."]}
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert refusal(world, date=tomorrow) == {"date": ["The date cannot be in the future."]}


def test_an_expense_needs_an_active_category_and_money_in_takes_none(world, categories, budget_a):
    assert refusal(world, kind=EntryKind.EXPENSE) == {"category": ["Choose the expense category."]}
    assert refusal(world, category=categories["meals"]) == {
        "category": ["Only expenses and adjustments take a category."]}
    assert refusal(world, unit=world.unit_a) == {"unit": ["Only self-funding names a contributing unit."]}
    categories["insurance"].is_active = False
    categories["insurance"].save()
    assert refusal(world, kind=EntryKind.EXPENSE, category=categories["insurance"]) == {
        "category": ["This category is no longer in use."]}


def test_every_problem_is_reported_at_once(world):
    assert refusal(world, kind=EntryKind.EXPENSE, amount="-3", year=2025) == {
        "date": ["The date must fall within 2025."],
        "amount": ["The amount must be more than zero."],
        "category": ["Choose the expense category."],
    }


def test_reversals_are_not_recorded_directly_and_unknown_kinds_are_refused(world):
    assert refusal(world, kind=EntryKind.REVERSAL) == {"kind": ["A reversal is made by reversing an entry."]}
    assert refusal(world, kind="gift") == {"kind": ["Choose a kind of entry."]}


@pytest.mark.parametrize("persona", ["chief_a", "staff_a", "chief_b", "assessor", "park", "leader", "home_unit"])
def test_only_the_bureau_and_finance_record(world, persona):
    with pytest.raises(PermissionDenied):
        record(world, persona=persona)
    assert LedgerEntry.objects.count() == 0


def test_bureau_finance_and_administrators_record(world, django_user_model):
    record(world, persona="bureau")
    record(world, persona="finance")
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    ledger.entry_record(user=root, station=world.station_a, kind=EntryKind.ALLOCATION, amount="1", date=DAY)
    assert LedgerEntry.objects.count() == 3
    assert ledger.may_record(world.users["finance"], world.station_a.pk)
    assert not ledger.may_record(world.users["chief_a"], world.station_a.pk)


def test_nobody_records_for_a_team_they_are_posted_to(world):
    with pytest.raises(PermissionDenied) as refused:
        record(world, persona="bureau_a", station=world.station_a)
    assert str(refused.value) == "Nobody records ledger entries for a team they are posted to."
    assert record(world, persona="bureau_a", station=world.station_b).station == world.station_b


# --- The ceiling ----------------------------------------------------------------------------------

def test_spending_stops_at_the_budget_plus_self_funding(world, categories):
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("1000"))
    record(world, kind=EntryKind.EXPENSE, amount="800", category=categories["meals"])
    refused = refusal_after(world, kind=EntryKind.EXPENSE, amount="200.01", category=categories["meals"])
    assert refused == {"amount": ["This would take 驻上海招商站's spending in 2026 to 1000.01 yuan, past the "
                                  "1000.00 yuan that its budget, self-funding and carry-over allow."]}
    record(world, kind=EntryKind.EXPENSE, amount="200", category=categories["meals"])  # exactly the budget
    record(world, kind=EntryKind.SELF_FUNDING, amount="500", unit=world.unit_a)
    record(world, kind=EntryKind.EXPENSE, amount="500", category=categories["lodging"])
    assert ledger.execution(world.station_a, YEAR).spent == Decimal("1500.00")
    # Money paid out of the budget does not raise the ceiling; a team with no budget spends nothing.
    record(world, kind=EntryKind.ALLOCATION, amount="1000")
    assert "amount" in refusal_after(world, kind=EntryKind.EXPENSE, amount="1", category=categories["meals"])
    assert "amount" in refusal_after(world, station=world.station_b, kind=EntryKind.EXPENSE, amount="1",
                                     category=categories["meals"])


def refusal_after(world, **fields) -> dict:
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        record(world, **fields)
    assert LedgerEntry.objects.count() == before
    return refused.value.message_dict


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_every_posting_holds_the_team_before_it_checks_the_year_and_a_reversal_then_its_entry(
        world, categories, budget_a):
    """The order of every path that posts (year end included): the team's row, then the entry;
    so a year cannot close between the open-year check and the write."""
    for fields in ({"kind": EntryKind.EXPENSE, "amount": "10", "category": categories["meals"]},
                   {"kind": EntryKind.ALLOCATION}, {"kind": EntryKind.SELF_FUNDING, "unit": world.unit_a}):
        with CaptureQueriesContext(connection) as queries:
            entry = record(world, **fields)
        assert locks(queries) == ["team", "year"], fields
    with CaptureQueriesContext(connection) as queries:
        ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="录错")
    assert locks(queries) == ["team", "entry", "year"]


# --- Reversals ------------------------------------------------------------------------------------

def test_a_reversal_is_the_exact_negative_in_the_same_team_year_category(world, categories, budget_a):
    expense = record(world, kind=EntryKind.EXPENSE, amount="320", category=categories["lodging"], reference="BX-7",
                     description="住宿")
    reversal = ledger.entry_reverse(user=world.users["finance"], entry=expense, reason="  重复报销 ")
    reversal.refresh_from_db()
    assert (reversal.kind, reversal.amount, reversal.reverses, reversal.reason) == (
        EntryKind.REVERSAL, Decimal("320.00"), expense, "重复报销")
    assert (reversal.station, reversal.year, reversal.category) == (world.station_a, YEAR, categories["lodging"])
    assert (reversal.reference, reversal.recorded_by) == ("BX-7", world.users["finance"])
    assert LedgerEntry.objects.get(pk=expense.pk).is_reversed
    assert ledger.execution(world.station_a, YEAR).spent == Decimal("0.00")


def test_a_self_funding_reversal_keeps_the_unit(world):
    entry = record(world, kind=EntryKind.SELF_FUNDING, unit=world.unit_a, amount="300")
    reversal = ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="未到账")
    assert (reversal.unit, reversal.amount) == (world.unit_a, Decimal("-300.00"))
    assert ledger.execution(world.station_a, YEAR).self_funded == Decimal("0.00")


@time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.timezone.utc))
def test_a_late_reversal_is_dated_today_in_the_year_it_corrects(world):
    entry = record(world, date=datetime.date(2026, 12, 20))
    reversal = ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="年末错记")
    assert (reversal.date, reversal.year) == (datetime.date(2027, 1, 15), 2026)
    assert ledger.balance(world.station_a, 2026) == Decimal("0.00")


def test_an_entry_is_reversed_once_and_a_reversal_never(world):
    entry = record(world)
    reversal = ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="录错")
    with pytest.raises(ValidationError) as refused:
        ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="再来")
    assert refused.value.messages == ["This entry has already been reversed."]
    with pytest.raises(ValidationError) as refused:
        ledger.entry_reverse(user=world.users["bureau"], entry=reversal, reason="撤销冲销")
    assert refused.value.messages == ["A reversal cannot itself be reversed; record an adjustment instead."]
    assert LedgerEntry.objects.count() == 2


def test_a_reversal_needs_a_reason_and_a_recorder(world):
    entry = record(world)
    with pytest.raises(ValidationError) as refused:
        ledger.entry_reverse(user=world.users["bureau"], entry=entry, reason="   ")
    assert refused.value.message_dict == {"reason": ["Give the reason for the reversal."]}
    with pytest.raises(PermissionDenied):
        ledger.entry_reverse(user=world.users["chief_a"], entry=entry, reason="x")
    with pytest.raises(PermissionDenied):
        ledger.entry_reverse(user=world.users["bureau_a"], entry=entry, reason="x")
    assert LedgerEntry.objects.count() == 1


# --- Reading --------------------------------------------------------------------------------------

def build_year(world, categories):
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("50000"))
    record(world, kind=EntryKind.ALLOCATION, amount="20000")
    record(world, kind=EntryKind.SELF_FUNDING, amount="10000.10", unit=world.unit_a)
    lodging = record(world, kind=EntryKind.EXPENSE, amount="3000.33", category=categories["lodging"],
                     date=datetime.date(2026, 3, 5))
    record(world, kind=EntryKind.EXPENSE, amount="1200", category=categories["meals"],
           date=datetime.date(2026, 3, 6))
    record(world, kind=EntryKind.EXPENSE, amount="99.99", category=categories["meals"],
           date=datetime.date(2026, 3, 7))
    ledger.entry_reverse(user=world.users["bureau"], entry=lodging, reason="退房")
    record(world, kind=EntryKind.ADJUSTMENT, amount="-0.05", reason="手续费", date=datetime.date(2026, 3, 8))
    record(world, station=world.station_b, amount="777")
    record(world, date=datetime.date(2025, 12, 30), amount="5")  # another year


def test_the_balance_is_the_sum_of_the_entries(world, categories, django_assert_num_queries):
    build_year(world, categories)
    amounts = LedgerEntry.objects.filter(station=world.station_a, year=YEAR).values_list("amount", flat=True)
    assert sum(amounts) == Decimal("20000") + Decimal("10000.10") - Decimal("1299.99") - Decimal("0.05")
    with django_assert_num_queries(1):
        assert ledger.balance(world.station_a, YEAR) == sum(amounts)
    assert ledger.balance(world.station_a, 2025) == Decimal("5.00")
    assert ledger.balance(world.station_b, 2024) == Decimal("0.00")


def test_balances_of_many_teams_take_one_query(world, categories, django_assert_num_queries):
    build_year(world, categories)
    with django_assert_num_queries(1):
        by_team = ledger.balances(Station.objects.all(), YEAR)
    assert dict(by_team) == {world.station_a.pk: Decimal("28700.06"), world.station_b.pk: Decimal("777.00")}
    with django_assert_num_queries(1):
        by_team = ledger.balances([world.station_b], YEAR)
    assert dict(by_team) == {world.station_b.pk: Decimal("777.00")}
    assert by_team[world.station_a.pk] == Decimal("0.00")  # not asked for: zero, not a KeyError


def test_execution_by_category_against_the_budget(world, categories, django_assert_num_queries):
    build_year(world, categories)
    with django_assert_num_queries(3):  # categories with their spending, the year's totals, the budget
        result = ledger.execution(world.station_a, YEAR)
    assert (result.budget, result.spent, result.self_funded) == (
        Decimal("50000.00"), Decimal("1299.99"), Decimal("10000.10"))
    assert result.money_in == Decimal("30000.05")  # 20000 + 10000.10 − 0.05 (uncategorised adjustment)
    assert result.balance == result.money_in - result.spent == ledger.balance(world.station_a, YEAR)
    assert (result.ceiling, result.remaining, result.share) == (
        Decimal("60000.10"), Decimal("58700.11"), Decimal("2.6"))
    lines = {line.category.code: line for line in result.lines}
    assert len(result.lines) == 9
    assert (lines["meals"].spent, lines["meals"].share) == (Decimal("1299.99"), Decimal("2.6"))
    assert lines["lodging"].spent == Decimal("0.00")  # spent and reversed
    assert [line.category.code for line in result.lines][:2] == ["office", "lodging"]


def test_execution_without_a_budget_and_with_a_retired_category(world, categories):
    Budget.objects.create(station=world.station_b, year=YEAR, amount=Decimal("100"))
    ledger.entry_record(user=world.users["bureau"], station=world.station_b, kind=EntryKind.EXPENSE,
                        amount="40", category=categories["other"], date=DAY)
    categories["other"].is_active = False
    categories["other"].save()
    categories["insurance"].is_active = False
    categories["insurance"].save()
    codes = [line.category.code for line in ledger.execution(world.station_b, YEAR).lines]
    assert "other" in codes and "insurance" not in codes  # spent in: still shown; unused: hidden
    empty = ledger.execution(world.station_a, YEAR)
    assert (empty.budget, empty.share, empty.spent, empty.balance) == (None, None, Decimal("0.00"), Decimal("0.00"))


def test_the_share_of_the_budget_is_rounded_half_up(world, categories):
    # 1225 of 10000 is 12.25 %: shown to one decimal as 12.3 (四舍五入), not 12.2 (half to even).
    Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("10000"))
    record(world, kind=EntryKind.EXPENSE, amount="1225", category=categories["meals"])
    result = ledger.execution(world.station_a, YEAR)
    lines = {line.category.code: line for line in result.lines}
    assert result.share == lines["meals"].share == Decimal("12.3")


def test_running_balance_follows_the_ledger_order(world, categories):
    build_year(world, categories)
    rows = ledger.running_balance(LedgerEntry.objects.of(world.station_a, YEAR))
    assert [balance for _entry, balance in rows] == [
        Decimal("20000.00"), Decimal("30000.10"), Decimal("26999.77"), Decimal("25799.77"), Decimal("25699.78"),
        Decimal("25699.73"), Decimal("28700.06"),
    ]
    assert rows[-1][0].kind == EntryKind.REVERSAL  # dated today, so last
    assert rows[-1][1] == ledger.balance(world.station_a, YEAR)
    assert ledger.running_balance([], opening=Decimal("5")) == []
