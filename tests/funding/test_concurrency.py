"""Approvals at the same moment cannot take a team past its ceiling: the last approval of each
claim holds the team's row (`ledger.lock_team`), so the spending each one reads is final. And
money recorded while the year closes cannot land in the closed year: both hold the team's row.

PostgreSQL only (SQLite serialises writers on the whole database, so there is nothing to race).
Transactional: each thread commits through its own connection, which the test's usual wrapping
transaction would hide from the others."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from funding import claims, ledger, yearend
from funding.models import ClaimStatus, EntryKind, ExpenseClaim, LedgerEntry, YearClose

from .conftest import DAY, YEAR, receipt

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and parallel writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

CLAIMS, AFFORDABLE, AMOUNT = 5, 2, Decimal("10000.00")


@pytest.fixture
def ledger_truncate_allowed(transactional_db):
    """Let the flush that ends this test empty the ledger. The append-only trigger refuses to
    TRUNCATE a ledger with entries unless the session says so (migration 0003); this teardown
    runs before `transactional_db`'s flush, on the connection that flushes."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET outpost.ledger_truncate = 'allow'")


def file(world, categories, persona, amount, category="reception", number=""):
    return claims.claim_file(user=world.users[persona], station=world.station_a, date=DAY,
                             category=categories[category], amount=amount, payee="某公司", description="并发测试",
                             invoice_number=number or f"CC-{amount}", receipts=[receipt()])


def approve_in_parallel(claim_ids, user_pk):
    """Finance files (the last step of Shanting's chain) every claim at once, one thread each, each
    on its own connection. Returns the exceptions raised, if any."""
    barrier = threading.Barrier(len(claim_ids))
    errors = []

    def approve(claim_id):
        try:
            user = get_user_model().objects.get(pk=user_pk)
            claim = ExpenseClaim.objects.get(pk=claim_id)
            barrier.wait(timeout=30)
            claims.claim_decide(user=user, claim=claim, approve=True)
        except Exception as error:  # reported to the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(claim_id,)) for claim_id in claim_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


# Twice: the second run shows that the first one's flush emptied the ledger.
@pytest.mark.parametrize("run", [1, 2])
def test_parallel_last_approvals_pay_only_what_the_budget_affords(world, shanting, categories,
                                                                  ledger_truncate_allowed, run):
    assert LedgerEntry.objects.count() == 1  # this run's allocation only
    finance, chief = world.users["finance"], world.users["chief_a"]
    # 480000 of the 500000 spent: room for exactly two of the 10000 claims.
    big = file(world, categories, "chief_a", "480000", category="office", number="CC-BIG")
    claims.claim_decide(user=finance, claim=big, approve=True)
    waiting = []
    for number in range(CLAIMS):
        claim = file(world, categories, "staff_a", str(AMOUNT), number=f"CC-{run}-{number}")
        waiting.append(claims.claim_decide(user=chief, claim=claim, approve=True).pk)
    assert set(ExpenseClaim.objects.filter(pk__in=waiting).values_list("status", flat=True)) == {ClaimStatus.PENDING}

    assert approve_in_parallel(waiting, finance.pk) == []

    statuses = sorted(ExpenseClaim.objects.filter(pk__in=waiting).values_list("status", flat=True))
    assert statuses == [ClaimStatus.APPROVED] * AFFORDABLE + [ClaimStatus.HELD] * (CLAIMS - AFFORDABLE)
    paid = ExpenseClaim.objects.filter(pk__in=waiting, status=ClaimStatus.APPROVED)
    assert all(claim.entry.amount == -AMOUNT for claim in paid)
    assert not ExpenseClaim.objects.filter(pk__in=waiting, status=ClaimStatus.HELD, entry__isnull=False).exists()
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPENSE).count() == 1 + AFFORDABLE
    spent, ceiling = ledger.spend_and_ceiling(world.station_a.pk, YEAR)
    assert (spent, ceiling) == (Decimal("500000.00"), Decimal("500000.00"))
    assert ledger.verify().breaches == ()


def test_money_recorded_while_the_year_closes_does_not_land_in_the_closed_year(
        world, categories, ledger_truncate_allowed, monkeypatch):
    """The recording thread pauses after its open-year check, before it writes; the year is closed
    meanwhile. Holding the team's row from the check on, the recording makes the closing wait and
    the closing takes its money out too (without it the closed year kept 500 that nobody closed)."""
    last_year = datetime.date.today().year - 1
    station, finance_pk, bureau_pk = world.station_a, world.users["finance"].pk, world.users["bureau"].pk
    day = datetime.date(last_year, 6, 1)
    ledger.entry_record(user=world.users["finance"], station=station, kind=EntryKind.ALLOCATION, amount="1000",
                        date=day)
    checked, go_on = threading.Event(), threading.Event()
    real_post = ledger.post

    def post(**kwargs):
        if threading.current_thread().name == "recorder":
            checked.set()
            go_on.wait(timeout=30)
        return real_post(**kwargs)

    monkeypatch.setattr(ledger, "post", post)
    errors = []

    def in_thread(act, user_pk):
        def run():
            try:
                act(get_user_model().objects.get(pk=user_pk))
            except Exception as error:  # reported to the test thread
                errors.append(error)
            finally:
                connection.close()
        return run

    recorder = threading.Thread(name="recorder", target=in_thread(lambda user: ledger.entry_record(
        user=user, station=station, kind=EntryKind.ALLOCATION, amount="500", date=day), finance_pk))
    closer = threading.Thread(target=in_thread(lambda user: yearend.year_close(
        user=user, station=station, year=last_year), bureau_pk))
    recorder.start()
    assert checked.wait(timeout=30)
    closer.start()
    closer.join(timeout=3)
    assert closer.is_alive()  # waiting for the team's row
    go_on.set()
    recorder.join(timeout=30)
    closer.join(timeout=30)
    assert not recorder.is_alive() and not closer.is_alive() and errors == []

    closed = YearClose.objects.get(station=station, year=last_year)
    assert closed.balance == Decimal("1500.00")
    assert ledger.balance(station, last_year) == Decimal("0.00")
    assert ledger.verify().breaches == ()
