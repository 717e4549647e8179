"""Expense claims through `funding.claims`: filing (input, receipts, invoices, category rules),
each preset's approval chain, paying or holding past the budget, overrides and withdrawal.

Most tests run under Shanting (station A: 50万 a year allocated at once; the chief approves,
finance files); the funding models of the other presets have a test each."""

import datetime
import itertools
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from funding import budgets, claims, ledger
from funding.models import ClaimDecision, ClaimStatus, EntryKind, ExpenseClaim, LedgerEntry, Receipt
from stations import approvals
from stations.models import (
    ApprovalActor,
    Event,
    EventRole,
    RequestStatus,
    StationKind,
    StepAction,
)
from stations.models.todo import TodoItem
from stations.permissions import Role

from .conftest import DAY, JPG, OFD, PDF, PNG, YEAR, fresh, locks, new_team, new_user, receipt, use_profile

invoices = itertools.count(1)


@pytest.fixture
def file_claim(world, categories):
    """`file_claim(persona, **fields)` files a claim with sensible defaults (a 300元 reception
    with a PDF receipt and a fresh invoice number) for station A."""

    def file(persona="staff_a", *, category="reception", **fields):
        values = {
            "station": world.station_a, "date": DAY, "category": categories[category], "amount": "300",
            "payee": "某饭店", "description": "接待客商", "invoice_number": f"FP{next(invoices):08d}",
            "receipts": [receipt()],
        }
        values.update(fields)
        return claims.claim_file(user=world.users[persona], **values)

    return file


def decide(world, persona, claim, approve=True, comment=""):
    return claims.claim_decide(user=fresh(world.users[persona]), claim=claim, approve=approve, comment=comment)


def expenses():
    return LedgerEntry.objects.filter(kind=EntryKind.EXPENSE)


def todo_users(claim) -> list[str]:
    """Whose to-do lists the claim is open on."""
    return sorted(TodoItem.objects.filter(target_id=claim.pk, target_type__model="expenseclaim",
                                          done_at__isnull=True).values_list("user__username", flat=True))


def refused_filing(file_claim, **fields) -> dict:
    """Filing with `fields` is refused; nothing was written. Returns the messages by field."""
    with pytest.raises(ValidationError) as refused:
        file_claim(**fields)
    assert (ExpenseClaim.objects.count(), Receipt.objects.count(), expenses().count()) == (0, 0, 0)
    return refused.value.message_dict


# --- The approval chain (Shanting: the chief approves, finance files) ----------------------------

def test_a_claim_moves_along_the_chain_and_the_last_step_pays_it(world, shanting, file_claim):
    claim = file_claim(amount="1280.50", category="reception", payee="某酒店", description="接待深圳客商")
    assert (claim.status, claim.entry, claim.number) == (ClaimStatus.PENDING, None, f"BX{YEAR}-{claim.pk:04d}")
    step = approvals.pending_step(claim)
    assert (step.actor, step.action) == (ApprovalActor.CHIEF, StepAction.APPROVE)
    assert claims.steps_for(world.users["chief_a"], claim) == [step]
    for persona in ("staff_a", "finance", "bureau", "leader", "chief_b"):
        assert claims.steps_for(fresh(world.users[persona]), claim) == []
    with pytest.raises(PermissionDenied):  # finance's step comes second
        decide(world, "finance", claim)
    assert todo_users(claim) == ["chief_a"]

    claim = decide(world, "chief_a", claim)
    step = approvals.pending_step(claim)
    assert (claim.status, step.actor, step.action) == (ClaimStatus.PENDING, ApprovalActor.FINANCE, StepAction.FILE)
    assert todo_users(claim) == ["finance"]
    assert claims.steps_for(fresh(world.users["finance"]), claim) == [step]
    assert claims.steps_for(fresh(world.users["chief_a"]), claim) == []
    assert not expenses().exists()

    claim = decide(world, "finance", claim)
    claim.refresh_from_db()
    entry = expenses().get()
    assert claim.status == ClaimStatus.APPROVED and claim.entry == entry
    assert (entry.station, entry.year, entry.date, entry.amount) == (world.station_a, YEAR, DAY, Decimal("-1280.50"))
    assert (entry.category.code, entry.reference, entry.over_budget) == ("reception", claim.number, False)
    assert entry.recorded_by == world.users["finance"]
    assert [(d.actor, d.decided_by.username) for d in claim.decisions.all()] == [
        (ApprovalActor.CHIEF, "chief_a"), (ApprovalActor.FINANCE, "finance")]
    assert ledger.execution(world.station_a, YEAR).spent == Decimal("1280.50")
    assert todo_users(claim) == []
    with pytest.raises(ValidationError):  # decided once
        decide(world, "finance", claim)
    assert expenses().count() == 1


