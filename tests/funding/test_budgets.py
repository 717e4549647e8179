"""Money in through `funding.budgets`: budgets set from each preset's funding rule, Xiangzhou's
batches, Susong's lump sums, and budget increases along the profile's chain."""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from funding import budgets, yearend
from funding.models import Budget, BudgetIncrease, EntryKind, LedgerEntry
from stations.models import ApprovalActor, RequestStatus, StationKind
from stations.models.reports import Report, ReportKind, ReportStatus

from .conftest import DAY, YEAR, locks, new_team, use_profile

MARCH = datetime.date(2026, 3, 1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def entries(station):
    return list(LedgerEntry.objects.filter(station=station).values_list("kind", "amount", "reference"))


# --- Budgets from the funding rule ---------------------------------------------------------------

def test_an_annual_budget_is_allocated_at_once_by_one_entry(world, shanting):
    assert (shanting.amount, shanting.note) == (Decimal("500000.00"), "every team: Annual budget with claims")
    entry = LedgerEntry.objects.get(station=world.station_a)
    assert (entry.kind, entry.amount, entry.year, entry.reference) == (
        EntryKind.ALLOCATION, Decimal("500000.00"), YEAR, f"YS{YEAR}")
    assert entry.recorded_by == world.users["finance"]
    with pytest.raises(ValidationError) as refused:
        budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=YEAR)
    assert refused.value.messages == [f"驻上海招商站 already has a budget for {YEAR}."]
    assert LedgerEntry.objects.count() == 1


def test_only_the_bureau_and_finance_set_budgets_never_for_their_own_team(world):
    for persona in ("chief_a", "leader", "home_unit", "bureau_a"):
        with pytest.raises(PermissionDenied):
            budgets.budget_set(user=world.users[persona], station=world.station_a, year=YEAR)
    assert not Budget.objects.exists()


def test_a_year_without_a_rule_gets_no_budget(world):
    # The presets' versions start in 2026: 2025 has no rule.
    with pytest.raises(ValidationError) as refused:
        budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=2025)
    assert refused.value.messages == ["The profile has no funding rule for 驻上海招商站 in 2025."]


def test_budgets_for_every_team_skip_the_keepers_own(world):
    created = budgets.budgets_set_all(user=world.users["bureau_a"], year=YEAR)
    assert [budget.station for budget in created] == [world.station_b]  # bureau_a is posted to A
    assert budgets.budgets_set_all(user=world.users["bureau"], year=YEAR)[0].station == world.station_a
    assert budgets.budgets_set_all(user=world.users["bureau"], year=YEAR) == []


@time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=SHANGHAI), tick=False)
def test_budgets_for_every_team_skip_a_team_whose_year_is_closed(world):
    # Station A's 2026 had no money and was closed ("a year without money closes without entries").
    yearend.year_close(user=world.users["bureau"], station=world.station_a, year=YEAR)
    created = budgets.budgets_set_all(user=world.users["finance"], year=YEAR)
    assert [budget.station for budget in created] == [world.station_b]
    assert not Budget.objects.filter(station=world.station_a).exists()


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=SHANGHAI), tick=False)
def test_a_budget_is_set_once_its_year_has_begun(world):
    """Next year's budget set in November would be allocated by an entry dated in the future."""
    use_profile("shanting")
    for set_budget in (lambda: budgets.budget_set(user=world.users["finance"], station=world.station_a, year=2027),
                       lambda: budgets.budgets_set_all(user=world.users["finance"], year=2027)):
        with pytest.raises(ValidationError) as refused:
            set_budget()
        assert refused.value.messages == ["A budget is set once its year has begun."]
    assert not Budget.objects.exists() and not LedgerEntry.objects.exists()
    budgets.budget_set(user=world.users["finance"], station=world.station_a, year=YEAR)
    assert LedgerEntry.objects.get(station=world.station_a).date == datetime.date(2026, 11, 20)  # dated today


# --- Xiangzhou: batches ----------------------------------------------------------------------------

