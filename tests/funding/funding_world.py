"""Station A's money for the tests that need one of each (the permission matrix, CSRF): its
budget under the Xiangzhou rule, a self-funding entry, staff_a's claim with a receipt waiting for
chief_a, and chief_a's request for a budget increase waiting for the bureau."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding import budgets, claims, ledger
from funding.models import EntryKind
from funding.presets import categories_install

# The smallest PNG there is: its signature and an empty IHDR are enough for the type check.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def receipt(name="发票.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def furnish_funding(world):
    categories = categories_install()
    today = timezone.localdate()
    bureau, staff, chief = world.users["bureau"], world.users["staff_a"], world.users["chief_a"]
    world.budget = budgets.budget_set(user=bureau, station=world.station_a, year=today.year)
    world.entry = ledger.entry_record(user=bureau, station=world.station_a, kind=EntryKind.SELF_FUNDING,
                                      amount="20000", date=today, unit=world.unit_a, description="单位自筹")
    world.claim = claims.claim_file(user=staff, station=world.station_a, date=today, category=categories["reception"],
                                    amount="300", payee="某饭店", description="接待客商", invoice_number="MATRIX-0001",
                                    receipts=[receipt()])
    world.receipt = world.claim.receipts.get()
    world.increase = budgets.increase_request(user=chief, station=world.station_a, year=today.year, amount="10000",
                                              reason="举办推介会")