def test_the_chiefs_own_claim_carries_the_chiefs_signature(world, shanting, file_claim):
    claim = file_claim("chief_a")
    assert list(claim.decisions.values_list("position", "actor", "decided_by__username")) == [
        (1, ApprovalActor.CHIEF, "chief_a")]
    assert approvals.pending_step(claim).actor == ApprovalActor.FINANCE
    assert claims.steps_for(world.users["chief_a"], claim) == []  # nobody approves their own claim


def test_a_refusal_needs_a_reason_and_posts_nothing(world, shanting, file_claim):
    claim = file_claim()
    with pytest.raises(ValidationError) as refused:
        decide(world, "chief_a", claim, approve=False, comment="  ")
    assert refused.value.message_dict == {"comment": ["Give the reason for refusing."]}
    claim = decide(world, "chief_a", claim, approve=False, comment="无接待审批单")
    claim.refresh_from_db()
    assert (claim.status, claim.entry) == (ClaimStatus.REFUSED, None)
    assert claim.decisions.get().comment == "无接待审批单"
    assert not expenses().exists()


def test_filing_is_for_the_record_and_cannot_refuse(world, shanting, file_claim):
    claim = decide(world, "chief_a", file_claim())
    with pytest.raises(ValidationError) as refused:
        decide(world, "finance", claim, approve=False, comment="超标")
    assert refused.value.messages == ["Filing is for the record: it cannot refuse."]
    assert ExpenseClaim.objects.get().status == ClaimStatus.PENDING


def test_outsiders_and_the_wrong_roles_cannot_decide(world, shanting, file_claim):
    claim = file_claim()
    with pytest.raises(Http404):
        decide(world, "chief_b", claim)
    for persona in ("staff_a", "bureau", "leader", "bureau_a"):  # staff_a: the requester
        with pytest.raises(PermissionDenied):
            decide(world, persona, claim)
    assert not claim.decisions.exists()


# --- Each preset's funding model --------------------------------------------------------------

def test_xiangzhou_the_chief_and_the_bureau_approve_and_self_funding_raises_the_ceiling(world, file_claim):
    bureau = world.users["bureau"]
    budgets.budget_set(user=bureau, station=world.station_a, year=YEAR)  # 5万, released in batches
    claim = file_claim(amount="50000", category="office")
    assert approvals.pending_step(claim).actor == ApprovalActor.CHIEF
    claim = decide(world, "bureau", decide(world, "chief_a", claim))
    assert claim.status == ClaimStatus.APPROVED
    # The treasury's 5万 is spent; what the home unit adds may be spent on top of it.
    assert decide(world, "bureau", decide(world, "chief_a", file_claim(amount="100"))).status == ClaimStatus.HELD
    ledger.entry_record(user=bureau, station=world.station_a, kind=EntryKind.SELF_FUNDING, amount="20000",
                        date=DAY, unit=world.unit_a)
    assert decide(world, "bureau", decide(world, "chief_a", file_claim(amount="20000"))).status == \
        ClaimStatus.APPROVED
    assert ledger.spend_and_ceiling(world.station_a.pk, YEAR) == (Decimal("70000.00"), Decimal("70000.00"))