def accepted_report(world, month, status=ReportStatus.ACCEPTED):
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return Report.objects.create(station=world.station_a, kind=ReportKind.MONTHLY, period_start=month,
                                 period_end=end, due_date=end, status=status, created_by=world.users["chief_a"])


def disburse(world, amount, month=MARCH, **fields):
    return budgets.disburse(user=world.users["bureau"], station=world.station_a, amount=amount,
                            date=fields.pop("date", DAY), month=month, **fields)


def test_xiangzhou_sets_the_budget_without_money_and_releases_it_in_batches(world):
    budget = budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=YEAR)
    assert budget.amount == Decimal("50000.00")
    assert not LedgerEntry.objects.exists()  # the treasury's money stays in the bureau's account

    with pytest.raises(ValidationError) as refused:
        disburse(world, "20000", month=None)
    assert refused.value.message_dict == {"month": ["Name the month whose accepted report this batch rewards."]}
    accepted_report(world, MARCH, status=ReportStatus.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        disburse(world, "20000")
    assert refused.value.message_dict == {"month": ["The monthly report for 2026-03 has not been accepted."]}
    assert not LedgerEntry.objects.exists()

    Report.objects.filter(station=world.station_a).update(status=ReportStatus.ACCEPTED)
    entry = disburse(world, "20000", note="三月绩效拨付")
    assert (entry.kind, entry.amount, entry.reference, entry.description) == (
        EntryKind.DISBURSEMENT, Decimal("20000.00"), "PF202603", "三月绩效拨付")
    with pytest.raises(ValidationError) as refused:
        disburse(world, "1000")
    assert refused.value.message_dict == {"month": ["A batch for 2026-03 has already been released."]}
    assert len(entries(world.station_a)) == 1


def test_a_batch_form_sent_twice_releases_one_batch(world):
    import uuid

    from funding.models import FundingRule

    # Without a month to tell batches apart (the rule asks for no accepted report), only the form's
    # token keeps a double click from releasing twice.
    FundingRule.objects.update(release_needs_report=False)
    budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=YEAR)
    token = uuid.uuid4()
    first = disburse(world, "20000", month=None, token=token)
    again = disburse(world, "20000", month=None, token=token)
    assert again == first and len(entries(world.station_a)) == 1
    disburse(world, "20000", month=None, token=uuid.uuid4())  # another form: another batch
    assert len(entries(world.station_a)) == 2


def test_batches_never_release_more_than_the_budget(world):
    budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=YEAR)
    for month in (MARCH, datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)):
        accepted_report(world, month)
    disburse(world, "30000")
    with pytest.raises(ValidationError) as refused:
        disburse(world, "20000.01", month=datetime.date(2026, 4, 1))
    assert refused.value.message_dict == {"amount": ["Only 20000.00 yuan of the 2026 budget is left to release."]}
    disburse(world, "20000", month=datetime.date(2026, 4, 1))  # exactly the rest
    with pytest.raises(ValidationError):
        disburse(world, "0.01", month=datetime.date(2026, 5, 1))
    assert [amount for _kind, amount, _ref in entries(world.station_a)] == [Decimal("30000.00"), Decimal("20000.00")]


def test_a_batch_is_a_positive_amount_for_a_team_funded_in_batches(world):
    budgets.budget_set(user=world.users["bureau"], station=world.station_a, year=YEAR)
    accepted_report(world, MARCH)
    for amount, message in [("0", "The amount must be more than zero."),
                            ("abc", "Enter the amount as a number, such as 1200.50.")]:
        with pytest.raises(ValidationError) as refused:
            disburse(world, amount)
        assert refused.value.message_dict == {"amount": [message]}
    with pytest.raises(PermissionDenied):
        budgets.disburse(user=world.users["chief_a"], station=world.station_a, amount="10", date=DAY, month=MARCH)
    use_profile("shanting")
    with pytest.raises(ValidationError) as refused:
        disburse(world, "10")
    assert refused.value.messages == ["驻上海招商站 is not funded in batches."]
    assert not LedgerEntry.objects.exists()


