"""`stations.permissions`: scopes, the own-team rule and approval chains from profile data."""

import pytest

from stations.models import ApprovalProcess, Station, StationKind, StationUnit, StationUnitRole
from stations.permissions import Action, chain_steps_for, people_for, stations_for, user_can

from ..conftest import activate_preset
from ..factories import StationFactory


def codes(queryset):
    return sorted(queryset.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("chief_a", ["SH"]),
        ("staff_a", ["SH"]),
        ("chief_b", ["BJ"]),
        ("bureau", ["BJ", "SH"]),
        ("leader", ["BJ", "SH"]),
        ("finance", ["BJ", "SH"]),
        ("assessor", ["BJ", "SH"]),
        ("home_unit", ["SH"]),
        ("park", []),
    ],
)
def test_who_sees_which_team(world, persona, visible):
    assert codes(stations_for(world.users[persona], Action.VIEW)) == visible


def test_team_users_work_only_on_their_own_team(world):
    assert codes(stations_for(world.users["chief_a"], Action.WORK)) == ["SH"]
    assert codes(stations_for(world.users["bureau"], Action.WORK)) == []
    assert codes(stations_for(world.users["bureau_a"], Action.WORK)) == ["SH"]


def test_bureau_never_reviews_its_own_team(world):
    assert codes(stations_for(world.users["bureau"], Action.REVIEW)) == ["BJ", "SH"]
    assert codes(stations_for(world.users["bureau_a"], Action.REVIEW)) == ["BJ"]
    assert not user_can(world.users["bureau_a"], Action.REVIEW, world.station_a)
    assert user_can(world.users["bureau_a"], Action.REVIEW, world.station_b)
    assert not user_can(world.users["leader"], Action.REVIEW, world.station_b)


def test_finance_reads_teams_but_not_personal_data(world):
    assert codes(stations_for(world.users["finance"], Action.VIEW)) == ["BJ", "SH"]
    assert list(people_for(world.users["finance"])) == [world.person("finance")]
    assert world.person("chief_b") in people_for(world.users["leader"])


def test_home_unit_sees_teams_its_people_are_posted_to(world):
    other = StationFactory(code="GZ")  # formed by nobody, but unit A lends a person to it
    from ..factories import PersonFactory, PostingFactory

    PostingFactory(station=other, person=PersonFactory(home_unit=world.unit_a), home_unit=world.unit_a)
    assert codes(stations_for(world.users["home_unit"], Action.VIEW)) == ["GZ", "SH"]
    people = people_for(world.users["home_unit"])
    assert world.person("chief_a") in people
    assert world.person("chief_b") not in people
    assert world.person("bureau_a") not in people  # posted to a team unit A forms, but not unit A's


def test_inactive_user_can_do_nothing(world):
    user = world.users["bureau"]
    user.is_active = False
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert codes(stations_for(user, Action.VIEW)) == []
    assert not user_can(user, Action.MANAGE)


def positions(user, station, process):
    return [(step.position, step.actor) for step in chain_steps_for(user, station, process)]


def test_shanting_leave_chain_chief_leader_bureau(world):
    activate_preset("shanting")
    station = world.station_a
    assert positions(world.users["chief_a"], station, ApprovalProcess.LEAVE) == [(1, "chief")]
    assert positions(world.users["staff_a"], station, ApprovalProcess.LEAVE) == []
    assert positions(world.users["leader"], station, ApprovalProcess.LEAVE) == [(2, "leadership")]
    assert positions(world.users["bureau"], station, ApprovalProcess.LEAVE) == [(3, "bureau")]
    # A bureau user posted to the team never files the team's own leave.
    assert positions(world.users["bureau_a"], station, ApprovalProcess.LEAVE) == []
    assert positions(world.users["bureau_a"], world.station_b, ApprovalProcess.LEAVE) == [(3, "bureau")]


def test_leadership_acts_only_where_the_chain_names_it(world):
    activate_preset("xiangzhou")  # the bureau approves leave; no leader in the chain
    assert positions(world.users["leader"], world.station_a, ApprovalProcess.LEAVE) == []
    assert positions(world.users["bureau"], world.station_a, ApprovalProcess.LEAVE) == [(2, "bureau")]


def test_xuancheng_claims_go_to_the_city_groups_lead_unit(world):
    activate_preset("xuancheng")
    group = StationFactory(kind=StationKind.CITY_GROUP)
    StationUnit.objects.create(station=group, unit=world.unit_a, role=StationUnitRole.LEAD)
    branch = StationFactory(kind=StationKind.BRANCH)
    lead_unit_user = world.users["home_unit"]  # a user of unit A
    assert positions(lead_unit_user, group, ApprovalProcess.EXPENSE_CLAIM) == [(2, "lead_unit")]
    assert positions(world.users["bureau"], group, ApprovalProcess.EXPENSE_CLAIM) == []
    assert positions(world.users["bureau"], branch, ApprovalProcess.EXPENSE_CLAIM) == [(2, "bureau")]
    assert positions(lead_unit_user, branch, ApprovalProcess.EXPENSE_CLAIM) == []


def test_a_lead_unit_acts_only_through_its_home_unit_users(world):
    activate_preset("xuancheng")
    group = StationFactory(kind=StationKind.CITY_GROUP)
    StationUnit.objects.create(station=group, unit=world.unit_a, role=StationUnitRole.LEAD)
    # chief_a works for unit A but has no home-unit role: not an approver for the group.
    assert positions(world.users["chief_a"], group, ApprovalProcess.EXPENSE_CLAIM) == []


def test_nobody_acts_on_their_own_request(world):
    activate_preset("shanting")
    leader = world.users["leader"]
    assert chain_steps_for(leader, world.station_a, ApprovalProcess.LEAVE, requester=leader) == []
    assert chain_steps_for(world.users["chief_a"], world.station_a, ApprovalProcess.LEAVE,
                           requester=world.users["chief_a"]) == []


def test_administrator_is_not_an_approver(world, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    assert codes(stations_for(admin, Action.VIEW)) == ["BJ", "SH"]
    assert positions(admin, world.station_a, ApprovalProcess.BUDGET_INCREASE) == []


def test_role_groups_carry_their_model_permissions(world):
    from django.contrib.auth.models import Group

    from stations.roles import ROLE_PERMISSIONS, sync_role_groups

    sync_role_groups()  # idempotent
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    bureau = set(Group.objects.get(name="bureau").permissions.values_list("codename", flat=True))
    assert {"add_station", "change_posting", "add_person"} <= bureau
    assert set(Group.objects.get(name="park").permissions.values_list("codename", flat=True)) == {"view_unit"}
    leadership = set(Group.objects.get(name="leadership").permissions.values_list("codename", flat=True))
    assert not any(code.startswith(("add_", "change_", "delete_")) for code in leadership)


@pytest.mark.parametrize("pk", ["abc", "1.5", None, ""])
def test_a_value_that_is_not_an_id_is_a_404_never_a_server_error(world, pk):
    from django.http import Http404

    from stations.permissions import get_in_scope_or_404

    with pytest.raises(Http404):
        get_in_scope_or_404(Station.objects.all(), pk)