def test_susong_a_one_person_office_is_paid_at_once_without_receipts(world, categories):
    use_profile("susong")
    hub = new_team(world, kind=StationKind.HUB, code="HUB", chief="chief_hub")
    bureau = world.users["bureau"]
    budgets.budget_set(user=bureau, station=hub, year=YEAR)
    budgets.lump_sum_pay(user=bureau, station=hub, month=datetime.date(2026, 1, 1))
    claim = claims.claim_file(user=world.users["chief_hub"], station=hub, date=DAY, category=categories["office"],
                              amount="3000", payee="某物业", description="一月房租")
    assert claim.status == ClaimStatus.APPROVED
    assert list(claim.decisions.values_list("actor", "action", "decided_by__username")) == [
        (ApprovalActor.CHIEF, StepAction.FILE, "chief_hub")]
    assert (claim.entry.amount, claim.entry.reference, claim.receipts.count()) == (
        Decimal("-3000.00"), claim.number, 0)
    # Still never past the ceiling (the year's 97000 budget) without an override: the bureau's call.
    held = claims.claim_file(user=world.users["chief_hub"], station=hub, date=DAY, category=categories["office"],
                             amount="94000.01", payee="某物业", description="全年房租")
    assert (held.status, held.entry) == (ClaimStatus.HELD, None)
    passed = claims.claim_override(user=bureau, claim=held, reason="县政府批准预支")
    assert (passed.status, passed.entry.over_budget) == (ClaimStatus.APPROVED, True)


def test_huaiyin_the_lead_unit_approves(world, categories):
    use_profile("huaiyin")
    team = new_team(world, kind=StationKind.HOME_TEAM, code="HY", chief="chief_hy", staff=["staff_hy"],
                    lead_unit=world.unit_a)
    other_unit = new_user(world, "home_unit_b", roles=[Role.HOME_UNIT], unit=world.unit_b)
    budget = budgets.budget_set(user=world.users["finance"], station=team, year=YEAR)
    allocation = LedgerEntry.objects.get(station=team)
    assert (budget.amount, allocation.kind, allocation.amount) == (
        Decimal("200000.00"), EntryKind.ALLOCATION, Decimal("200000.00"))
    claim = claims.claim_file(user=world.users["staff_hy"], station=team, date=DAY, category=categories["reception"],
                              amount="800", payee="某饭店", description="接待", invoice_number="HY-1",
                              receipts=[receipt()])
    assert approvals.pending_step(claim).actor == ApprovalActor.LEAD_UNIT
    with pytest.raises(PermissionDenied):
        decide(world, "chief_hy", claim)  # the chain has no chief step: the team is not the lead unit
    with pytest.raises(PermissionDenied):
        decide(world, "bureau", claim)
    with pytest.raises(Http404):
        claims.claim_decide(user=other_unit, claim=claim, approve=True)
    assert todo_users(claim) == ["home_unit"]
    claim = decide(world, "home_unit", claim)
    assert (claim.status, claim.entry.amount) == (ClaimStatus.APPROVED, Decimal("-800.00"))
    assert claim.decisions.get().decided_by == world.users["home_unit"]


def test_xuancheng_a_city_group_goes_to_its_lead_unit_a_branch_to_the_bureau(world, categories):
    use_profile("xuancheng")
    group = new_team(world, kind=StationKind.CITY_GROUP, code="XCG", chief="chief_group", lead_unit=world.unit_a)
    branch = new_team(world, kind=StationKind.BRANCH, code="XCB", chief="chief_branch", staff=["staff_branch"],
                      home_city="苏州")
    for team in (group, branch):
        budgets.budget_set(user=world.users["finance"], station=team, year=YEAR)
    assert LedgerEntry.objects.get(station=group).amount == Decimal("200000.00")
    assert LedgerEntry.objects.get(station=branch).amount == Decimal("400000.00")

    def file(user, team):
        return claims.claim_file(user=user, station=team, date=DAY, category=categories["reception"], amount="500",
                                 payee="某饭店", description="接待", invoice_number=f"XC-{team.code}",
                                 receipts=[receipt()])

    group_claim = file(world.users["chief_group"], group)
    assert approvals.pending_step(group_claim).actor == ApprovalActor.LEAD_UNIT
    with pytest.raises(PermissionDenied):
        decide(world, "bureau", group_claim)
    assert decide(world, "home_unit", group_claim).status == ClaimStatus.APPROVED

    branch_claim = file(world.users["staff_branch"], branch)
    branch_claim = decide(world, "chief_branch", branch_claim)
    assert approvals.pending_step(branch_claim).actor == ApprovalActor.BUREAU
    with pytest.raises(Http404):  # the unit neither forms nor leads the branch
        decide(world, "home_unit", branch_claim)
    assert decide(world, "bureau", branch_claim).status == ClaimStatus.APPROVED
    assert expenses().count() == 2