# --- Susong: lump sums ---------------------------------------------------------------------------

@pytest.fixture
def susong(world):
    """Susong active; a hub and a branch whose chiefs took up their posts in January 2026."""
    use_profile("susong")
    world.hub = new_team(world, kind=StationKind.HUB, code="HUB", chief="chief_hub")
    world.branch = new_team(world, kind=StationKind.BRANCH, code="BR", chief="chief_branch")
    return world


def test_the_lump_sum_is_the_start_up_amount_first_then_monthly(susong):
    january, february = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
    assert (budgets.lump_sum_due(susong.hub, january), budgets.lump_sum_due(susong.hub, february)) == (
        Decimal("20000.00"), Decimal("7000.00"))
    assert budgets.lump_sum_due(susong.branch, february) == Decimal("5000.00")
    assert budgets.lump_sum_due(susong.station_a, february) is None  # a resident station has no lump sum rule
    # The year's budget matches what the months pay: 20000 + 11 × 7000 in the first year.
    assert budgets.budget_set(user=susong.users["bureau"], station=susong.hub, year=YEAR).amount == \
        Decimal("97000.00")
    assert budgets.budget_set(user=susong.users["bureau"], station=susong.branch, year=YEAR).amount == \
        Decimal("75000.00")
    assert not LedgerEntry.objects.exists()


@pytest.fixture
def july_hub(world):
    """Susong active; a hub whose chief took up the post on 1 July 2026."""
    use_profile("susong")
    return new_team(world, kind=StationKind.HUB, code="HUB", chief="chief_hub", start=datetime.date(2026, 7, 1))


def test_the_first_year_budget_of_a_team_opened_mid_year_counts_its_months_only(world, july_hub):
    # July: the 20000 start-up amount, then August to December: 5 × 7000 (seed 000: 工作开展的第一个月).
    budget = budgets.budget_set(user=world.users["bureau"], station=july_hub, year=YEAR)
    assert budget.amount == Decimal("55000.00")
    assert budget.amount == sum(budgets.lump_sum_due(july_hub, datetime.date(YEAR, month, 1))
                                for month in range(7, 13))


def test_no_lump_sum_is_paid_for_a_month_before_the_teams_first_posting(world, july_hub):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationError) as refused:
        budgets.lump_sum_pay(user=bureau, station=july_hub, month=datetime.date(2026, 6, 30))
    assert refused.value.message_dict == {"month": ["测试HUB started in 2026-07: no lump sum is paid for 2026-06."]}
    assert not LedgerEntry.objects.filter(station=july_hub).exists()
    entry = budgets.lump_sum_pay(user=bureau, station=july_hub, month=datetime.date(2026, 7, 1))
    assert (entry.amount, entry.reference) == (Decimal("20000.00"), "BG202607")


def test_a_team_opened_before_its_first_budget_year_gets_twelve_monthly_amounts(world):
    # The start-up month was in 2025 (before the system's first budget): 2026 pays 12 × 7000.
    use_profile("susong")
    hub = new_team(world, kind=StationKind.HUB, code="HUB", chief="chief_hub", start=datetime.date(2025, 6, 1))
    assert budgets.lump_sum_due(hub, datetime.date(2026, 1, 1)) == Decimal("7000.00")
    assert budgets.budget_set(user=world.users["bureau"], station=hub, year=YEAR).amount == Decimal("84000.00")


