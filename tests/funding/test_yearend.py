"""Year end through `funding.yearend`: closing a team-year (the balance returned or carried over),
the closed year taking nothing more, and the recovery recorded on a Susong dismissal.

Closing needs the year to be over, so most tests travel to January 2027 and close 2026 (the
presets' rules start in 2026)."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from funding import budgets, claims, ledger, yearend
from funding.models import BudgetIncrease, ClaimStatus, EntryKind, LedgerEntry, Recovery, YearClose, YearEnd
from stations.models import StationKind

from .conftest import DAY, YEAR, fresh, new_team, receipt, use_profile

JANUARY_2027 = datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
in_2027 = time_machine.travel(JANUARY_2027, tick=False)


def file_and_pay(world, station, amount, *, persona="chief_a", approvers=("finance",), category="office"):
    """A claim of `amount` filed by `persona` (a chief signs their own) and taken through the rest
    of the chain by `approvers`."""
    from funding.models import ExpenseCategory

    claim = claims.claim_file(user=world.users[persona], station=station, date=DAY,
                              category=ExpenseCategory.objects.get(code=category), amount=amount, payee="某公司",
                              description="办公用品", invoice_number=f"YE-{amount}-{station.code}",
                              receipts=[receipt()])
    for approver in approvers:
        claim = claims.claim_decide(user=fresh(world.users[approver]), claim=claim, approve=True)
    return claim


def close(world, station=None, year=YEAR, persona="bureau"):
    return yearend.year_close(user=world.users[persona], station=station or world.station_a, year=year)


def test_a_year_is_closed_only_once_it_is_over(world, shanting):
    with pytest.raises(ValidationError) as refused:
        close(world)
    assert refused.value.messages == ["A year is closed once it is over."]
    assert not YearClose.objects.exists()


@in_2027
def test_the_balance_is_returned_by_one_closing_entry_on_31_december(world, shanting):
    file_and_pay(world, world.station_a, "300")
    closed = close(world)
    entry = LedgerEntry.objects.get(kind=EntryKind.CLOSING)
    assert (closed.balance, closed.disposition, closed.closing, closed.carried) == (
        Decimal("499700.00"), YearEnd.RETURN, entry, None)
    assert (entry.year, entry.date, entry.amount, entry.reference) == (
        YEAR, datetime.date(2026, 12, 31), Decimal("-499700.00"), "JZ2026")
    assert ledger.balance(world.station_a, YEAR) == Decimal("0.00")
    assert not LedgerEntry.objects.filter(year=YEAR + 1).exists()
    assert ledger.verify().breaches == ()
    with pytest.raises(ValidationError) as refused:
        close(world, persona="finance")
    assert refused.value.messages == ["2026 is already closed for this team."]


@in_2027
def test_a_closed_year_takes_no_entry_claim_reversal_or_increase(world, shanting, categories):
    expense = file_and_pay(world, world.station_a, "300").entry
    close(world)
    message = ["2026 is closed for this team: nothing more is posted to it."]
    with pytest.raises(ValidationError) as refused:
        ledger.entry_record(user=world.users["bureau"], station=world.station_a, kind=EntryKind.ADJUSTMENT,
                            amount="5", date=DAY, reason="补记")
    assert refused.value.messages == message
    with pytest.raises(ValidationError) as refused:
        ledger.entry_reverse(user=world.users["bureau"], entry=expense, reason="退款")
    assert refused.value.messages == message
    with pytest.raises(ValidationError) as refused:
        file_and_pay(world, world.station_a, "50", approvers=())
    assert refused.value.messages == message
    with pytest.raises(ValidationError) as refused:
        budgets.increase_request(user=world.users["chief_a"], station=world.station_a, year=YEAR, amount="10",
                                 reason="补充")
    assert refused.value.messages == message
    assert LedgerEntry.objects.count() == 3  # allocation, expense, closing
    assert not BudgetIncrease.objects.exists()


@in_2027
def test_a_year_with_open_claims_is_not_closed(world, shanting):
    claim = file_and_pay(world, world.station_a, "300", persona="staff_a", approvers=())
    with pytest.raises(ValidationError) as refused:
        close(world)
    assert refused.value.messages == ["Decide or withdraw the claims of 2026 still open first."]
    claims.claim_withdraw(user=world.users["staff_a"], claim=claim)
    assert close(world).balance == Decimal("500000.00")


@in_2027
def test_a_year_with_a_budget_increase_still_open_is_not_closed(world, shanting):
    budgets.increase_request(user=world.users["chief_a"], station=world.station_a, year=YEAR,
                             amount="10000", reason="追加推介会经费")
    with pytest.raises(ValidationError) as refused:
        close(world)
    assert refused.value.messages == ["Decide the budget increase of 2026 still open first."]
    assert not YearClose.objects.exists() and not LedgerEntry.objects.filter(kind=EntryKind.CLOSING).exists()


@in_2027
def test_a_year_with_a_negative_balance_is_not_closed(world, categories):
    # Xiangzhou: the 5万 is released in batches; spending before a batch leaves the team owed money.
    budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=YEAR)
    file_and_pay(world, world.station_a, "300", approvers=("bureau",))
    with pytest.raises(ValidationError) as refused:
        close(world)
    assert refused.value.messages == [
        "The balance of 2026 is -300.00 yuan: record the money still owed to the team before closing."]
    assert not YearClose.objects.exists()
    assert LedgerEntry.objects.count() == 1


@in_2027
def test_only_the_bureau_and_finance_close_never_their_own_team(world, shanting):
    for persona in ("chief_a", "leader", "bureau_a", "home_unit"):
        with pytest.raises(PermissionDenied):
            close(world, persona=persona)
    assert not YearClose.objects.exists()


@in_2027
def test_a_year_without_money_closes_without_entries(world, shanting):
    closed = close(world, station=world.station_b)
    assert (closed.balance, closed.closing, closed.carried) == (Decimal("0.00"), None, None)
    assert not LedgerEntry.objects.filter(station=world.station_b).exists()


# --- Susong: the balance is carried over --------------------------------------------------------------

@pytest.fixture
def hub(world, categories):
    """Susong active; a hub whose chief took up the post in January 2026, with its 2026 budget, two
    months' lump sums (27000) and a 3000 claim paid (balance 24000)."""
    use_profile("susong")
    station = new_team(world, kind=StationKind.HUB, code="HUB", chief="chief_hub")
    bureau = world.users["bureau"]
    budgets.budget_set(user=bureau, station=station, year=YEAR)
    for month in (1, 2):
        budgets.lump_sum_pay(user=bureau, station=station, month=datetime.date(YEAR, month, 1))
    assert file_and_pay(world, station, "3000", persona="chief_hub", approvers=()).status == ClaimStatus.APPROVED
    return station