# --- Past the budget ------------------------------------------------------------------------------

@pytest.fixture
def held(world, shanting, file_claim):
    """Station A has spent 499000 of its 500000; a 2000元 claim has gone through the chain and is held."""
    decide(world, "finance", decide(world, "chief_a", file_claim(amount="499000", category="office")))
    claim = decide(world, "finance", decide(world, "chief_a", file_claim(amount="2000")))
    assert claim.status == ClaimStatus.HELD
    return claim


def test_a_claim_past_the_ceiling_is_held_without_an_entry(world, held):
    held.refresh_from_db()
    assert (held.status, held.entry, held.is_open) == (ClaimStatus.HELD, None, True)
    assert expenses().count() == 1
    assert ledger.spend_and_ceiling(world.station_a.pk, YEAR) == (Decimal("499000.00"), Decimal("500000.00"))
    # Shanting's rule names leadership; their to-do list says so.
    assert todo_users(held) == ["leader"]


def test_only_the_named_actor_lets_a_held_claim_through_with_a_reason(world, held):
    for persona in ("finance", "chief_a", "bureau", "staff_a"):
        with pytest.raises(PermissionDenied):
            claims.claim_override(user=fresh(world.users[persona]), claim=held, reason="急需")
    with pytest.raises(Http404):
        claims.claim_override(user=world.users["chief_b"], claim=held, reason="急需")
    with pytest.raises(ValidationError) as refused:
        claims.claim_override(user=world.users["leader"], claim=held, reason="  ")
    assert refused.value.message_dict == {"reason": ["Give the reason for the decision."]}
    assert expenses().count() == 1

    claim = claims.claim_override(user=world.users["leader"], claim=held, reason="  区长批示同意  ")
    claim.refresh_from_db()
    assert (claim.status, claim.override_by, claim.override_reason) == (
        ClaimStatus.APPROVED, world.users["leader"], "区长批示同意")
    assert claim.override_at is not None
    assert (claim.entry.amount, claim.entry.over_budget, claim.entry.reference) == (
        Decimal("-2000.00"), True, claim.number)
    assert claim.decisions.order_by("position").last().decided_by == world.users["leader"]
    assert todo_users(claim) == []
    assert ledger.verify().breaches == ()
    out = StringIO()
    call_command("verify_ledger", stdout=out)  # raises CommandError on a breach
    assert out.getvalue() == "ledger OK: 3 entries, 1 teams\n"  # the allocation and two expenses
    with pytest.raises(ValidationError) as refused:  # it is no longer held
        claims.claim_override(user=world.users["leader"], claim=claim, reason="再次")
    assert refused.value.messages == ["Only a claim held past the budget waits for this decision."]


def test_a_held_claim_can_be_declined(world, held):
    with pytest.raises(PermissionDenied):
        claims.claim_decline(user=world.users["finance"], claim=held, reason="超预算")
    with pytest.raises(ValidationError):
        claims.claim_decline(user=world.users["leader"], claim=held, reason="")
    claim = claims.claim_decline(user=world.users["leader"], claim=held, reason="超预算，不予报销")
    claim.refresh_from_db()
    assert (claim.status, claim.entry, claim.override_by) == (ClaimStatus.REFUSED, None, None)
    assert claim.decisions.order_by("position").last().comment == "超预算，不予报销"
    assert expenses().count() == 1


