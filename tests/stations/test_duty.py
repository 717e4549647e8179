"""Work logs and presence: one log a day, only one's own, counted against the profile's targets."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from stations import duty
from stations.models import StationKind, WorkLog

from ..conftest import activate_preset
from ..factories import PostingFactory, StationFactory

TODAY = timezone.localdate()


def test_a_person_writes_one_log_a_day(world):
    user = world.users["chief_a"]
    duty.worklog_save(user=user, station=world.station_a, date=TODAY, whereabouts="at_post", activities="拜访两家企业")
    duty.worklog_save(user=user, station=world.station_a, date=TODAY, whereabouts="travel", activities="赴苏州")
    log = WorkLog.objects.get()
    assert (log.whereabouts, log.activities, log.person) == ("travel", "赴苏州", world.person("chief_a"))
    assert log.history.count() == 2


def test_no_log_for_tomorrow_another_team_or_before_the_posting(world):
    user = world.users["chief_a"]
    with pytest.raises(ValidationError):
        duty.worklog_save(user=user, station=world.station_a, date=timezone.localdate() + datetime.timedelta(days=2),
                          whereabouts="at_post")
    with pytest.raises(PermissionDenied):
        duty.worklog_save(user=user, station=world.station_b, date=TODAY, whereabouts="at_post")
    with pytest.raises(ValidationError):  # postings in the fixtures start on 2025-03-01
        duty.worklog_save(user=user, station=world.station_a, date=datetime.date(2025, 2, 28), whereabouts="at_post")
    with pytest.raises(PermissionDenied):
        duty.worklog_save(user=world.users["bureau"], station=world.station_a, date=TODAY, whereabouts="at_post")
    assert not WorkLog.objects.exists()


def log_days(world, persona, station, days, whereabouts="at_post", year=2026, month=3):
    for day in days:
        duty.worklog_save(user=world.users[persona], station=station, date=datetime.date(year, month, day),
                          whereabouts=whereabouts)


def test_shanting_counts_days_at_post_against_twenty(world, client_for):
    activate_preset("shanting")
    log_days(world, "chief_a", world.station_a, range(1, 20))  # 19 days at post
    log_days(world, "chief_a", world.station_a, [20, 21], "leave")
    log_days(world, "chief_a", world.station_a, [22], "home_service")  # not yet approved: not at post
    log_days(world, "chief_a", world.station_a, [23], "travel")  # a work trip counts
    log_days(world, "chief_a", world.station_a, [5, 6], month=1)
    month = duty.person_month(user=world.users["chief_a"], person=world.person("chief_a"), station=world.station_a,
                              year=2026, month=3)
    assert (month["on_post"], month["target"]) == (20, 20)
    assert (month["year_on_post"], month["year_target"]) == (22, 240)  # January's two days and March's
    grid = client_for("chief_a").get(reverse("stations:team_month", args=[world.station_a.pk]),
                                     {"month": "2026-03"}).context["grid"]
    rows = {row["person"].name: (row["on_post"], row["behind"]) for row in grid["rows"]}
    assert rows["chief_a"] == (20, False)
    assert rows["staff_a"] == (0, True)


def test_another_teams_chief_reads_a_shared_persons_days_but_not_the_work_done_for_another_team(world, client_for):
    import zoneinfo

    import time_machine

    staff = world.users["staff_a"]
    PostingFactory(person=staff.person, station=world.station_b, home_unit=world.unit_a,
                   start_date=datetime.date(2026, 3, 1))
    url, query = reverse("stations:worklog_month"), {"person": staff.person.pk, "month": "2026-03"}

    def day(response, number):
        return next(entry for entry in response.context["calendar"]["days"] if entry["date"].day == number)

    with time_machine.travel(datetime.datetime(2026, 3, 11, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
                             tick=False):
        duty.worklog_save(user=staff, station=world.station_a, date=datetime.date(2026, 3, 10),
                          whereabouts="at_post", activities="陪同上海站重点客商考察经开区地块")
        duty.worklog_save(user=staff, station=world.station_b, date=datetime.date(2026, 3, 11),
                          whereabouts="at_post", activities="对接北京商会")
        response = client_for("chief_b").get(url, query)
        # chief_b reads staff_a's days (staff_a works for B too) and what was done for B, not for A.
        assert response.status_code == HTTPStatus.OK
        assert "陪同上海站重点客商考察经开区地块" not in response.content.decode()
        assert (day(response, 10)["state"], day(response, 10)["activities"]) == ("on_post", "")
        assert day(response, 11)["activities"] == "对接北京商会"
        # The person keeps reading their own work for a team they have since left.
        staff.person.postings.filter(station=world.station_a).update(ended_on=datetime.date(2026, 3, 10))
        staff = type(staff).objects.get(pk=staff.pk)  # its scope read afresh: posted to B only
        own = duty.person_month(user=staff, person=staff.person, station=world.station_b, year=2026, month=3)
        assert next(entry for entry in own["days"] if entry["date"].day == 10)["activities"] == \
            "陪同上海站重点客商考察经开区地块"
        staff.person.postings.filter(station=world.station_a).update(ended_on=None)
        for persona in ("chief_a", "staff_a", "bureau"):  # A's chief, the person, an office that reads all
            response = client_for(persona).get(url, query)
            assert day(response, 10)["activities"] == "陪同上海站重点客商考察经开区地块"
            # In full below the grid, which cuts it short.
            listed = response.content.decode().split('data-testid="month-activities"')[1].split("</details>")[0]
            assert "03-10" in listed and "陪同上海站重点客商考察经开区地块" in listed


def test_no_presence_target_for_a_team_kind_that_is_not_resident(world):
    activate_preset("shanting")
    group = StationFactory(kind=StationKind.CITY_GROUP)
    assert duty.team_month(station=group, year=2026, month=3)["target"] is None
    activate_preset("xiangzhou")  # sets no presence target at all
    assert duty.team_month(station=world.station_a, year=2026, month=3)["target"] is None


def test_today_form_saves_and_redirects_to_the_month(world, client_for):
    response = client_for("staff_a").post(reverse("stations:worklog_today"), {
        "station": world.station_a.pk, "date": TODAY.isoformat(), "whereabouts": "at_post",
        "activities": "对接新能源项目"})
    assert response.status_code == HTTPStatus.FOUND
    assert WorkLog.objects.get().activities == "对接新能源项目"
    response = client_for("staff_a").post(reverse("stations:worklog_today"), {
        "station": world.station_b.pk, "date": TODAY.isoformat(), "whereabouts": "at_post"})
    assert response.status_code == HTTPStatus.OK and response.context["form"].errors
    assert WorkLog.objects.count() == 1


def test_the_month_of_logs_names_its_weekdays_and_months(world, client_for):
    import re

    page = client_for("staff_a", HTTP_ACCEPT_LANGUAGE="en").get(reverse("stations:worklog_month")).content.decode()
    heads = re.findall(r'data-testid="weekday">([^<]+)<', page)
    assert heads == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert ">Previous month</a>" in page and ">Next month</a>" in page


@pytest.mark.parametrize("month", ["2026-13", "abc", "1999-01", ""])
def test_a_bad_month_shows_this_month(world, client_for, month):
    response = client_for("chief_a").get(reverse("stations:team_month", args=[world.station_a.pk]), {"month": month})
    assert (response.context["year"], response.context["month"]) == (TODAY.year, TODAY.month)


@pytest.mark.parametrize("extra", [1, 10])
def test_team_month_query_count_does_not_grow(world, client_for, django_assert_num_queries, extra):
    for _ in range(extra):
        posting = PostingFactory(station=world.station_a)
        WorkLog.objects.create(person=posting.person, station=world.station_a, date=TODAY, whereabouts="at_post",
                               created_by=world.users["bureau"])
    client = client_for("bureau")
    # the 6 of every page, the station, postings, logs, the holiday calendar, the targets
    # (the version in force, team kind)
    with django_assert_num_queries(14):
        response = client.get(reverse("stations:team_month", args=[world.station_a.pk]))
    assert len(response.context["grid"]["rows"]) == 3 + extra


def test_team_month_marks_holidays_and_weekends(world, client_for):
    from django.core.management import call_command

    call_command("load_holidays", year=2026, verbosity=0)
    grid = client_for("chief_a").get(reverse("stations:team_month", args=[world.station_a.pk]),
                                     {"month": "2026-10"}).context["grid"]
    working = {day["date"].day for day in grid["days"] if day["working"]}
    assert 1 not in working and 7 not in working  # 国庆节
    assert 10 in working  # the adjusted Saturday
    assert 9 in working and 11 not in working  # Friday; Sunday