@in_2027
def test_a_carried_over_balance_raises_next_years_ceiling(world, hub):
    closed = close(world, station=hub)
    assert (closed.balance, closed.disposition) == (Decimal("24000.00"), YearEnd.CARRY_OVER)
    assert (closed.closing.year, closed.closing.date, closed.closing.amount) == (
        YEAR, datetime.date(2026, 12, 31), Decimal("-24000.00"))
    assert (closed.carried.kind, closed.carried.year, closed.carried.date, closed.carried.amount) == (
        EntryKind.CARRY_OVER, YEAR + 1, datetime.date(2027, 1, 1), Decimal("24000.00"))
    assert ledger.balance(hub, YEAR) == Decimal("0.00")
    assert ledger.balance(hub, YEAR + 1) == Decimal("24000.00")
    budgets.budget_set(user=world.users["bureau"], station=hub, year=YEAR + 1)  # 12 × 7000 after the first year
    assert ledger.spend_and_ceiling(hub.pk, YEAR + 1) == (Decimal("0.00"), Decimal("108000.00"))
    with pytest.raises(ValidationError) as refused:  # year-end entries are never reversed
        ledger.entry_reverse(user=world.users["bureau"], entry=closed.carried, reason="撤回")
    assert refused.value.messages == ["Year-end entries are not reversed."]
    assert ledger.verify().breaches == ()


