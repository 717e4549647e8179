"""The funding tests' world: the shared personas and teams, the seeded categories, and a budget
for station A. Messages are asserted in English (the msgids)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from funding.models import Budget, LedgerEntry
from funding.presets import categories_install

YEAR = 2026
DAY = datetime.date(2026, 3, 2)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only (its triggers, or DDL rolled back with the test)"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def categories(db):
    """The nine categories, by code: seeded by migration 0002, and made again here because a
    transactional (browser) test's flush empties every table, the migration's rows included."""
    return categories_install()


@pytest.fixture
def budget_a(world):
    return Budget.objects.create(station=world.station_a, year=YEAR, amount=Decimal("500000.00"))


def locks(queries) -> list[str]:
    """The row locks taken and the open-year checks made by the captured `queries`, in order:
    "team" (`ledger.lock_team`), "entry" (a ledger entry's row), "year" (`ledger.require_open_year`)."""
    order = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if 'FROM "stations_station"' in sql and "FOR UPDATE" in sql:
            order.append("team")
        elif 'FROM "funding_ledgerentry"' in sql and sql.endswith("FOR UPDATE"):
            order.append("entry")
        elif 'FROM "funding_yearclose"' in sql:
            order.append("year")
    return order


def insert_raw(*, station, user, kind, amount, year=YEAR, date=DAY, category=None, unit=None, reverses=None,
               reason="", description=""):
    """Insert a ledger row in plain SQL, past the model and the services (the database's CHECKs and,
    on PostgreSQL, its triggers still apply). Returns the new row."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO funding_ledgerentry (station_id, year, date, kind, amount, category_id, unit_id, reverses_id,"
            " description, reason, reference, over_budget, recorded_by_id, recorded_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [station.pk, year, ops.adapt_datefield_value(date), kind, Decimal(amount),
             category.pk if category else None, unit.pk if unit else None, reverses.pk if reverses else None,
             description, reason, "", False, user.pk, ops.adapt_datetimefield_value(timezone.now())],
        )
    return LedgerEntry.objects.order_by("-pk").first()


# --- Claims and the funding models (test_claims, test_budgets, test_yearend, test_concurrency) ----------

# The first bytes each receipt type must begin with; the rest of a test file is padding.
PDF = b"%PDF-1.7\n" + b"0" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
OFD = b"PK\x03\x04" + b"\x00" * 24


def receipt(name="发票.pdf", content=PDF):
    """An uploaded receipt as a form would hand it to `claim_file`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def use_profile(code):
    """Make the installed preset `code` the active profile (the `world` fixture installed them all)."""
    from stations.models import Profile

    Profile.objects.filter(is_active=True).update(is_active=False)
    assert Profile.objects.filter(code=code).update(is_active=True) == 1


def fresh(user):
    """`user` read again: permissions are memoised on the user object, so a user whose postings
    or groups changed after they first acted is fetched anew."""
    return type(user).objects.get(pk=user.pk)


def new_user(world, username, *, roles=(), unit=None):
    """A user with a person (and the role groups `roles`), kept in `world.users`."""
    from tests.factories import PersonFactory, UserFactory

    user = UserFactory(username=username, roles=list(roles))
    PersonFactory(user=user, name=username, home_unit=unit)
    world.users[username] = user
    return user


def new_team(world, *, kind, code, name=None, chief=None, staff=(), lead_unit=None, home_city="",
             start=datetime.date(2026, 1, 5)):
    """A team of `kind` whose chief (a new user named `chief`) and `staff` took up their posts on
    `start`; `lead_unit` leads it (the lead-unit funding model)."""
    from stations.models import StationUnit, StationUnitRole
    from tests.factories import PostingFactory, StationFactory

    station = StationFactory(kind=kind, code=code, name=name or f"测试{code}", home_city=home_city)
    if lead_unit is not None:
        StationUnit.objects.create(station=station, unit=lead_unit, role=StationUnitRole.LEAD)
    for username, is_chief in [(chief, True), *((username, False) for username in staff)]:
        if username:
            user = world.users.get(username) or new_user(world, username, unit=lead_unit)
            PostingFactory(person=user.person, station=station, chief=is_chief, start_date=start,
                           home_unit=user.person.home_unit)
    return station


@pytest.fixture
def audit(world):
    from stations.permissions import Role

    return new_user(world, "audit", roles=[Role.AUDIT])


@pytest.fixture
def shanting(world, categories):
    """Shanting active; station A has its 50万 for the year, allocated by finance."""
    from funding import budgets

    use_profile("shanting")
    return budgets.budget_set(user=world.users["finance"], station=world.station_a, year=YEAR)