def test_once_a_budget_increase_makes_room_the_override_pays_within_the_budget(world, held, audit):
    increase = budgets.increase_request(user=world.users["chief_a"], station=world.station_a, year=YEAR,
                                        amount="10000", reason="举办推介会")
    for persona in ("finance", "audit", "bureau"):
        increase = budgets.increase_decide(user=world.users[persona], increase=increase, approve=True)
    claim = claims.claim_override(user=world.users["leader"], claim=held, reason="预算已追加")
    claim.refresh_from_db()
    assert (claim.status, claim.entry.over_budget, claim.override_by, claim.override_reason) == (
        ClaimStatus.APPROVED, False, None, "")
    assert ledger.verify().breaches == ()


# --- Duplicate invoices -----------------------------------------------------------------------

def test_an_invoice_is_claimed_once_across_teams_however_it_is_typed(world, shanting, file_claim):
    first = file_claim(invoice_number="  1100 2233 ab ")
    assert first.invoice_number == "11002233AB"
    budgets.budget_set(user=world.users["finance"], station=world.station_b, year=YEAR)
    for typed in ("11002233AB", "1100 2233 AB", "11002233ab"):
        with pytest.raises(ValidationError) as refused:
            file_claim("chief_b", station=world.station_b, invoice_number=typed)
        assert refused.value.message_dict == {"invoice_number": ["Invoice 11002233AB has already been claimed."]}
    assert ExpenseClaim.objects.count() == 1

    decide(world, "chief_a", first, approve=False, comment="金额有误")
    again = file_claim("chief_b", station=world.station_b, invoice_number="1100 2233 AB")
    claims.claim_withdraw(user=world.users["chief_b"], claim=again)
    third = file_claim(invoice_number="11002233AB")
    assert third.status == ClaimStatus.PENDING
    assert ExpenseClaim.objects.filter(invoice_number="11002233AB").count() == 3


# --- Receipts ------------------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_files(root):
    return sorted(path.name for path in root.rglob("*") if path.is_file())


def test_pdf_ofd_jpg_and_png_receipts_are_stored(world, shanting, file_claim, media):
    uploads = [receipt("发票.PDF", PDF), receipt("电子发票.ofd", OFD), receipt("小票.jpeg", JPG), receipt("截图.png", PNG)]
    claim = file_claim(receipts=uploads)
    assert [(r.name, r.size) for r in claim.receipts.all()] == [
        ("发票.PDF", len(PDF)), ("电子发票.ofd", len(OFD)), ("小票.jpeg", len(JPG)), ("截图.png", len(PNG))]
    assert len(stored_files(media)) == 4
    assert claim.receipts.first().file.read() == PDF


BAD_RECEIPTS = [  # name, content, message
    ("setup.exe", b"MZ\x90\x00", "setup.exe: upload receipts as PDF, OFD, JPG or PNG."),
    ("发票", PDF, "发票: upload receipts as PDF, OFD, JPG or PNG."),
    ("发票.pdf", PNG, "发票.pdf is not the PDF file its name says it is."),
    ("发票.png", b"GIF89a" + b"\x00" * 10, "发票.png is not the PNG file its name says it is."),
    ("发票.pdf", b"", "发票.pdf is empty."),
    ("发票.pdf", PDF + b"0" * (1024 * 1024), "发票.pdf is larger than 1 MB."),
]


def test_a_bad_receipt_is_refused_and_nothing_is_written(world, shanting, file_claim, media, settings):
    settings.FUNDING_RECEIPT_MAX_MB = 1
    for name, content, message in BAD_RECEIPTS:  # each after a good receipt, which is not stored either
        assert refused_filing(file_claim, receipts=[receipt(), receipt(name, content)]) == {
            "receipts": [message]}, name
        assert stored_files(media) == []