def test_year_end_entries_are_made_only_by_closing(world, hub):
    for kind in (EntryKind.CARRY_OVER, EntryKind.CLOSING):
        with pytest.raises(ValidationError) as refused:
            ledger.entry_record(user=world.users["bureau"], station=hub, kind=kind, amount="1000", date=DAY)
        assert refused.value.message_dict == {"kind": ["Year-end entries are made by closing the year."]}
    assert ledger.spend_and_ceiling(hub.pk, YEAR) == (Decimal("3000.00"), Decimal("97000.00"))


@time_machine.travel(datetime.datetime(2028, 1, 10, 10, tzinfo=datetime.timezone.utc), tick=False)
def test_a_balance_is_not_carried_into_a_year_already_closed(world, hub):
    close(world, station=hub, year=YEAR + 1)
    with pytest.raises(ValidationError) as refused:
        close(world, station=hub)
    assert refused.value.messages == ["2027 is closed for this team: nothing more is posted to it."]
    assert not YearClose.objects.filter(year=YEAR).exists()
    assert not LedgerEntry.objects.filter(kind__in=(EntryKind.CLOSING, EntryKind.CARRY_OVER)).exists()


# --- Recovery on dismissal (Susong) ------------------------------------------------------------------

def recover(world, station, persona="leader", amount="1000", person=None, basis="县领导小组2026年第3次会议决定解聘"):
    return yearend.recovery_record(user=world.users[persona], station=station,
                                   person=person or world.person("chief_hub"), year=YEAR, amount=amount, basis=basis)


def test_a_recovery_is_recorded_up_to_the_funds_used(world, hub):
    recovery = recover(world, hub)
    assert (recovery.funds_used, recovery.amount, recovery.recorded_by) == (
        Decimal("3000.00"), Decimal("1000.00"), world.users["leader"])
    assert recover(world, hub, persona="bureau", amount="3000").amount == Decimal("3000.00")
    for amount in ("3000.01", "0"):
        with pytest.raises(ValidationError) as refused:
            recover(world, hub, amount=amount)
        assert refused.value.message_dict == {"amount": [
            "Enter an amount above zero and at most the 3000.00 yuan used in 2026."]}
    with pytest.raises(ValidationError) as refused:
        recover(world, hub, person=world.person("chief_a"), basis=" ")
    assert refused.value.message_dict == {"person": ["Choose someone who was posted to this team."],
                                          "basis": ["Give the basis of the determination (the decision and its date)."]}
    assert Recovery.objects.count() == 2
    assert LedgerEntry.objects.filter(station=hub).count() == 3  # a recovery is a record, not an entry


def test_the_recovery_form_sent_twice_records_one_recovery(world, hub, client):
    client.force_login(world.users["leader"])
    url = reverse("funding:recovery_new", args=[hub.pk]) + f"?year={YEAR}"
    form = client.get(url).context["form"]
    token = form.initial["token"]
    data = {"token": token, "person": world.person("chief_hub").pk, "amount": "1000", "basis": "解聘决定"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # pressed twice on a slow connection
    assert list(Recovery.objects.values_list("token", "amount")) == [(token, Decimal("1000.00"))]
    # Another form (a new token) records another recovery.
    assert client.post(url, {**data, "token": uuid.uuid4()}).status_code == 302
    assert Recovery.objects.count() == 2


def test_only_the_dismissing_office_or_the_bureau_records_a_recovery(world, hub):
    for persona in ("chief_hub", "finance"):
        with pytest.raises(PermissionDenied):
            recover(world, hub, persona=persona)
    with pytest.raises(Http404):
        recover(world, hub, persona="chief_a")
    assert not Recovery.objects.exists()


def test_no_recovery_under_a_profile_without_dismissal(world, shanting):
    assert not yearend.dismissal_applies(world.station_a)
    with pytest.raises(PermissionDenied):
        yearend.recovery_record(user=world.users["leader"], station=world.station_a, person=world.person("chief_a"),
                                year=YEAR, amount="1", basis="撤换")
    assert not Recovery.objects.exists()
