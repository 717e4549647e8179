"""Warnings reach the people who must act; accountability records answer them; the duty pages
run a fixed number of queries at one team and at ten."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stations import accountability, warnings
from stations.models import AccountabilityRecord, Profile, Station, StoredWarning, TodoItem, WorkLog
from stations.models.todo import TodoKind

from ..factories import PostingFactory, StationFactory
from ..queries import snapshot_batches

TODAY = timezone.localdate()


def set_rules(**values):
    version = Profile.objects.active().get().version_for()
    for name, value in values.items():
        setattr(version, name, value)
    version.save()


def reminders(user):
    return sorted(TodoItem.objects.open().filter(user=user, kind=TodoKind.REMINDER).values_list("key", flat=True))


def test_send_reminders_opens_closes_and_mails_once(world):
    set_rules(no_progress_months=None, required_reports=[])
    bureau, chief = world.users["bureau"], world.users["chief_a"]
    bureau.email = "bureau@example.gov.cn"
    bureau.save()
    # Nobody has logged a day since 2025-03-01: every resident person is away.
    result = warnings.send_reminders()
    keys = reminders(bureau)
    assert result["opened"] >= len(keys) > 0
    assert any(key.startswith("away_streak:") for key in keys)
    assert reminders(chief) == []  # away warnings are the bureau's to act on
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bureau@example.gov.cn"]
    assert "staff_a" in mail.outbox[0].body  # each new warning, with the person it is about
    # Running again opens nothing new and mails nobody.
    warnings.send_reminders()
    assert reminders(bureau) == keys and len(mail.outbox) == 1
    # An answered warning is handled: its reminder closes.
    streak = next(key for key in keys if key.startswith(f"away_streak:{world.postings['staff_a'].pk}:"))
    accountability.record_create(user=bureau, person=world.person("staff_a"), station=world.station_a,
                                 kind="interview", office="bureau", decided_on=TODAY, evidence="日志显示连续不在岗",
                                 warning_key=streak)
    result = warnings.send_reminders()
    assert streak not in reminders(bureau) and result["closed"] >= 1


def test_the_chief_is_reminded_of_an_overdue_report(world):
    set_rules(no_progress_months=None, away_consecutive_days=None, away_working_days=None)
    warnings.send_reminders()
    keys = reminders(world.users["chief_a"])
    assert keys and all(key.startswith("report_overdue:") for key in keys)
    assert all(key.split(":")[1] == str(world.station_a.pk) for key in keys)


def test_the_send_reminders_command_reports_what_it_did(world, capsys):
    call_command("send_reminders")
    assert "warning" in capsys.readouterr().out


def test_accountability_is_recorded_only_by_the_named_office(world):
    kwargs = {"person": world.person("staff_a"), "station": world.station_a, "decided_on": TODAY,
              "evidence": "连续6个月无进展"}
    with pytest.raises(PermissionDenied):  # the Xiangzhou preset: the bureau interviews, not the assessor
        accountability.record_create(user=world.users["assessor"], kind="interview", office="assessment", **kwargs)
    with pytest.raises(PermissionDenied):  # never about one's own team
        accountability.record_create(user=world.users["bureau_a"], kind="interview", office="bureau", **kwargs)
    with pytest.raises(PermissionDenied):  # the bureau does not give warning talks under Xiangzhou
        accountability.record_create(user=world.users["bureau"], kind="warning_talk", office="leading_group",
                                     **kwargs)
    with pytest.raises(ValidationError):
        accountability.record_create(user=world.users["bureau"], kind="interview", office="bureau",
                                     **{**kwargs, "evidence": " "})
    with pytest.raises(ValidationError):
        accountability.record_create(user=world.users["bureau"], kind="interview", office="bureau",
                                     **{**kwargs, "decided_on": TODAY + datetime.timedelta(days=2)})
    accountability.record_create(user=world.users["leader"], kind="warning_talk", office="leading_group", **kwargs)
    assert AccountabilityRecord.objects.count() == 1


def test_a_judgement_of_poor_progress_prompts_an_interview_until_one_is_recorded(world, client_for):
    bureau = world.users["bureau"]
    record = accountability.record_create(user=bureau, person=world.person("staff_a"), station=world.station_a,
                                          kind="poor_progress", office="bureau", decided_on=TODAY,
                                          evidence="走访记录少，无新增项目")
    key = f"poor_progress:{record.pk}"
    found = {warning.key: warning for warning in warnings.compute(Station.objects.all())}
    assert not found[key].handled
    client_for("bureau").post(
        reverse("stations:accountability_create", args=[world.person("staff_a").pk]) + f"?station={world.station_a.pk}",
        {"kind": "interview", "office": "bureau", "decided_on": TODAY.isoformat(), "evidence": "约谈记录",
         "outcome": "限期整改", "warning_key": key, "station": world.station_a.pk})
    found = {warning.key: warning for warning in warnings.compute(Station.objects.all())}
    assert found[key].handled
    page = client_for("bureau").get(reverse("stations:person_detail", args=[world.person("staff_a").pk]))
    assert "限期整改" in page.content.decode()
    # Team colleagues do not read each other's accountability records.
    page = client_for("chief_a").get(reverse("stations:person_detail", args=[world.person("staff_a").pk]))
    assert page.context["records"] is None and "限期整改" not in page.content.decode()


def judged_once(world, client_for):
    """The bureau judges staff_a's progress poor through the form: (person, url, the form's data,
    the bureau's client)."""
    set_rules(no_progress_months=None)
    person = world.person("staff_a")
    url = reverse("stations:accountability_create", args=[person.pk])
    data = {"station": world.station_a.pk, "kind": "poor_progress", "office": "bureau",
            "decided_on": TODAY.isoformat(), "evidence": "连续6个月无新增有效信息"}
    client = client_for("bureau")
    assert client.post(url, data).status_code == 302
    return person, url, data, client


