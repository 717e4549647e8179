"""Two computations of the year's rewards at once (a double click, two bureau users): the second
waits for the first and finds its proposals, instead of inserting them again and failing on the
unique constraint (a 500).

PostgreSQL only (SQLite serialises writers on the whole database, so there is nothing to race).
Transactional: the second computation commits through its own connection, which the test's usual
wrapping transaction would hide."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from scoring import rewards
from scoring.models import Reward

from ..conftest import activate_preset
from .test_rewards import YEAR, signed

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and parallel writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_second_computation_waits_for_the_first_and_adds_nothing(world):
    activate_preset("all-staff")  # computes first providers' rewards
    signed(world, "800")
    signed(world, "2000", "二号项目")
    bureau = world.users["bureau"]
    outcome = {}

    def second():
        try:
            outcome["summary"] = rewards.rewards_compute(year=YEAR, user=get_user_model().objects.get(pk=bureau.pk))
        except Exception as error:  # reported to the test thread
            outcome["error"] = error
        finally:
            connection.close()

    with transaction.atomic():
        assert rewards.rewards_compute(year=YEAR, user=bureau)["created"] == 2
        thread = threading.Thread(target=second)
        thread.start()
        # Give the second computation time to reach the proposals the first has not committed:
        # without the lock it inserts them too, waits on the unique index, and fails at our commit.
        time.sleep(1)
        assert thread.is_alive()  # it waits for this transaction
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert (outcome["summary"]["created"], outcome["summary"]["updated"]) == (0, 0)
    assert Reward.objects.count() == 2