def test_a_receipt_of_exactly_the_limit_is_accepted(world, shanting, file_claim, media, settings):
    settings.FUNDING_RECEIPT_MAX_MB = 1
    claim = file_claim(receipts=[receipt("发票.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))])
    assert claim.receipts.get().size == 1024 * 1024


def test_a_claim_needs_its_receipt_and_invoice_number_where_the_rule_says_so(world, shanting, file_claim):
    assert refused_filing(file_claim, receipts=[], invoice_number=" ") == {
        "receipts": ["Attach the receipt (PDF, OFD, JPG or PNG)."],
        "invoice_number": ["Give the invoice number printed on the receipt."],
    }
    assert refused_filing(file_claim, receipts=[receipt() for _ in range(11)]) == {
        "receipts": ["Attach at most 10 files."]}


# --- Bad input ------------------------------------------------------------------------------------

def test_a_bad_amount_is_refused(world, shanting, file_claim):
    for amount, message in [
        ("-5", "The amount must be more than zero."),
        ("0", "The amount must be more than zero."),
        ("0.00", "The amount must be more than zero."),
        ("100000000000", "The amount must be less than 100,000,000,000 yuan."),
        ("abc", "Enter the amount as a number, such as 1200.50."),
        ("", "Enter the amount as a number, such as 1200.50."),
        ("12.345", "The amount can have at most two decimal places."),
    ]:
        assert refused_filing(file_claim, amount=amount) == {"amount": [message]}, amount


def test_an_amount_in_exponent_notation_is_read_as_the_number_it_is(world, shanting, file_claim):
    # clean_amount accepts any finite decimal text: "1e3" is 1000.00, as it would be in a spreadsheet.
    assert file_claim(amount="1e3").amount == Decimal("1000.00")


def test_every_problem_is_reported_at_once(world, shanting, file_claim):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert refused_filing(file_claim, date=tomorrow, amount="abc", payee=" ", description="") == {
        "date": ["The date cannot be in the future."],
        "amount": ["Enter the amount as a number, such as 1200.50."],
        "payee": ["Name who was paid."],
        "description": ["Say what the money was for."],
    }


def test_an_inactive_category_is_refused(world, shanting, file_claim, categories):
    categories["insurance"].is_active = False
    categories["insurance"].save()
    assert refused_filing(file_claim, category="insurance") == {"category": ["Choose a category in use."]}


def test_nobody_files_for_another_team(world, shanting, file_claim):
    with pytest.raises(Http404):
        file_claim("staff_a", station=world.station_b)
    with pytest.raises(Http404):
        file_claim("chief_b")
    with pytest.raises(PermissionDenied):  # the bureau reads every team but works only in its own
        file_claim("bureau_a", station=world.station_b)
    with pytest.raises(PermissionDenied):
        file_claim("finance")
    assert not ExpenseClaim.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_filing_holds_the_team_before_it_checks_the_year(world, shanting, file_claim):
    """So a year cannot close between the check and the claim (closing refuses open claims)."""
    with CaptureQueriesContext(connection) as queries:
        file_claim()
    assert locks(queries)[:2] == ["team", "year"]


def test_a_double_submit_files_one_claim(world, shanting, file_claim):
    token = uuid.uuid4()
    first = file_claim(token=token, invoice_number="TOKEN-1")
    second = file_claim(token=token, invoice_number="TOKEN-1")
    assert second.pk == first.pk
    assert (ExpenseClaim.objects.count(), Receipt.objects.count()) == (1, 1)


# --- Category rules ----------------------------------------------------------------------------

def test_lodging_stays_within_the_citys_cap_a_night(world, shanting, file_claim):
    # Station A is in 上海 (500 a night); 福州 allows 380, a city without a standard of its own 350.
    assert refused_filing(file_claim, category="lodging", amount="1000.01", nights=2) == {"amount": [
        "1000.01 yuan is above the lodging cap: 2 × 500.00 yuan a night in 上海."]}
    assert refused_filing(file_claim, category="lodging", amount="381", nights=1, city="福州") == {"amount": [
        "381.00 yuan is above the lodging cap: 1 × 380.00 yuan a night in 福州."]}
    assert refused_filing(file_claim, category="lodging", amount="351", nights=1, city="拉萨") == {"amount": [
        "351.00 yuan is above the lodging cap: 1 × 350.00 yuan a night in this city."]}
    assert refused_filing(file_claim, category="lodging", amount="300") == {"nights": ["Give the number of nights."]}
    assert file_claim(category="lodging", amount="1000", nights=2).amount == Decimal("1000.00")
    assert file_claim(category="lodging", amount="380", nights=1, city="福州").city == "福州"


def test_meals_stay_within_the_daily_allowance(world, shanting, file_claim):
    assert refused_filing(file_claim, category="meals", amount="300.01", days=3) == {"amount": [
        "300.01 yuan is above the meal allowance: 3 × 100.00 yuan a day."]}
    assert refused_filing(file_claim, category="meals", amount="100") == {"days": ["Give the number of days at post."]}
    assert file_claim(category="meals", amount="300", days=3).days == 3


def event(world, station=None, **fields):
    values = {"station": station or world.station_a, "title": "深圳推介会", "date": datetime.date(2026, 3, 1),
              "role": EventRole.HOSTED, "invited_enterprises": 8, "is_large": True, "status": RequestStatus.APPROVED,
              "approved_in_advance": True, "created_by": world.users["chief_a"]}
    values.update(fields)
    return Event.objects.create(**values)


def test_a_conference_fee_needs_a_large_event_approved_in_advance(world, shanting, file_claim):
    message = "The event needs its large-event approval, given before it took place."
    assert refused_filing(file_claim, category="conference") == {
        "event": ["A conference fee names the large event it was for."]}
    assert refused_filing(file_claim, category="conference", event=event(world, title="小型座谈", is_large=False,
                                                                          status="")) == {"event": [message]}
    assert refused_filing(file_claim, category="conference", event=event(world, title="待批", status="pending",
                                                                          approved_in_advance=False)) == {
        "event": [message]}
    assert refused_filing(file_claim, category="conference", event=event(world, title="事后补批",
                                                                          approved_in_advance=False)) == {
        "event": [message]}
    assert refused_filing(file_claim, category="conference", event=event(world, station=world.station_b,
                                                                          title="北京站的会")) == {
        "event": ["Choose an event of this team."]}
    approved = event(world)
    assert file_claim(category="conference", event=approved).event == approved


# --- Withdrawal ---------------------------------------------------------------------------------

def test_the_requester_or_the_chief_withdraws_a_pending_claim(world, shanting, file_claim):
    mine = claims.claim_withdraw(user=world.users["staff_a"], claim=file_claim())
    assert ExpenseClaim.objects.get(pk=mine.pk).status == ClaimStatus.WITHDRAWN
    by_chief = claims.claim_withdraw(user=world.users["chief_a"], claim=file_claim())
    assert ExpenseClaim.objects.get(pk=by_chief.pk).status == ClaimStatus.WITHDRAWN

    claim = file_claim()
    with pytest.raises(PermissionDenied):  # posted to the team, but neither the requester nor the chief
        claims.claim_withdraw(user=world.users["bureau_a"], claim=claim)
    for persona in ("chief_b", "finance"):
        with pytest.raises((Http404, PermissionDenied)):
            claims.claim_withdraw(user=world.users[persona], claim=claim)
    assert ExpenseClaim.objects.get(pk=claim.pk).status == ClaimStatus.PENDING


def test_only_a_pending_or_held_claim_is_withdrawn(world, held, file_claim):
    assert claims.claim_withdraw(user=world.users["staff_a"], claim=held).status == ClaimStatus.WITHDRAWN
    assert todo_users(held) == []
    paid = ExpenseClaim.objects.get(status=ClaimStatus.APPROVED)
    refused = decide(world, "chief_a", file_claim(), approve=False, comment="不符合规定")
    for claim in (paid, refused, held):
        with pytest.raises(ValidationError) as refusal:
            claims.claim_withdraw(user=world.users["staff_a"], claim=claim)
        assert refusal.value.messages == ["Only a claim still pending or held can be withdrawn."]
    assert ClaimDecision.objects.filter(claim=paid).count() == 2
    assert expenses().count() == 1