def test_a_lump_sum_is_paid_once_a_month_and_never_ahead(susong):
    bureau = susong.users["bureau"]
    entry = budgets.lump_sum_pay(user=bureau, station=susong.hub, month=datetime.date(2026, 1, 20))
    assert (entry.kind, entry.amount, entry.date, entry.reference) == (
        EntryKind.LUMP_SUM, Decimal("20000.00"), datetime.date(2026, 1, 1), "BG202601")
    with pytest.raises(ValidationError) as refused:
        budgets.lump_sum_pay(user=bureau, station=susong.hub, month=datetime.date(2026, 1, 1))
    assert refused.value.message_dict == {"month": ["The lump sum for 2026-01 has already been paid."]}
    assert budgets.lump_sum_pay(user=bureau, station=susong.branch, month=datetime.date(2026, 2, 1)).amount == \
        Decimal("5000.00")
    next_month = (datetime.date.today().replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError) as refused:
        budgets.lump_sum_pay(user=bureau, station=susong.hub, month=next_month)
    assert refused.value.message_dict == {"month": ["That month has not begun."]}
    with pytest.raises(ValidationError) as refused:
        budgets.lump_sum_pay(user=bureau, station=susong.station_a, month=datetime.date(2026, 1, 1))
    assert refused.value.messages == ["驻上海招商站 is not funded by a lump sum."]
    with pytest.raises(PermissionDenied):
        budgets.lump_sum_pay(user=susong.users["chief_hub"], station=susong.hub, month=datetime.date(2026, 2, 1))
    assert LedgerEntry.objects.count() == 2


# --- Xuancheng: the posted people's travel lump sum ------------------------------------------------

def test_the_travel_lump_sum_is_paid_per_posted_person_once_a_month(world):
    """Xuancheng's seed gives no amount: the administrator sets 800元 a person a month on the
    branch rule; a branch with a chief and one staff member posted all February gets 1600元."""
    from funding.models import FundingRule
    from stations.models import Profile

    use_profile("xuancheng")
    rule = FundingRule.objects.get(version__profile=Profile.objects.get(code="xuancheng"), team_kind=StationKind.BRANCH)
    branch = new_team(world, kind=StationKind.BRANCH, code="SZ", chief="chief_sz", staff=["staff_sz"])
    bureau, february = world.users["bureau"], datetime.date(2026, 2, 1)
    assert budgets.travel_lump_sum_due(branch, february) is None  # no amount in the rule yet
    with pytest.raises(ValidationError) as refused:
        budgets.travel_lump_sum_pay(user=bureau, station=branch, month=february)
    assert refused.value.messages == ["The funding rule of 测试SZ pays no travel lump sum."]
    rule.travel_lump_sum = Decimal("800")
    rule.save()
    assert budgets.travel_lump_sum_due(branch, february) == (Decimal("1600.00"), 2)
    entry = budgets.travel_lump_sum_pay(user=bureau, station=branch, month=datetime.date(2026, 2, 17))
    assert (entry.kind, entry.amount, entry.date, entry.reference, entry.description) == (
        EntryKind.LUMP_SUM, Decimal("1600.00"), february, "CL202602", "Travel lump sum for 2026-02: 2 posted people")
    with pytest.raises(ValidationError) as refused:
        budgets.travel_lump_sum_pay(user=bureau, station=branch, month=february)
    assert refused.value.message_dict == {"month": ["The travel lump sum for 2026-02 has already been paid."]}
    empty = new_team(world, kind=StationKind.BRANCH, code="XM")  # nobody posted there
    with pytest.raises(ValidationError) as refused:
        budgets.travel_lump_sum_pay(user=bureau, station=empty, month=february)
    assert refused.value.message_dict == {"month": ["Nobody was posted to 测试XM in 2026-02."]}
    with pytest.raises(PermissionDenied):
        budgets.travel_lump_sum_pay(user=world.users["chief_sz"], station=branch, month=datetime.date(2026, 3, 1))
    assert LedgerEntry.objects.filter(station=branch).count() == 1


# --- Budget increases (Shanting: finance, audit and the bureau agree) ----------------------------

def ask(world, persona="chief_a", amount="100000", reason="增设深圳办公室"):
    return budgets.increase_request(user=world.users[persona], station=world.station_a, year=YEAR, amount=amount,
                                    reason=reason)


