"""Personas and a small world of two stations, shared by every test.

Station A is formed by unit A (the home unit persona's unit); station B by unit B. The
persona `bureau_a` is bureau staff who is also posted to station A, like the bureau running the
Shanghai station under the Xiangzhou preset.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import translation

from stations.models import Person, Posting, Station, TodoItem, Unit, UnitKind
from stations.models.todo import TodoKind
from stations.permissions import Role
from stations.roles import sync_role_groups
from stations.services import presets_install

from .factories import PersonFactory, PostingFactory, StationFactory, UnitFactory, UserFactory

PERSONAS = [
    "anonymous", "chief_a", "staff_a", "chief_b", "bureau", "bureau_a",
    "assessor", "park", "leader", "finance", "home_unit",
]


@dataclass
class World:
    unit_a: Unit
    unit_b: Unit
    park_unit: Unit
    station_a: Station
    station_b: Station
    users: dict = field(default_factory=dict)
    postings: dict = field(default_factory=dict)

    def person(self, persona) -> Person:
        return self.users[persona].person


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: ids restart in each test's database, so a cached
    report (the lead funnel) keyed by the newest ids could otherwise outlive the test that built it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language. A request activates the language it asks for
    (LocaleMiddleware) and nothing deactivates it, so an English request in one test would
    otherwise make a later test's service messages English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def activate_preset(code):
    from stations.models import Profile

    presets_install()
    Profile.objects.filter(is_active=True).update(is_active=False)
    Profile.objects.filter(code=code).update(is_active=True)


def add_version(year, **values):
    """A version of the active profile for `year`: its newest version copied (with its team kinds),
    then changed by `values` (a team kind's residence as `resident={kind: bool}`)."""
    from stations.models import Profile, TeamKindRule

    resident = values.pop("resident", {})
    version = Profile.objects.active().get().versions.order_by("-year").first()
    rules = list(version.team_kinds.all())
    version.pk, version.id, version.year = None, None, year
    for name, value in values.items():
        setattr(version, name, value)
    version.save()
    TeamKindRule.objects.bulk_create([
        TeamKindRule(version=version, kind=rule.kind, label=rule.label, chief_title=rule.chief_title,
                     staff_title=rule.staff_title, is_resident=resident.get(rule.kind, rule.is_resident))
        for rule in rules])
    return version


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> World:
    """The personas' world, written to the database (for the `world` fixture, or once for a whole
    module: see the permission matrix)."""
    # Transactional (browser) tests flush the database, data migrations included.
    sync_role_groups()
    activate_preset("xiangzhou")
    unit_a = UnitFactory(name="测试区发展和改革局", short_name="发改局")
    unit_b = UnitFactory(name="测试区民政局", short_name="民政局")
    park_unit = UnitFactory(name="测试经济开发区", short_name="经开区", kind=UnitKind.PARK)
    bureau_unit = UnitFactory(name="测试区招商局", short_name="招商局", kind=UnitKind.BUREAU)
    station_a = StationFactory(name="驻上海招商站", code="SH", home_city="上海", forming_units=[unit_a])
    station_b = StationFactory(name="驻北京招商站", code="BJ", home_city="北京", forming_units=[unit_b])
    w = World(unit_a=unit_a, unit_b=unit_b, park_unit=park_unit, station_a=station_a, station_b=station_b)

    def person_for(username, home_unit, roles=()):
        user = UserFactory(username=username, roles=list(roles))
        PersonFactory(user=user, name=username, home_unit=home_unit)
        w.users[username] = user
        return user

    for name, station, unit, chief in [
        ("chief_a", station_a, unit_a, True),
        ("staff_a", station_a, unit_a, False),
        ("chief_b", station_b, unit_b, True),
    ]:
        user = person_for(name, unit)
        w.postings[name] = PostingFactory(person=user.person, station=station, chief=chief, home_unit=unit)
    person_for("bureau", bureau_unit, [Role.BUREAU])
    user = person_for("bureau_a", bureau_unit, [Role.BUREAU])
    w.postings["bureau_a"] = PostingFactory(person=user.person, station=station_a, home_unit=bureau_unit)
    person_for("assessor", None, [Role.ASSESSMENT])
    person_for("park", park_unit, [Role.PARK])
    person_for("leader", None, [Role.LEADERSHIP])
    person_for("finance", None, [Role.FINANCE])
    person_for("home_unit", unit_a, [Role.HOME_UNIT])
    return w


@pytest.fixture
def client_for(world):
    """`client_for("chief_a")` → a test client logged in as that persona (anonymous: not logged in)."""

    def make(persona, **kwargs):
        client = Client(**kwargs)
        if persona != "anonymous":
            client.force_login(world.users[persona])
        return client

    return make


@pytest.fixture
def posting_b(world) -> Posting:
    return world.postings["chief_b"]


def furnish(world):
    """The objects the URLs name: each persona's own to-do item (anonymous: chief_a's), a lead of
    station A transferred to the park, a screening meeting, station A's duty records and its money."""
    from leads import services as lead_services
    from leads.models import MeetingDecision

    from .funding.funding_world import furnish_funding
    from .scoring.reward_world import furnish_rewards
    from .stations.duty_world import furnish_duty, furnish_scores

    furnish_duty(world)
    furnish_scores(world)
    furnish_rewards(world)
    furnish_funding(world)
    world.todos = {persona: TodoItem.objects.create(user=world.users.get(persona, world.users["chief_a"]),
                                                    kind=TodoKind.TASK, title="核对派驻信息")
                   for persona in PERSONAS}
    world.lead = lead_services.lead_file(user=world.users["chief_a"], station=world.station_a, title="电池项目",
                                         enterprise_name="示例新能源有限公司")
    world.meeting = lead_services.meeting_create(user=world.users["bureau"], date=datetime.date(2026, 11, 2))
    lead_services.meeting_decide(meeting=world.meeting, user=world.users["bureau"], lead=world.lead,
                                 decision=MeetingDecision.VALID, reason="符合产业方向",
                                 transfer_to=world.park_unit, follower="园区 刘科长")


@pytest.fixture(scope="module")
def furnished_world(django_db_setup, django_db_blocker):
    """The world and everything the URLs name (`furnish`), built once for a module whose cases
    each ask for one URL: the permission matrix's two thousand and the CSRF check's two hundred
    (building them for each case took most of CI's time). It lives in a transaction rolled back
    when the module ends; each case runs in a savepoint inside it (pytest-django's `db`, as
    Django's `TestCase.setUpTestData`), so what a case writes is gone before the next one. A
    module opts in by overriding `world` with a deep copy of it, so that what a case changes in
    memory is gone too."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        furnish(world)
        yield world
        transaction.set_rollback(True)