def test_a_judgement_submitted_twice_is_recorded_once_without_an_error(world, client_for):
    from django.contrib.messages import get_messages
    from django.utils.translation import gettext

    person, url, data, client = judged_once(world, client_for)
    response = client.post(url, data)  # the button pressed twice on a slow connection
    assert response.status_code == 302 and response.url == reverse("stations:person_detail", args=[person.pk])
    last = list(get_messages(response.wsgi_request))[-1]
    assert (last.level_tag, str(last)) == ("info", gettext("This decision is already recorded."))
    # One judgement: one interview due, one warning to answer.
    assert AccountabilityRecord.objects.filter(person=person).count() == 1
    assert [warning.kind for warning in warnings.compute(Station.objects.all())].count("poor_progress") == 1
    # Entered again later, the same decision is refused with the constraint's message.
    with pytest.raises(ValidationError) as error:
        accountability.record_create(user=world.users["bureau"], person=person, station=world.station_a,
                                     kind="poor_progress", office="bureau", decided_on=TODAY, evidence="再次")
    assert error.value.messages == [gettext("This decision is already recorded.")]


def test_a_second_judgement_on_other_evidence_is_refused_with_a_reason(world, client_for):
    person, url, data, client = judged_once(world, client_for)
    response = client.post(url, {**data, "evidence": "走访记录缺失"})
    # Not dropped with a notice: the form comes back with what was typed and why.
    assert response.status_code == 200
    assert response.context["form"].errors["decided_on"]
    assert "走访记录缺失" in response.content.decode()
    assert list(AccountabilityRecord.objects.filter(person=person).values_list("evidence", flat=True)) == [
        "连续6个月无新增有效信息"]


def test_the_warnings_page_lists_only_the_users_teams(world, client_for):
    set_rules(no_progress_months=None)
    mine = client_for("chief_b").get(reverse("stations:warning_list")).context["warnings"]
    assert mine and {warning.station.pk for warning in mine} == {world.station_b.pk}
    everyone = client_for("bureau").get(reverse("stations:warning_list")).context["warnings"]
    assert {warning.station.pk for warning in everyone} == {world.station_a.pk, world.station_b.pk}


def test_the_bureau_home_page_shows_the_warnings(world, client_for):
    response = client_for("bureau").get(reverse("stations:home"))
    assert response.context["warning_count"] > 0
    assert 'data-testid="home-warnings"' in response.content.decode()


# --- Query counts at one team and at ten ---------------------------------------------------------

def add_teams(world, count):
    for _ in range(count):
        station = StationFactory(forming_units=[world.unit_a])
        chief = PostingFactory(station=station, chief=True)
        PostingFactory(station=station)
        WorkLog.objects.create(person=chief.person, station=station, date=TODAY - datetime.timedelta(days=1),
                               created_by=world.users["bureau"])


DUTY_PAGES = {
    "stations:review_queue": {"month": "2026-03"},
    "stations:circular": {"month": "2026-03"},
    "stations:warning_list": {},
}


