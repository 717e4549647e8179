"""The funding demo (`funding.demo`, run by `manage.py seed_demo`): a year of money under the demo
profile's Xiangzhou rule, every claim state, an override and a reversal, a clean ledger, and no
second copy when the command runs again."""

import re
import struct
import zlib
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from funding import claims, demo, ledger
from funding.models import (
    LIVE_STATUSES,
    Budget,
    ClaimDecision,
    ClaimStatus,
    EntryKind,
    ExpenseClaim,
    LedgerEntry,
    Receipt,
)
from stations.approvals import pending_step
from stations.models import ApprovalActor, Outcome, Station, StationUnit
from stations.models.reports import Report, ReportKind, ReportStatus
from stations.permissions import Role

PASSWORD = "demo-password-123"


def counts():
    return {model.__name__: model.objects.count()
            for model in (Budget, LedgerEntry, ExpenseClaim, ClaimDecision, Receipt)} | {
        "claim history": ExpenseClaim.history.count(), "budget history": Budget.history.count()}


def png_is_valid(data: bytes) -> bool:
    """Signature, then chunks whose CRCs match, ending with IEND; the image data inflates."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    position, kinds, image = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        if crc != zlib.crc32(kind + body):
            return False
        kinds.append(kind)
        image += body if kind == b"IDAT" else b""
        position += 12 + length
    width, height = struct.unpack(">II", data[16:24])
    return kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and len(zlib.decompress(image)) == height * (width + 1)


def pdf_is_valid(data: bytes) -> bool:
    """Header and end marker, and a cross-reference table whose offsets point at its objects."""
    if not (data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")):
        return False
    start = int(re.search(rb"startxref\n(\d+)\n", data).group(1))
    if not data[start:].startswith(b"xref\n"):
        return False
    offsets = [int(offset) for offset in re.findall(rb"(\d{10}) 00000 n ", data[start:])]
    return bool(offsets) and all(data[offset:].startswith(b"%d 0 obj" % number)
                                 for number, offset in enumerate(offsets, start=1))


def test_demo_receipts_are_well_formed_files_the_claim_check_accepts():
    for number in (0, 1):
        upload = demo.receipt("26420000000100000001", Decimal("1234.50"), number)
        claims.check_receipt(upload)  # raises if the name and the first bytes disagree
        data = upload.read()
        assert (pdf_is_valid if upload.name.endswith(".pdf") else png_is_valid)(data), upload.name
    assert b"(Invoice No. 26420000000100000001)" in demo.receipt("26420000000100000001", Decimal("9"), 0).read()
    # The validators are not vacuous: a broken CRC or a shifted cross-reference fails them.
    broken = bytearray(demo.png())
    broken[-5] ^= 0xFF
    assert not png_is_valid(bytes(broken))
    assert not pdf_is_valid(demo.pdf(["x"]).replace(b"%PDF-1.4\n", b"%PDF-1.4\n% \n"))


@pytest.mark.django_db
def test_seed_demo_funds_a_year_with_claims_in_every_state_and_a_clean_ledger(settings):
    settings.DEBUG = True
    call_command("seed_demo", password=PASSWORD)
    today = timezone.localdate()
    year = today.year
    user_model = get_user_model()

    # A 5万 budget under the Xiangzhou rule for every active team.
    active = set(Station.objects.active().values_list("pk", flat=True))
    budgets = dict(Budget.objects.filter(year=year).values_list("station_id", "amount"))
    assert set(budgets) == active and len(active) == 10
    assert set(budgets.values()) == {Decimal("50000.00")}

    # Self-funding from each team's own home units, 2万 to 6万 at a time.
    self_funding = LedgerEntry.objects.filter(kind=EntryKind.SELF_FUNDING)
    assert set(self_funding.values_list("station_id", flat=True)) == active
    home_units = set(StationUnit.objects.values_list("station_id", "unit_id"))
    assert set(self_funding.values_list("station_id", "unit_id")) <= home_units
    assert all(Decimal(20000) <= amount <= Decimal(60000) for amount in self_funding.values_list("amount", flat=True))

    # Batches only for months whose report the bureau accepted, never more than the budget.
    accepted = {(station_id, f"PF{start:%Y%m}") for station_id, start in Report.objects.filter(
        kind=ReportKind.MONTHLY, status=ReportStatus.ACCEPTED, period_start__year=year).values_list(
        "station_id", "period_start")}
    batches = LedgerEntry.objects.filter(kind=EntryKind.DISBURSEMENT)
    assert set(batches.values_list("station_id", "reference")) <= accepted
    assert batches.exists() == bool(accepted)
    for station_id, released in batches.values("station_id").annotate(total=Sum("amount")).values_list(
            "station_id", "total"):
        assert released <= budgets[station_id]

    # A year of claims for every team, dated this year up to today, each with its receipt.
    all_claims = ExpenseClaim.objects.all()
    per_team = dict(all_claims.values("station_id").annotate(n=Count("pk")).values_list("station_id", "n"))
    # Insurance in January, then at least one claim a month and the office rent each quarter.
    assert set(per_team) == active and min(per_team.values()) >= today.month + 2
    assert not all_claims.exclude(date__year=year).exists()
    assert not all_claims.filter(date__gt=today).exists()
    assert not all_claims.filter(receipts__isnull=True).exists()
    live = all_claims.filter(status__in=LIVE_STATUSES)
    assert live.values("invoice_number").distinct().count() == live.count()
    assert not all_claims.filter(category__code="lodging").filter(Q(nights__isnull=True) | Q(city="")).exists()
    assert not all_claims.filter(category__code="meals", days__isnull=True).exists()
    assert all_claims.filter(category__code="lodging").exists() and all_claims.filter(category__code="meals").exists()
    assert not all_claims.filter(category__code="conference", event__isnull=True).exists()
    receipt = Receipt.objects.order_by("pk").first()
    with receipt.file.open("rb") as handle:
        data = handle.read()
    assert receipt.size == len(data) and (png_is_valid(data) or pdf_is_valid(data))

    # Every state; open claims waiting for the chief and for the bureau.
    assert set(all_claims.values_list("status", flat=True)) == set(ClaimStatus.values)
    waiting = {pending_step(claim).actor for claim in all_claims.filter(status=ClaimStatus.PENDING)}
    assert waiting == {ApprovalActor.CHIEF, ApprovalActor.BUREAU}
    paid = all_claims.filter(status=ClaimStatus.APPROVED)
    assert not paid.filter(entry__isnull=True).exists()
    assert paid.filter(entry__kind=EntryKind.EXPENSE, entry__amount__lt=0).count() == paid.count()
    refusal = ClaimDecision.objects.get(claim__status=ClaimStatus.REFUSED, outcome=Outcome.REFUSED)
    assert refusal.comment and refusal.decided_by.username == "bureau"
    withdrawn = all_claims.get(status=ClaimStatus.WITHDRAWN)
    assert paid.filter(invoice_number=withdrawn.invoice_number).exists()  # filed again, correctly

    # One claim let past the budget by the leading group (a leadership login), with its reason;
    # another still held, which would take its team past the ceiling.
    overridden = LedgerEntry.objects.get(over_budget=True)
    claim = overridden.claim
    assert claim.override_by.groups.filter(name=Role.LEADERSHIP).exists() and claim.override_reason
    assert claim.decisions.filter(actor=ApprovalActor.LEADING_GROUP, decided_by=claim.override_by).exists()
    held = all_claims.get(status=ClaimStatus.HELD)
    spent, ceiling = ledger.spend_and_ceiling(held.station_id, year)
    assert spent + held.amount > ceiling

    # A paid claim's expense reversed by the bureau, with the reason.
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses.claim.status == ClaimStatus.APPROVED
    assert reversal.amount == -reversal.reverses.amount and reversal.reason
    assert reversal.recorded_by == user_model.objects.get(username="bureau")

    assert ledger.verify().breaches == ()

    # Running the command again adds nothing.
    before = counts()
    call_command("seed_demo", password=PASSWORD)
    assert counts() == before
