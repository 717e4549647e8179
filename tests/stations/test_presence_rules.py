"""Presence rules at their edges: leave and home service, checks overriding logs, and the away
warnings (14 and 15 consecutive days; 29 and 30 working days, holidays and adjusted working days)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stations import absences, checks, duty
from stations.models import (
    Absence,
    AbsenceKind,
    CalendarDay,
    Profile,
    RequestStatus,
    SpotCheck,
    Station,
    StationKind,
    TodoItem,
    WorkLog,
)
from stations.models.todo import TodoKind
from stations.presence import Day, days_by_month, presence
from stations.warnings import compute

from ..conftest import activate_preset, add_version

D = datetime.date
TODAY = timezone.localdate()


def version():
    return Profile.objects.active().get().version_for()


def set_rules(**values):
    current = version()
    for name, value in values.items():
        setattr(current, name, value)
    current.save()


def fill_logs(world, persona, first, last, whereabouts="at_post"):
    """A log for every day from `first` to `last` (written directly: these tests are about what
    the logs count as, not about writing them)."""
    person = world.person(persona)
    station = world.postings[persona].station
    rows, day = [], first
    while day <= last:
        rows.append(WorkLog(person=person, station=station, date=day, whereabouts=whereabouts,
                            created_by=world.users[persona]))
        day += datetime.timedelta(days=1)
    WorkLog.objects.bulk_create(rows)


def mark(world, persona, days, whereabouts):
    WorkLog.objects.filter(person=world.person(persona), date__in=days).update(whereabouts=whereabouts)


def span(first, count):
    return [first + datetime.timedelta(days=offset) for offset in range(count)]


def kinds_for(warnings, persona_person):
    return sorted(warning.kind for warning in warnings if warning.person == persona_person and not warning.handled)


# --- Leave: the chain and the monthly allowance --------------------------------------------------

def request_leave(world, persona, first, last, by=None):
    user = world.users[by or persona]
    return absences.absence_request(user=user, person=world.person(persona), station=world.postings[persona].station,
                                    kind=AbsenceKind.LEAVE, start_date=first, end_date=last, reason="探亲")


def test_shanting_leave_is_scheduled_approved_and_filed_each_step_a_row(world, django_user_model):
    activate_preset("shanting")
    first = TODAY + datetime.timedelta(days=3)
    leave = request_leave(world, "staff_a", first, first + datetime.timedelta(days=1))
    assert leave.status == RequestStatus.PENDING
    # The chief schedules first: the leader cannot act yet, and nobody acts on their own request.
    with pytest.raises(PermissionDenied):
        absences.absence_decide(absence=leave, user=world.users["leader"], approve=True)
    with pytest.raises(PermissionDenied):
        absences.absence_decide(absence=leave, user=world.users["staff_a"], approve=True)
    assert TodoItem.objects.open().filter(user=world.users["chief_a"], kind=TodoKind.APPROVAL).count() == 1
    absences.absence_decide(absence=leave, user=world.users["chief_a"], approve=True)
    assert TodoItem.objects.open().filter(user=world.users["chief_a"], kind=TodoKind.APPROVAL).count() == 0
    assert TodoItem.objects.open().filter(user=world.users["leader"], kind=TodoKind.APPROVAL).count() == 1
    absences.absence_decide(absence=leave, user=world.users["leader"], approve=True, comment="同意")
    leave.refresh_from_db()
    assert leave.status == RequestStatus.PENDING  # the bureau still files it
    # bureau_a is posted to station A: it does not file its own team's leave.
    with pytest.raises(PermissionDenied):
        absences.absence_decide(absence=leave, user=world.users["bureau_a"], approve=True)
    absences.absence_decide(absence=leave, user=world.users["bureau"], approve=True)
    leave.refresh_from_db()
    assert leave.status == RequestStatus.APPROVED
    assert [(d.actor, d.action, d.outcome) for d in leave.decisions.all()] == [
        ("chief", "schedule", "done"), ("leadership", "approve", "done"), ("bureau", "file", "done")]
    assert not TodoItem.objects.open().filter(kind=TodoKind.APPROVAL).exists()


def test_a_refusal_needs_a_reason_and_ends_the_request(world):
    activate_preset("shanting")
    first = TODAY + datetime.timedelta(days=3)
    leave = request_leave(world, "chief_a", first, first)  # the chief's own request: scheduled by making it
    assert leave.decisions.get().action == "schedule"
    with pytest.raises(ValidationError):
        absences.absence_decide(absence=leave, user=world.users["leader"], approve=False, comment=" ")
    absences.absence_decide(absence=leave, user=world.users["leader"], approve=False, comment="近期有重要接待")
    leave.refresh_from_db()
    assert leave.status == RequestStatus.REFUSED
    with pytest.raises(ValidationError):
        absences.absence_decide(absence=leave, user=world.users["bureau"], approve=True)


def test_leave_past_the_monthly_allowance_is_refused_with_a_message(world):
    activate_preset("shanting")  # 5 days a month
    request_leave(world, "staff_a", D(2026, 12, 1), D(2026, 12, 4))
    request_leave(world, "staff_a", D(2026, 12, 20), D(2026, 12, 20))  # exactly 5: allowed
    with pytest.raises(ValidationError) as refused:
        request_leave(world, "staff_a", D(2026, 12, 28), D(2026, 12, 28))
    assert "5" in str(refused.value) and "2026-12" in str(refused.value)
    assert Absence.objects.count() == 2


def test_leave_across_a_month_end_counts_in_each_month(world):
    activate_preset("shanting")
    assert days_by_month(D(2026, 12, 29), D(2027, 1, 3)) == {(2026, 12): 3, (2027, 1): 3}
    request_leave(world, "staff_a", D(2026, 12, 29), D(2027, 1, 3))  # 3 + 3
    request_leave(world, "staff_a", D(2027, 1, 10), D(2027, 1, 11))  # January: 3 + 2 = 5
    request_leave(world, "staff_a", D(2026, 12, 10), D(2026, 12, 11))  # December: 3 + 2 = 5
    with pytest.raises(ValidationError):
        request_leave(world, "staff_a", D(2027, 1, 20), D(2027, 1, 20))  # January would be 6


def test_refused_and_withdrawn_leave_gives_its_days_back(world):
    activate_preset("shanting")
    leave = request_leave(world, "staff_a", D(2026, 12, 1), D(2026, 12, 5))
    with pytest.raises(ValidationError):
        request_leave(world, "staff_a", D(2026, 12, 10), D(2026, 12, 10))
    absences.absence_withdraw(absence=leave, user=world.users["staff_a"])
    request_leave(world, "staff_a", D(2026, 12, 10), D(2026, 12, 10))


def test_overlapping_requests_and_other_teams_are_refused(world):
    activate_preset("shanting")
    request_leave(world, "staff_a", D(2026, 12, 1), D(2026, 12, 2))
    with pytest.raises(ValidationError):
        absences.absence_request(user=world.users["staff_a"], person=world.person("staff_a"),
                                 station=world.station_a, kind=AbsenceKind.HOME_SERVICE, start_date=D(2026, 12, 2),
                                 end_date=D(2026, 12, 3), serving="某新能源公司")
    with pytest.raises(PermissionDenied):  # staff_a does not schedule a colleague's leave
        request_leave(world, "chief_a", D(2026, 12, 10), D(2026, 12, 10), by="staff_a")
    with pytest.raises(PermissionDenied):  # chief_b is not chief of station A
        request_leave(world, "staff_a", D(2026, 12, 10), D(2026, 12, 10), by="chief_b")
    assert Absence.objects.count() == 1


def test_leave_at_a_team_without_presence_rules_is_refused(world):
    activate_preset("all-staff")  # home-based teams: no presence rules
    with pytest.raises(ValidationError):
        request_leave(world, "staff_a", D(2026, 12, 1), D(2026, 12, 2))


# --- What a day counts as -------------------------------------------------------------------------

def test_home_service_counts_at_post_only_once_approved(world):
    activate_preset("xiangzhou")  # chief schedules, the bureau approves
    first = TODAY - datetime.timedelta(days=3)
    fill_logs(world, "staff_a", first, first + datetime.timedelta(days=1), "home_service")
    person_id = world.person("staff_a").pk
    assert presence([person_id], first, first).day(person_id, first) == Day.AWAY
    service = absences.absence_request(user=world.users["staff_a"], person=world.person("staff_a"),
                                       station=world.station_a, kind=AbsenceKind.HOME_SERVICE, start_date=first,
                                       end_date=first + datetime.timedelta(days=1), serving="华星新材料来区考察")
    assert presence([person_id], first, first).day(person_id, first) == Day.AWAY  # pending is not approved
    absences.absence_decide(absence=service, user=world.users["chief_a"], approve=True)
    absences.absence_decide(absence=service, user=world.users["bureau"], approve=True)
    facts = presence([person_id], first, first + datetime.timedelta(days=1))
    assert facts.count(person_id, Day.ON_POST) == 2


def test_home_service_must_name_the_company(world):
    with pytest.raises(ValidationError):
        absences.absence_request(user=world.users["staff_a"], person=world.person("staff_a"),
                                 station=world.station_a, kind=AbsenceKind.HOME_SERVICE,
                                 start_date=D(2026, 12, 1), end_date=D(2026, 12, 1), serving="")


def test_an_abnormal_check_overrides_a_day_logged_at_post_and_flags_it(world):
    day = TODAY - datetime.timedelta(days=2)
    fill_logs(world, "staff_a", day, day)
    person = world.person("staff_a")
    with pytest.raises(ValidationError):  # an abnormal check must say what was found
        checks.check_record(user=world.users["bureau"], person=person, station=world.station_a, date=day,
                            method="video", result="abnormal", note="")
    check = checks.check_record(user=world.users["bureau"], person=person, station=world.station_a, date=day,
                                method="video", result="abnormal", note="本人不在驻地")
    assert check.contradicts_log
    facts = presence([person.pk], day, day)
    assert facts.day(person.pk, day) == Day.AWAY and facts.false_reports(person.pk) == [day]
    month = duty.person_month(user=world.users["bureau"], person=person, station=world.station_a, year=day.year,
                              month=day.month)
    assert [entry for entry in month["days"] if entry["date"] == day][0]["false_report"]
    keys = [warning.key for warning in compute(Station.objects.all(), TODAY)]
    assert f"false_report:{person.pk}:{day}" in keys


def test_a_normal_check_or_one_on_a_day_logged_away_flags_nothing(world):
    day = TODAY - datetime.timedelta(days=2)
    fill_logs(world, "staff_a", day, day, "absent")
    person = world.person("staff_a")
    check = checks.check_record(user=world.users["bureau"], person=person, station=world.station_a, date=day,
                                method="phone", result="abnormal", note="电话未接通")
    assert not check.contradicts_log
    assert presence([person.pk], day, day).false_reports(person.pk) == []


def test_only_reviewing_offices_check_and_never_their_own_team(world):
    day = TODAY - datetime.timedelta(days=2)
    for persona in ("chief_a", "leader", "bureau_a"):
        with pytest.raises(PermissionDenied):
            checks.check_record(user=world.users[persona], person=world.person("staff_a"), station=world.station_a,
                                date=day, method="phone", result="normal")
    assert not SpotCheck.objects.exists()


def test_a_check_is_recorded_for_a_day_of_a_posting_that_has_since_ended(world, client_for):
    import zoneinfo

    import time_machine
    from django.urls import reverse

    from stations import services

    def at(day):
        return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10,
                                                     tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False)

    posting = world.postings["staff_a"]
    with at(D(2026, 3, 20)):
        services.posting_end(posting=posting, user=world.users["bureau"], ended_on=D(2026, 3, 20), reason="任期届满")
    # A week later the bureau enters the phone check it made on the 18th, when staff_a was still posted.
    client = client_for("bureau")
    data = {"posting": posting.pk, "method": "phone", "result": "abnormal", "note": "电话无人接听，本人在老家"}
    with at(D(2026, 3, 25)):
        assert f'value="{posting.pk}"' in client.get(reverse("stations:check_create")).content.decode()
        response = client.post(reverse("stations:check_create"), {**data, "date": "2026-03-21"})
        assert response.status_code == 200  # the 21st is after it ended
        assert response.context["form"].non_field_errors() == ["staff_a 当天未派驻在该团队。"]
        assert client.post(reverse("stations:check_create"), {**data, "date": "2026-03-18"}).status_code == 302
    assert SpotCheck.objects.get().date == D(2026, 3, 18)
    with at(D(2026, 5, 2)):  # ended before last month began: no longer offered
        assert f'value="{posting.pk}"' not in client.get(reverse("stations:check_create")).content.decode()


def test_a_check_fills_the_planned_line_of_its_month(world):
    month = (TODAY - datetime.timedelta(days=2)).replace(day=1)
    line = checks.plan_pick(user=world.users["bureau"], month=month, posting=world.postings["staff_a"])
    with pytest.raises(ValidationError):  # once a month
        checks.plan_pick(user=world.users["bureau"], month=month, posting=world.postings["staff_a"])
    check = checks.check_record(user=world.users["bureau"], person=world.person("staff_a"), station=world.station_a,
                                date=TODAY - datetime.timedelta(days=2), method="phone", result="normal")
    line.refresh_from_db()
    assert line.check_done == check


def test_the_plan_draw_takes_people_not_yet_planned(world):
    import random

    month = TODAY.replace(day=1)
    drawn = checks.plan_draw(user=world.users["bureau"], month=month, count=10, rng=random.Random(1))
    # bureau_a is posted to A but reads both teams: everyone posted to a resident team is checkable.
    assert sorted(line.person.name for line in drawn) == ["bureau_a", "chief_a", "chief_b", "staff_a"]
    assert checks.plan_draw(user=world.users["bureau"], month=month, count=3) == []


# --- Away warnings -----------------------------------------------------------------------------

AS_OF = D(2026, 6, 30)


@pytest.fixture
def logged(world):
    """Everyone of station A logged at post every day from their posting to the day before AS_OF;
    a day without a log does not count here (see the last test for the other reading)."""
    set_rules(unlogged_days_away=False, no_progress_months=None)
    for persona in ("chief_a", "staff_a", "bureau_a"):
        fill_logs(world, persona, D(2025, 3, 1), AS_OF - datetime.timedelta(days=1))
    return world


@pytest.mark.parametrize(("days", "warned"), [(14, False), (15, True)])
def test_away_fourteen_and_fifteen_consecutive_calendar_days(logged, days, warned):
    mark(logged, "staff_a", span(D(2026, 5, 1), days), "absent")
    warnings = compute(Station.objects.all(), AS_OF)
    assert ("away_streak" in kinds_for(warnings, logged.person("staff_a"))) is warned
    assert "away_streak" not in kinds_for(warnings, logged.person("chief_a"))


def test_approved_leave_breaks_a_streak_and_is_not_away(logged):
    activate_preset("xiangzhou")
    set_rules(unlogged_days_away=False, no_progress_months=None)
    mark(logged, "staff_a", span(D(2026, 5, 1), 20), "leave")
    leave = Absence.objects.create(person=logged.person("staff_a"), station=logged.station_a, kind="leave",
                                   start_date=D(2026, 5, 8), end_date=D(2026, 5, 12),
                                   status=RequestStatus.APPROVED, requested_by=logged.users["staff_a"])
    warnings = compute(Station.objects.all(), AS_OF)
    # Unapproved leave: 7 days, approved 5, unapproved 8 — no run of 15.
    assert "away_streak" not in kinds_for(warnings, logged.person("staff_a"))
    leave.status = RequestStatus.REFUSED
    leave.save()
    warnings = compute(Station.objects.all(), AS_OF)
    assert "away_streak" in kinds_for(warnings, logged.person("staff_a"))


def weekdays_from(first, count, skip=()):
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5 and day not in skip:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


@pytest.mark.parametrize(("days", "warned"), [(29, False), (30, True)])
def test_twenty_nine_and_thirty_working_days_away_in_the_window(logged, days, warned):
    # Two days a week, so never fifteen in a row.
    away = [day for day in weekdays_from(D(2025, 9, 1), 200) if day.weekday() in (1, 3)][:days]
    mark(logged, "staff_a", away, "absent")
    warnings = compute(Station.objects.all(), AS_OF)
    assert ("away_total" in kinds_for(warnings, logged.person("staff_a"))) is warned
    assert "away_streak" not in kinds_for(warnings, logged.person("staff_a"))


def test_holidays_do_not_count_and_adjusted_working_days_do(logged):
    away = [day for day in weekdays_from(D(2025, 9, 1), 200) if day.weekday() in (1, 3)][:29]
    # A holiday on one of those weekdays takes it out of the count …
    CalendarDay.objects.create(date=away[0], kind="holiday", name="调休假")
    mark(logged, "staff_a", away, "absent")
    # … and one more day away on an adjusted working Saturday brings it back to 29 …
    saturday = D(2026, 2, 28)
    CalendarDay.objects.create(date=saturday, kind="workday", name="春节调休上班")
    mark(logged, "staff_a", [saturday], "absent")
    assert "away_total" not in kinds_for(compute(Station.objects.all(), AS_OF),
                                         logged.person("staff_a"))
    # … while an ordinary Sunday away does not count at all; a thirtieth working day does.
    mark(logged, "staff_a", [D(2026, 3, 1)], "absent")
    assert "away_total" not in kinds_for(compute(Station.objects.all(), AS_OF),
                                         logged.person("staff_a"))
    mark(logged, "staff_a", [D(2026, 3, 2)], "absent")
    assert "away_total" in kinds_for(compute(Station.objects.all(), AS_OF),
                                     logged.person("staff_a"))


def test_the_window_can_be_shorter_than_the_term(logged):
    away = [day for day in weekdays_from(D(2025, 9, 1), 300) if day.weekday() in (1, 3)][:30]
    mark(logged, "staff_a", away, "absent")
    set_rules(unlogged_days_away=False, no_progress_months=None, away_window_days=90)
    assert "away_total" not in kinds_for(compute(Station.objects.all(), AS_OF),
                                         logged.person("staff_a"))


def test_days_without_a_log_count_as_away_when_the_profile_says_so(logged):
    WorkLog.objects.filter(person=logged.person("staff_a"), date__range=(D(2026, 5, 1), D(2026, 5, 15))).delete()
    assert "away_streak" not in kinds_for(compute(Station.objects.all(), AS_OF),
                                          logged.person("staff_a"))
    set_rules(unlogged_days_away=True, no_progress_months=None)
    assert "away_streak" in kinds_for(compute(Station.objects.all(), AS_OF),
                                      logged.person("staff_a"))


def test_fewer_days_at_post_last_month_than_the_target(logged):
    activate_preset("shanting")  # 20 calendar days a month
    set_rules(unlogged_days_away=False, no_progress_months=None)
    mark(logged, "staff_a", span(D(2026, 5, 1), 11), "absent")  # May: 20 days at post
    mark(logged, "chief_a", span(D(2026, 5, 1), 12), "travel")  # a work trip is at post
    warnings = compute(Station.objects.all(), AS_OF)
    assert "on_post_short" not in kinds_for(warnings, logged.person("staff_a"))
    assert "on_post_short" not in kinds_for(warnings, logged.person("chief_a"))
    mark(logged, "staff_a", [D(2026, 5, 12)], "absent")  # 19
    warnings = compute(Station.objects.all(), AS_OF)
    assert "on_post_short" in kinds_for(warnings, logged.person("staff_a"))


@pytest.mark.parametrize("next_year", [{"on_post_days_month": None},
                                       {"resident": {StationKind.RESIDENT_STATION: False}}],
                         ids=["no-target", "not-resident"])
def test_in_january_last_december_is_judged_by_last_years_rules(world, next_year):
    activate_preset("shanting")  # 2026: at least 20 days at post a month at a resident station
    set_rules(unlogged_days_away=False, no_progress_months=None)
    fill_logs(world, "staff_a", D(2026, 12, 1), D(2026, 12, 19))  # 19 days at post in December
    fill_logs(world, "chief_a", D(2026, 12, 1), D(2026, 12, 20))  # 20
    add_version(2027, **next_year)  # 2027 drops the target, or no longer holds the station resident
    warnings = compute(Station.objects.all(), D(2027, 1, 10))
    assert "on_post_short" in kinds_for(warnings, world.person("staff_a"))
    assert "on_post_short" not in kinds_for(warnings, world.person("chief_a"))
    # December 2027 is judged by 2027's rules.
    fill_logs(world, "staff_a", D(2027, 12, 1), D(2027, 12, 1))
    assert "on_post_short" not in kinds_for(compute(Station.objects.all(), D(2028, 1, 10)), world.person("staff_a"))


def test_presence_warnings_do_not_apply_to_teams_that_are_not_resident(logged):
    activate_preset("all-staff")
    set_rules(unlogged_days_away=False, no_progress_months=None)
    mark(logged, "staff_a", span(D(2026, 5, 1), 20), "absent")
    assert kinds_for(compute(Station.objects.all(), AS_OF), logged.person("staff_a")) == []


def test_a_streak_keeps_its_key_from_day_to_day_when_the_window_is_shorter(logged):
    set_rules(unlogged_days_away=False, no_progress_months=None, away_window_days=30)
    mark(logged, "staff_a", span(D(2026, 4, 1), 60), "absent")
    first = {w.key for w in compute(Station.objects.all(), AS_OF) if w.kind == "away_streak"}
    second = {w.key for w in compute(Station.objects.all(), AS_OF + datetime.timedelta(days=1))
              if w.kind == "away_streak"}
    assert first == second == {f"away_streak:{logged.postings['staff_a'].pk}:2026-04-01"}


def test_leave_cannot_rewrite_a_month_already_reported_nor_run_for_months(world):
    from stations import reports

    activate_preset("xiangzhou")
    report = reports.report_open(user=world.users["chief_a"], station=world.station_a, kind="monthly",
                                 year=2026, number=3)
    reports.report_save(report=report, user=world.users["chief_a"], body="三月小结")
    reports.report_submit(report=report, user=world.users["chief_a"])
    with pytest.raises(ValidationError):
        absences.absence_request(user=world.users["staff_a"], person=world.person("staff_a"),
                                 station=world.station_a, kind=AbsenceKind.HOME_SERVICE, start_date=D(2026, 3, 2),
                                 end_date=D(2026, 3, 20), serving="某公司")
    with pytest.raises(ValidationError):
        absences.absence_request(user=world.users["staff_a"], person=world.person("staff_a"),
                                 station=world.station_a, kind=AbsenceKind.HOME_SERVICE, start_date=D(2027, 1, 1),
                                 end_date=D(2027, 6, 30), serving="某公司")
    assert not Absence.objects.exists()


def test_the_check_plan_is_hidden_from_teams_and_third_parties_do_not_check(world, client_for, django_user_model):
    from stations.permissions import Role

    from ..factories import UserFactory

    month = TODAY.replace(day=1)
    checks.plan_pick(user=world.users["bureau"], month=month, posting=world.postings["staff_a"])
    assert client_for("staff_a").get("/checks/").context["plan"] is None
    assert list(client_for("bureau").get("/checks/").context["plan"])
    third_party = UserFactory(username="thirdparty", roles=[Role.ASSESSOR])
    with pytest.raises(PermissionDenied):
        checks.check_record(user=third_party, person=world.person("staff_a"), station=world.station_a,
                            date=TODAY - datetime.timedelta(days=1), method="phone", result="normal")
