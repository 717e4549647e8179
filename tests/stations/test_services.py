import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation

from stations import services
from stations.models import Posting, PostingRole, Station, StationKind, TodoItem
from stations.models.todo import TodoKind

from ..factories import PersonFactory, PostingFactory, StationFactory


def test_bureau_creates_a_team_formed_by_two_units(world):
    with translation.override("en"):
        station = services.station_create(
            user=world.users["bureau"],
            name="驻福州招商站",
            code="FZ",
            kind=StationKind.RESIDENT_STATION,
            home_city="福州",
            radiates_to=["厦门"],
            forming_units=[world.unit_a, world.unit_b],
        )
    assert sorted(station.station_units.values_list("unit__short_name", flat=True)) == ["发改局", "民政局"]
    assert station.cities_display.startswith("福州")
    record = station.history.get()
    assert record.history_user == world.users["bureau"]
    assert record.history_change_reason == "Team created"


@pytest.mark.parametrize("persona", ["chief_a", "leader", "finance", "park"])
def test_only_the_bureau_creates_teams(world, persona):
    with pytest.raises(PermissionDenied):
        services.station_create(user=world.users[persona], name="驻厦门招商站", code="XM", kind=StationKind.BRANCH)
    assert not Station.objects.filter(code="XM").exists()


def test_duplicate_code_is_refused_with_a_message(world):
    with pytest.raises(ValidationError) as error:
        services.station_create(user=world.users["bureau"], name="另一个站", code="SH", kind=StationKind.HUB)
    assert "code" in error.value.error_dict


def test_update_of_another_team_by_a_chief_is_404(world):
    with pytest.raises(Http404):
        services.station_update(station=world.station_b, user=world.users["chief_a"], name="改名")
    world.station_b.refresh_from_db()
    assert world.station_b.name == "驻北京招商站"


def test_a_hub_cannot_become_its_own_ancestor(world):
    hub = StationFactory(kind=StationKind.HUB)
    branch = StationFactory(kind=StationKind.BRANCH, parent=hub)
    with pytest.raises(ValidationError):
        services.station_update(station=hub, user=world.users["bureau"], parent=branch)
    hub.refresh_from_db()
    assert hub.parent is None


def test_a_second_current_chief_is_refused(world):
    newcomer = PersonFactory()
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.posting_create(
            user=world.users["bureau"], station=world.station_a, person=newcomer,
            role=PostingRole.CHIEF, start_date=datetime.date(2026, 1, 1),
        )
    assert "This team already has a chief; end that posting first." in str(error.value)
    assert world.station_a.postings.current().chiefs().count() == 1


