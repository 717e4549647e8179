"""Two computations at once (a double click, two bureau users) of the year's rewards or of a
period's scores: the second waits for the first and finds what it wrote, instead of inserting it
again and failing on the unique constraint (a 500).

PostgreSQL only (SQLite serialises writers on the whole database, so there is nothing to race).
Transactional: the second computation commits through its own connection, which the test's usual
wrapping transaction would hide."""

import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from scoring import engine, rewards
from scoring.models import Evaluation, Reward, ScoringScheme

from ..conftest import activate_preset
from .test_rewards import YEAR, signed

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and parallel writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def while_computing(first, second) -> dict:
    """Run `first()` in a transaction of this thread and, before it commits, `second()` in another
    thread on its own connection; return what `second` returned ("result") or raised ("error")."""
    outcome = {}

    def run():
        try:
            outcome["result"] = second()
        except Exception as error:  # reported to the test thread
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    try:
        with transaction.atomic():
            first()
            thread.start()
            # Commit only once the second computation waits for this transaction: on the lock, or,
            # without it, on the unique index after inserting the same rows (and then it fails).
            assert waits_for_a_lock(), "the second computation never waited for the first"
    finally:
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    return outcome["result"]


def waits_for_a_lock(timeout: float = 30) -> bool:
    """Whether another connection to this database comes to wait for a lock within `timeout` s."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction the statistics views keep their first snapshot unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_a_second_reward_computation_waits_for_the_first_and_adds_nothing(world):
    activate_preset("all-staff")  # computes first providers' rewards
    signed(world, "800")
    signed(world, "2000", "二号项目")
    bureau_pk = world.users["bureau"].pk

    def compute():
        return rewards.rewards_compute(year=YEAR, user=get_user_model().objects.get(pk=bureau_pk))

    def first():
        assert compute()["created"] == 2

    second = while_computing(first, compute)
    assert (second["created"], second["updated"]) == (0, 0)
    assert Reward.objects.count() == 2


def test_a_second_score_computation_waits_for_the_first_and_recomputes(world):
    activate_preset("shanting")
    sheet = ScoringScheme.objects.get(version__profile__code="shanting", code="person-sheet")
    first, last = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)

    def compute():
        targets = engine.targets_for(sheet, first, last)
        return engine.evaluate_all(scheme=ScoringScheme.objects.get(pk=sheet.pk), first=first, last=last,
                                   targets=targets)

    evaluations, _kept = while_computing(compute, compute)
    assert evaluations
    assert Evaluation.objects.filter(scheme=sheet).count() == len(evaluations)