def test_the_budget_rises_only_when_the_last_of_the_chain_agrees(world, shanting, audit):
    increase = ask(world)
    assert increase.status == RequestStatus.PENDING
    for persona, actor in (("finance", ApprovalActor.FINANCE), ("audit", ApprovalActor.AUDIT)):
        with pytest.raises(PermissionDenied):  # not yet this step, or not this actor's
            budgets.increase_decide(user=world.users["bureau"], increase=increase, approve=True)
        increase = budgets.increase_decide(user=world.users[persona], increase=increase, approve=True)
        assert increase.status == RequestStatus.PENDING
        assert increase.decisions.order_by("position").last().actor == actor
        assert Budget.objects.get(station=world.station_a, year=YEAR).amount == Decimal("500000.00")
    increase = budgets.increase_decide(user=world.users["bureau"], increase=increase, approve=True)
    assert increase.status == RequestStatus.APPROVED
    budget = Budget.objects.get(station=world.station_a, year=YEAR)
    assert budget.amount == Decimal("600000.00")
    assert [h.amount for h in budget.history.order_by("history_date")] == [Decimal("500000.00"),
                                                                           Decimal("600000.00")]
    assert budget.history.latest().history_change_reason == str(increase)
    # The budget is the ceiling; the money itself is not allocated again.
    assert LedgerEntry.objects.filter(station=world.station_a).count() == 1


def test_a_refused_increase_leaves_the_budget_alone(world, shanting, audit):
    increase = budgets.increase_decide(user=world.users["finance"], increase=ask(world), approve=True)
    with pytest.raises(ValidationError):
        budgets.increase_decide(user=audit, increase=increase, approve=False)
    increase = budgets.increase_decide(user=audit, increase=increase, approve=False, comment="依据不足")
    assert increase.status == RequestStatus.REFUSED
    with pytest.raises(ValidationError):
        budgets.increase_decide(user=world.users["bureau"], increase=increase, approve=True)
    budget = Budget.objects.get(station=world.station_a, year=YEAR)
    assert (budget.amount, budget.history.count()) == (Decimal("500000.00"), 1)


def test_who_may_ask_for_an_increase_and_what_is_refused(world, shanting):
    with pytest.raises(Http404):
        ask(world, "chief_b")
    with pytest.raises(PermissionDenied):  # leadership reads the money but does not ask for it
        ask(world, "leader")
    assert ask(world, "bureau").requester == world.users["bureau"]
    with pytest.raises(ValidationError) as refused:
        ask(world, amount="-1", reason=" ")
    assert refused.value.message_dict == {"amount": ["The amount must be more than zero."],
                                          "reason": ["Say why the budget must rise."]}
    with pytest.raises(ValidationError) as refused:
        budgets.increase_request(user=world.users["chief_b"], station=world.station_b, year=YEAR, amount="10",
                                 reason="x")
    assert refused.value.message_dict == {"year": [f"驻北京招商站 has no budget for {YEAR} yet."]}
    assert BudgetIncrease.objects.count() == 1


def test_the_same_form_token_asks_once(world, shanting):
    token = uuid.uuid4()
    first = budgets.increase_request(user=world.users["chief_a"], station=world.station_a, year=YEAR,
                                     amount="100000", reason="举办推介会", token=token)
    again = budgets.increase_request(user=world.users["chief_a"], station=world.station_a, year=YEAR,
                                     amount="100000", reason="举办推介会", token=token)
    assert again == first and first.token == token
    assert BudgetIncrease.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_budgets_and_increases_hold_the_team_before_they_check_the_year(world, audit):
    """So a year cannot close between the check and the write (the order of every path: the team first)."""
    use_profile("shanting")
    with CaptureQueriesContext(connection) as queries:
        budgets.budget_set(user=world.users["finance"], station=world.station_a, year=YEAR)
    assert locks(queries)[:2] == ["team", "year"]
    with CaptureQueriesContext(connection) as queries:
        increase = ask(world)
    assert locks(queries)[:2] == ["team", "year"]
    with CaptureQueriesContext(connection) as queries:
        budgets.increase_decide(user=world.users["finance"], increase=increase, approve=True)
    assert locks(queries)[:2] == ["team", "year"]