@pytest.mark.parametrize("url_name", DUTY_PAGES)
def test_duty_pages_run_the_same_queries_at_one_team_and_at_ten(world, client_for, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for extra in (1, 9):
        add_teams(world, extra)
        client = client_for("bureau")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name), DUTY_PAGES[url_name])
        assert response.status_code == 200
        counts.append(len(queries) - snapshot_batches(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("extra", [1, 10])
def test_the_warnings_page_query_count_is_pinned(world, client_for, extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_teams(world, extra)
    client = client_for("bureau")
    # The 6 of every page (session, user, groups, person, postings, navigation name); at the first
    # view of the day the snapshot is made: the teams' states, savepoint, missing states, lock, the
    # 16 of computing (see the home page in test_query_counts), old rows out, new rows in, states,
    # release; then the kinds present, the count and the page of stored rows (whether answered: in
    # the same query), and the open ones' count. Nothing per team or warning (but the INSERT's
    # batches: tests/queries.py).
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("stations:warning_list"))
    assert len(queries) - snapshot_batches(queries) == 34
    # Every team has its warnings stored; the page shows the first fifty.
    assert StoredWarning.objects.values("station").distinct().count() == 2 + extra
    assert len(response.context["warnings"]) == min(50, StoredWarning.objects.count())


def test_a_record_answers_only_a_warning_about_its_own_person_and_team(world):
    set_rules(no_progress_months=None)
    keys = {warning.key: warning for warning in warnings.compute(Station.objects.all())}
    about_a = next(key for key, warning in keys.items() if warning.person == world.person("staff_a"))
    with pytest.raises(ValidationError):  # a record about chief_b cannot silence staff_a's warning
        accountability.record_create(user=world.users["bureau"], person=world.person("chief_b"),
                                     station=world.station_b, kind="interview", office="bureau", decided_on=TODAY,
                                     evidence="约谈", warning_key=about_a)
    with pytest.raises(ValidationError):
        accountability.record_create(user=world.users["bureau"], person=world.person("staff_a"),
                                     station=world.station_a, kind="interview", office="bureau", decided_on=TODAY,
                                     evidence="约谈", warning_key="away_streak:0:2020-01-01")
    assert not AccountabilityRecord.objects.exists()


def test_nobody_records_about_someone_now_in_their_own_team_through_another_team(world):
    from ..factories import PostingFactory

    # chief_b is also posted to station A now (bureau_a's team): bureau_a may not judge them at B.
    PostingFactory(person=world.person("chief_b"), station=world.station_a, home_unit=world.unit_b)
    with pytest.raises(PermissionDenied):
        accountability.record_create(user=world.users["bureau_a"], person=world.person("chief_b"),
                                     station=world.station_b, kind="interview", office="bureau", decided_on=TODAY,
                                     evidence="约谈")


def test_an_annual_report_missing_is_still_warned_about_long_after_its_due_date(world):
    set_rules(no_progress_months=None, away_consecutive_days=None, away_working_days=None,
              required_reports=["annual"])
    keys = [warning.key for warning in warnings.compute(Station.objects.all(), datetime.date(2026, 11, 20))]
    assert f"report_overdue:{world.station_a.pk}:annual:2025-01-01" in keys


def test_a_missing_research_report_is_warned_about_after_the_year(world):
    from stations import reports

    set_rules(no_progress_months=None, away_consecutive_days=None, away_working_days=None,
              required_reports=["research"])
    keys = [warning.key for warning in warnings.compute(Station.objects.all(), datetime.date(2026, 3, 1))]
    assert f"report_overdue:{world.station_a.pk}:research:2025-01-01" in keys
    report = reports.report_open(user=world.users["chief_a"], station=world.station_a, kind="research", year=2025,
                                 title="产业链调研")
    reports.report_save(report=report, user=world.users["chief_a"], body="调研报告")
    reports.report_submit(report=report, user=world.users["chief_a"])
    keys = [warning.key for warning in warnings.compute(Station.objects.all(), datetime.date(2026, 3, 1))]
    assert f"report_overdue:{world.station_a.pk}:research:2025-01-01" not in keys


def test_a_monthly_report_due_within_its_month_is_warned_about_before_the_month_ends(world):
    from ..conftest import activate_preset

    activate_preset("shanting")  # the monthly report is due by the 25th of the month itself
    set_rules(no_progress_months=None, away_consecutive_days=None, away_working_days=None,
              on_post_days_month=None, required_reports=["monthly"])
    found = {warning.key: warning for warning in warnings.compute(Station.objects.all(), datetime.date(2026, 3, 28))}
    # March's report was due on 25 March and nobody has opened it: three days late, March not over.
    late = found[f"report_overdue:{world.station_a.pk}:monthly:2026-03-01"]
    assert (late.params["due"], late.params["days"]) == ("2026-03-25", 3)
    assert f"report_overdue:{world.station_a.pk}:monthly:2026-04-01" not in found  # April has not begun


def test_a_report_of_last_year_falls_due_as_last_years_rules_said(world):
    from ..conftest import add_version

    set_rules(no_progress_months=None, away_consecutive_days=None, away_working_days=None,
              required_reports=["quarterly"], report_due_working_days=10)
    add_version(2027, report_due_working_days=30)  # 2027 gives a report thirty working days
    found = {warning.key: warning for warning in warnings.compute(Station.objects.all(), datetime.date(2027, 1, 25))}
    # 2026's fourth quarter was due ten working days after 31 December: on 14 January 2027.
    late = found[f"report_overdue:{world.station_a.pk}:quarterly:2026-10-01"]
    assert (late.params["due"], late.params["days"]) == ("2027-01-14", 11)
