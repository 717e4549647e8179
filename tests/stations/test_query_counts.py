"""Pages run a fixed number of queries, whatever the number of teams, people or items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.models import TodoItem
from stations.models.todo import TodoKind

from ..factories import PostingFactory, StationFactory
from ..queries import snapshot_batches


def add_stations(world, count):
    for _ in range(count):
        station = StationFactory(forming_units=[world.unit_a])
        PostingFactory(station=station, chief=True)
        PostingFactory(station=station)
        TodoItem.objects.create(user=world.users["bureau"], kind=TodoKind.TASK, title="x", station=station)


# Each page's queries, counted once at 1 extra team and again at 20. Every page starts with
#  session, user, the user's groups and person and current postings (stations.permissions),
#  and the person's name for the navigation bar (6); then its own queries:
PAGES = {
    # active profile, to-dos, all stations + their units + their postings (a bureau user has no
    # own station, so that list costs nothing); the warnings, at the first view of the day: 27
    # queries whatever the number of teams and warnings: the teams' snapshot states, savepoint,
    # missing states, lock, the 16 of computing (the profile version, teams, postings, resident
    # kinds, logs, approvals, checks, the holiday calendar, reports, judgements, events, leads'
    # progress (3), lead rules, visits), old rows out, new rows in, states, release; then the
    # first open warnings (whether answered: in the same query) and their count (a later view:
    # 3, see test_warning_snapshot); the first 20 teams and the number of teams
    "stations:home": 38,
    # count, stations, units, postings
    "stations:list": 10,
    # the user's and the groups' permissions (personal data needs view_person), count, people,
    # their current postings
    "stations:person_list": 11,
    # count, items
    "stations:todo_list": 8,
    # profiles, their versions
    "stations:profile_list": 8,
}


@pytest.mark.parametrize(("url_name", "expected"), PAGES.items())
@pytest.mark.parametrize("extra", [1, 20])
def test_query_count_does_not_grow(world, client_for, url_name, expected, extra):
    add_stations(world, extra)
    client = client_for("bureau")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert len(queries) - snapshot_batches(queries) == expected, "\n".join(
        query["sql"][:150] for query in queries.captured_queries)


@pytest.mark.parametrize("extra", [1, 20])
def test_station_detail_query_count(world, client_for, django_assert_num_queries, extra):
    for _ in range(extra):
        PostingFactory(station=world.station_a)
    client = client_for("bureau")
    # the 6 of every page, the station, its postings, its units, its branches, and the change
    # history of the station and of its postings
    with django_assert_num_queries(12):
        response = client.get(reverse("stations:detail", args=[world.station_a.pk]))
    assert len(response.context["postings"]) == 3 + extra  # chief_a, staff_a, bureau_a + the new ones


# A chief's pages: the 6 of every page, then their own team's queries.
CHIEF_PAGES = {
    # active profile, to-dos, own station + its units + its postings
    "stations:home": 11,
    # count, stations, units, postings
    "stations:list": 10,
}


@pytest.mark.parametrize(("url_name", "expected"), CHIEF_PAGES.items())
@pytest.mark.parametrize("extra", [1, 20])
def test_chief_query_count_does_not_grow(world, client_for, django_assert_num_queries, url_name, expected, extra):
    add_stations(world, extra)
    for _ in range(extra):
        PostingFactory(station=world.station_a)
    client = client_for("chief_a")
    with django_assert_num_queries(expected):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