def test_the_database_itself_allows_one_current_chief(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.create(
            person=PersonFactory(), station=world.station_a, role=PostingRole.CHIEF, title="主任",
            start_date=datetime.date(2026, 1, 1),
        )


def test_after_ending_the_chief_a_new_chief_can_be_posted(world):
    bureau = world.users["bureau"]
    services.posting_end(posting=world.postings["chief_a"], user=bureau, ended_on=datetime.date(2026, 6, 30),
                         reason="任期届满")
    posting = services.posting_create(
        user=bureau, station=world.station_a, person=PersonFactory(), role=PostingRole.CHIEF,
        start_date=datetime.date(2026, 7, 1),
    )
    assert posting.title == "主任"  # from the active Xiangzhou preset
    assert world.station_a.postings.current().chiefs().get() == posting


def test_team_size_is_not_limited(world):
    one_person = StationFactory(kind=StationKind.BRANCH)
    services.posting_create(user=world.users["bureau"], station=one_person, person=PersonFactory(),
                            role=PostingRole.CHIEF, start_date=datetime.date(2026, 1, 1))
    for _ in range(5):
        services.posting_create(user=world.users["bureau"], station=world.station_a, person=PersonFactory(),
                                role=PostingRole.STAFF, start_date=datetime.date(2026, 1, 1))
    assert one_person.postings.current().count() == 1
    assert world.station_a.postings.current().count() == 3 + 5


def test_a_person_cannot_be_posted_twice_to_the_same_team(world):
    with pytest.raises(ValidationError):
        services.posting_create(user=world.users["bureau"], station=world.station_a,
                                person=world.person("staff_a"), role=PostingRole.STAFF,
                                start_date=datetime.date(2026, 1, 1))


def test_a_posting_cannot_end_before_it_starts(world):
    posting = world.postings["staff_a"]
    with pytest.raises(ValidationError):
        services.posting_end(posting=posting, user=world.users["bureau"], ended_on=datetime.date(2024, 1, 1),
                             reason="错误")
    posting.refresh_from_db()
    assert posting.ended_on is None


def test_ending_needs_a_reason_and_happens_once(world):
    posting = world.postings["staff_a"]
    with pytest.raises(ValidationError):
        services.posting_end(posting=posting, user=world.users["bureau"], ended_on=datetime.date(2026, 1, 1),
                             reason="  ")
    services.posting_end(posting=posting, user=world.users["bureau"], ended_on=datetime.date(2026, 1, 1),
                         reason="调回原单位")
    with pytest.raises(ValidationError):
        services.posting_end(posting=posting, user=world.users["bureau"], ended_on=datetime.date(2026, 2, 1),
                             reason="再次")
    posting.refresh_from_db()
    assert posting.ended_on == datetime.date(2026, 1, 1)
    assert posting.history.first().history_user == world.users["bureau"]


def test_title_follows_the_active_profile(world):
    from ..conftest import activate_preset

    activate_preset("susong")
    branch = StationFactory(kind=StationKind.BRANCH)
    posting = services.posting_create(user=world.users["bureau"], station=branch, person=PersonFactory(),
                                      role=PostingRole.CHIEF, start_date=datetime.date(2026, 1, 1))
    assert posting.title == "局长"
    activate_preset("xuancheng")
    group = StationFactory(kind=StationKind.CITY_GROUP)
    posting = services.posting_create(user=world.users["bureau"], station=group, person=PersonFactory(),
                                      role=PostingRole.CHIEF, start_date=datetime.date(2026, 1, 1))
    assert posting.title == "组长"


def test_term_ending_reminder_opens_for_the_bureau_and_closes_when_ended(world):
    today = datetime.date(2026, 11, 1)
    posting = world.postings["staff_a"]
    posting.term_end = datetime.date(2026, 12, 20)
    posting.save()
    services.todo_refresh_term_ending(posting=posting, today=today)
    services.todo_refresh_term_ending(posting=posting, today=today)  # idempotent
    open_items = TodoItem.objects.open().filter(kind=TodoKind.TERM_ENDING)
    assert sorted(open_items.values_list("user__username", flat=True)) == ["bureau", "bureau_a"]
    services.posting_end(posting=posting, user=world.users["bureau"], ended_on=datetime.date(2026, 11, 5),
                         reason="任期届满")
    assert not TodoItem.objects.open().filter(kind=TodoKind.TERM_ENDING).exists()


def test_no_reminder_for_a_term_far_away(world):
    posting = world.postings["staff_a"]
    posting.term_end = datetime.date(2027, 12, 31)
    posting.save()
    services.todo_refresh_term_ending(posting=posting, today=datetime.date(2026, 11, 1))
    assert not TodoItem.objects.filter(kind=TodoKind.TERM_ENDING).exists()


def test_todo_done_only_by_its_owner(world):
    item = TodoItem.objects.create(user=world.users["chief_a"], kind=TodoKind.TASK, title="x")
    with pytest.raises(PermissionDenied):
        services.todo_done(item=item, user=world.users["chief_b"])
    services.todo_done(item=item, user=world.users["chief_a"])
    item.refresh_from_db()
    assert item.done_at is not None


@pytest.mark.parametrize("kind", [TodoKind.APPROVAL, TodoKind.RETURNED, TodoKind.TASK])
def test_an_item_that_closes_itself_is_not_dismissed_by_hand(world, kind):
    # Dismissing an approval would leave the request undecided with nobody reminded of it.
    item = TodoItem.objects.create(user=world.users["chief_a"], kind=kind, title="审批", target=world.station_a)
    with translation.override("en"), pytest.raises(ValidationError, match="closes by itself"):
        services.todo_done(item=item, user=world.users["chief_a"])
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.parametrize("kind", [TodoKind.REMINDER, TodoKind.TERM_ENDING])
def test_a_reminder_or_notice_is_dismissed_by_hand(world, kind):
    item = TodoItem.objects.create(user=world.users["chief_a"], kind=kind, title="提醒", target=world.station_a)
    services.todo_done(item=item, user=world.users["chief_a"])
    item.refresh_from_db()
    assert item.done_at is not None


def test_person_edit_is_recorded_with_the_user(world):
    person = world.person("chief_b")
    services.person_update(person=person, user=world.users["bureau"], phone="13900001111")
    person.refresh_from_db()
    assert person.phone == "13900001111"
    assert person.history.first().history_user == world.users["bureau"]
    with pytest.raises(ValidationError):
        services.person_update(person=person, user=world.users["bureau"], phone="12345")
    with pytest.raises(PermissionDenied):
        services.person_update(person=person, user=world.users["chief_b"], phone="13900002222")


def test_a_posting_that_has_not_started_gives_no_access(world):
    from stations.permissions import Action, stations_for

    person = world.person("chief_b")
    services.posting_create(user=world.users["bureau"], station=world.station_a, person=person,
                            role=PostingRole.STAFF, start_date=timezone.localdate() + datetime.timedelta(days=30))
    user = type(world.users["chief_b"]).objects.get(pk=world.users["chief_b"].pk)
    assert list(stations_for(user, Action.VIEW)) == [world.station_b]


def test_a_posting_cannot_be_ended_in_the_future(world):
    posting = world.postings["staff_a"]
    with pytest.raises(ValidationError) as error:
        services.posting_end(posting=posting, user=world.users["bureau"],
                             ended_on=timezone.localdate() + datetime.timedelta(days=2), reason="提前登记")
    assert "ended_on" in error.value.error_dict


def test_promotion_to_chief_takes_the_chief_title(world):
    bureau = world.users["bureau"]
    services.posting_end(posting=world.postings["chief_b"], user=bureau, ended_on=datetime.date(2026, 1, 1),
                         reason="调离")
    staff = PostingFactory(station=world.station_b, title="工作人员")
    staff = services.posting_update(posting=staff, user=bureau, role=PostingRole.CHIEF)
    assert staff.title == "主任"
    staff = services.posting_update(posting=staff, user=bureau, title="")
    assert staff.title == "主任"


def test_a_race_past_validation_gets_the_constraints_own_message(world):
    from stations.services import _constraint_error

    posting = Posting(person=PersonFactory(), station=world.station_a, role=PostingRole.CHIEF, title="主任",
                      start_date=datetime.date(2026, 1, 1))
    with translation.override("en"):
        try:
            with transaction.atomic():
                posting.save()  # the database refuses: the team has a chief
        except IntegrityError as exc:
            message = " ".join(_constraint_error(posting, exc).messages)
    assert message == "This team already has a chief; end that posting first."


def test_a_parent_must_be_a_hub(world):
    with pytest.raises(ValidationError) as error:
        services.station_update(station=world.station_a, user=world.users["bureau"], parent=world.station_b)
    assert "parent" in error.value.error_dict


def test_bureau_user_does_not_manage_their_own_team(world):
    with pytest.raises(PermissionDenied):
        services.posting_update(posting=world.postings["bureau_a"], user=world.users["bureau_a"], title="主任助理")
    services.posting_update(posting=world.postings["bureau_a"], user=world.users["bureau"], title="主任助理")
