"""Reports: due dates from the profile, pre-filled figures, versions, lateness, review by someone
outside the team, and the lock on an accepted month's logs."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stations import duty, reports
from stations.models import CalendarDay, Profile, Report, ReportKind, ReportStatus, TodoItem, WorkLog
from stations.models.todo import TodoKind

from ..conftest import activate_preset

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour=10):
    """Travel to a moment of `day` in the app's time zone (the clock is the only thing moved)."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def open_monthly(world, year=2026, month=3, persona="chief_a"):
    return reports.report_open(user=world.users[persona], station=world.station_a, kind=ReportKind.MONTHLY,
                               year=year, number=month)


def submit(world, report, body="本月走访企业8家，新增项目信息2条。"):
    reports.report_save(report=report, user=world.users["chief_a"], body=body)
    return reports.report_submit(report=report, user=world.users["chief_a"])


def test_due_dates_follow_the_profile(db):
    activate_preset("shanting")  # monthly by the 25th, others 10 working days after the period
    version = Profile.objects.active().get().version_for(2026)
    assert reports.due_date(ReportKind.MONTHLY, D(2026, 2, 1), D(2026, 2, 28), version) == D(2026, 2, 25)
    activate_preset("xiangzhou")  # month end
    version = Profile.objects.active().get().version_for(2026)
    assert reports.due_date(ReportKind.MONTHLY, D(2026, 2, 1), D(2026, 2, 28), version) == D(2026, 2, 28)
    assert reports.due_date(ReportKind.RESEARCH, D(2026, 1, 1), D(2026, 12, 31), version) == D(2026, 12, 31)


def test_quarterly_due_date_skips_the_national_day_holidays(db):
    activate_preset("shanting")
    version = Profile.objects.active().get().version_for(2026)
    for offset in range(8):
        CalendarDay.objects.create(date=D(2026, 10, 1) + datetime.timedelta(days=offset), kind="holiday", name="国庆")
    CalendarDay.objects.create(date=D(2026, 10, 10), kind="workday", name="调休上班")
    first, last = reports.period(ReportKind.QUARTERLY, 2026, 3)
    assert (first, last) == (D(2026, 7, 1), D(2026, 9, 30))
    # Working days after 30 Sep: 9 (Fri), 10 (Sat, adjusted), 12–16, 19, 20, 21 → the tenth is 21 Oct.
    assert reports.due_date(ReportKind.QUARTERLY, first, last, version) == D(2026, 10, 21)


@pytest.mark.parametrize(("day", "late"), [(D(2026, 3, 25), 0), (D(2026, 3, 26), 1)])
def test_shanting_report_on_the_twenty_fifth_is_on_time(world, day, late):
    activate_preset("shanting")
    with at(D(2026, 3, 20)):
        report = open_monthly(world)
    assert report.due_date == D(2026, 3, 25)
    with at(day, hour=23):
        submit(world, report)
    report.refresh_from_db()
    assert report.days_late == late
    assert report.versions.get().late is bool(late)


def test_the_monthly_report_is_prefilled_with_the_periods_figures(world):
    for day in (2, 3, 4):
        WorkLog.objects.create(person=world.person("chief_a"), station=world.station_a, date=D(2026, 3, day),
                               created_by=world.users["chief_a"])
    WorkLog.objects.create(person=world.person("chief_b"), station=world.station_b, date=D(2026, 3, 2),
                           created_by=world.users["chief_b"])
    report = open_monthly(world)
    assert report.figures["logs"] == 3
    assert report.figures["leads_raw"] == 0 and "funds_in_place" in report.figures
    assert open_monthly(world) == report  # one monthly report per team and month


def test_return_resubmit_accept_keeps_every_version_and_the_first_lateness(world):
    activate_preset("shanting")
    with at(D(2026, 3, 20)):
        report = open_monthly(world)
    with at(D(2026, 3, 27)):
        submit(world, report)
    assert TodoItem.objects.open().filter(user=world.users["bureau"], kind=TodoKind.APPROVAL).count() == 1
    with pytest.raises(ValidationError):  # returning needs a comment
        reports.report_review(report=report, user=world.users["bureau"], outcome="returned", comment="")
    reports.report_review(report=report, user=world.users["bureau"], outcome="returned", comment="请补充项目进展")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert TodoItem.objects.open().get(user=world.users["chief_a"], kind=TodoKind.RETURNED)
    with at(D(2026, 4, 2)):
        submit(world, report, body="补充：两个项目进入洽谈阶段。")
    reports.report_review(report=report, user=world.users["assessor"], outcome="accepted")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.days_late == 2  # from the first submission
    assert [(v.number, v.body[:2], v.review.outcome) for v in report.versions.order_by("number")] == [
        (1, "本月", "returned"), (2, "补充", "accepted")]
    assert not TodoItem.objects.open().filter(kind__in=[TodoKind.APPROVAL, TodoKind.RETURNED]).exists()


def test_nobody_reviews_their_own_team_and_only_submitted_reports_are_reviewed(world):
    report = open_monthly(world)
    with pytest.raises(ValidationError):
        reports.report_review(report=report, user=world.users["bureau"], outcome="accepted")  # a draft
    submit(world, report)
    for persona in ("bureau_a", "chief_a", "leader"):
        with pytest.raises(PermissionDenied):
            reports.report_review(report=report, user=world.users[persona], outcome="accepted")
    reports.report_review(report=report, user=world.users["bureau"], outcome="accepted")
    with pytest.raises(ValidationError):
        reports.report_review(report=report, user=world.users["bureau"], outcome="returned", comment="再看看")


def test_only_the_chief_submits_and_a_submitted_report_is_frozen(world):
    report = open_monthly(world)
    reports.report_save(report=report, user=world.users["staff_a"], body="草稿")
    with pytest.raises(PermissionDenied):
        reports.report_submit(report=report, user=world.users["staff_a"])
    with pytest.raises(ValidationError):  # nothing written yet
        reports.report_save(report=report, user=world.users["chief_a"], body=" ")
        reports.report_submit(report=report, user=world.users["chief_a"])
    submit(world, report)
    with pytest.raises(ValidationError):
        reports.report_save(report=report, user=world.users["chief_a"], body="改")
    with pytest.raises(PermissionDenied):
        reports.report_open(user=world.users["chief_b"], station=world.station_a, kind="monthly", year=2026,
                            number=3)


def test_a_period_not_yet_begun_cannot_be_reported(world):
    with at(D(2026, 3, 20)), pytest.raises(ValidationError):
        open_monthly(world, month=4)


def test_a_log_is_locked_once_its_months_report_is_accepted(world):
    user = world.users["chief_a"]
    duty.worklog_save(user=user, station=world.station_a, date=D(2026, 3, 2), whereabouts="at_post")
    report = open_monthly(world)
    submit(world, report)
    reports.report_review(report=report, user=world.users["bureau"], outcome="accepted")
    with pytest.raises(ValidationError) as refused:
        duty.worklog_save(user=user, station=world.station_a, date=D(2026, 3, 2), whereabouts="absent")
    assert refused.value.message_dict["date"]  # said on the date field
    with pytest.raises(ValidationError):  # a day without a log in that month too
        duty.worklog_save(user=user, station=world.station_a, date=D(2026, 3, 3), whereabouts="at_post")
    duty.worklog_save(user=user, station=world.station_a, date=D(2026, 4, 1), whereabouts="at_post")  # April is open
    assert WorkLog.objects.get(date=D(2026, 3, 2)).whereabouts == "at_post"
    # The figures the bureau accepted stay as they were sent.
    assert report.versions.get().figures["logs"] == 1


def test_a_returned_report_reopens_its_months_logs(world):
    user = world.users["chief_a"]
    report = open_monthly(world)
    submit(world, report)
    reports.report_review(report=report, user=world.users["bureau"], outcome="returned", comment="日志不全")
    duty.worklog_save(user=user, station=world.station_a, date=D(2026, 3, 3), whereabouts="at_post")
    reports.report_refresh(report=report, user=user)
    report.refresh_from_db()
    assert report.figures["logs"] == 1


def test_uploads_are_checked_by_type_and_size(world):
    report = reports.report_open(user=world.users["chief_a"], station=world.station_a, kind=ReportKind.RESEARCH,
                                 year=2026, title="产业链调研")
    with pytest.raises(ValidationError):
        reports.report_save(report=report, user=world.users["chief_a"], body="见附件",
                            attachment=SimpleUploadedFile("报告.exe", b"MZ"))
    big = SimpleUploadedFile("报告.pdf", b"%PDF" + b"0" * (reports.ATTACHMENT_MAX_BYTES + 1))
    with pytest.raises(ValidationError):
        reports.report_save(report=report, user=world.users["chief_a"], body="见附件", attachment=big)
    report.refresh_from_db()
    assert not report.attachment


def test_the_document_is_downloaded_only_by_those_who_read_the_team(world, client_for):
    report = reports.report_open(user=world.users["chief_a"], station=world.station_a, kind=ReportKind.RESEARCH,
                                 year=2026, title="产业链调研")
    reports.report_save(report=report, user=world.users["chief_a"], body="见附件",
                        attachment=SimpleUploadedFile("调研.pdf", b"%PDF-1.4 test"))
    response = client_for("bureau").get(reverse("stations:report_file", args=[report.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client_for("chief_b").get(reverse("stations:report_file", args=[report.pk])).status_code == 404


def test_review_queue_shows_every_team_with_status_and_lateness(world, client_for):
    activate_preset("shanting")
    with at(D(2026, 3, 20)):
        report = open_monthly(world)
    with at(D(2026, 3, 28)):
        submit(world, report)
        response = client_for("bureau").get(reverse("stations:review_queue"), {"month": "2026-03"})
    rows = {row["station"].code: row for row in response.context["queue"]["rows"]}
    assert rows["SH"]["status"] == "submitted" and rows["SH"]["days_late"] == 3
    assert rows["BJ"]["report"] is None and rows["BJ"]["days_late"] == 3  # not started, 3 days past the 25th
    assert reverse("stations:report_detail", args=[report.pk]) in response.content.decode()


def test_the_review_queue_filters_by_status_and_pages_fifty_teams(world, client_for):
    from ..factories import StationFactory

    activate_preset("shanting")
    for number in range(50):
        StationFactory(name=f"驻测试城市招商站{number:02d}", code=f"T{number:02d}")
    with at(D(2026, 3, 20)):
        report = open_monthly(world)
    with at(D(2026, 3, 28)):
        submit(world, report)
        client = client_for("bureau")
        everyone = client.get(reverse("stations:review_queue"), {"month": "2026-03"})
        waiting = client.get(reverse("stations:review_queue"), {"month": "2026-03", "status": "submitted"})
        missing = client.get(reverse("stations:review_queue"), {"month": "2026-03", "status": "missing", "page": "2"})
        nonsense = client.get(reverse("stations:review_queue"), {"month": "2026-03", "status": "nonsense"})
    # 52 teams: the counts cover them all, the table shows fifty a page.
    assert everyone.context["queue"]["counts"]["missing"] == 51
    assert len(everyone.context["rows"]) == 50 and everyone.context["page_obj"].paginator.num_pages == 2
    assert [row["station"].code for row in waiting.context["rows"]] == ["SH"]
    assert len(missing.context["rows"]) == 1 and missing.context["rows"][0]["report"] is None
    assert nonsense.context["status"] == "" and len(nonsense.context["rows"]) == 50


def test_the_review_queue_lists_the_oldest_other_reports_and_counts_them_all(world, client_for, monkeypatch):
    monkeypatch.setattr(reports, "OTHERS_SHOWN", 2)
    titles = ["产业链调研一", "产业链调研二", "产业链调研三"]
    for day, title in enumerate(titles, start=10):
        with at(D(2026, 3, day)):
            report = reports.report_open(user=world.users["chief_a"], station=world.station_a,
                                         kind=ReportKind.RESEARCH, year=2026, title=title)
            submit(world, report)
    response = client_for("bureau").get(reverse("stations:review_queue"), {"month": "2026-03"})
    queue = response.context["queue"]
    assert [report.title for report in queue["others"]] == titles[:2]  # waiting longest first
    assert queue["others_count"] == 3
    assert 'data-testid="other-count">3<' in response.content.decode()


def test_the_review_form_is_not_offered_on_ones_own_team(world, client_for):
    report = open_monthly(world)
    submit(world, report)
    assert client_for("bureau_a").get(report.get_absolute_url()).context["review_form"] is None
    assert client_for("bureau").get(report.get_absolute_url()).context["review_form"] is not None


def test_a_reports_title_is_labelled_as_a_heading_not_a_job_title(world, client_for):
    report = open_monthly(world)
    form = client_for("chief_a").get(report.get_absolute_url()).content.decode().split('data-testid="report-form"')[1]
    assert "标题" in form.split("</form>")[0] and "职务称谓" not in form.split("</form>")[0]


def test_a_returned_report_comes_back_through_the_browser_forms(world, client_for):
    report = open_monthly(world)
    submit(world, report)
    client_for("bureau").post(reverse("stations:report_review", args=[report.pk]),
                              {"outcome": "returned", "comment": "请补充"})
    chief = client_for("chief_a")
    # What to fix comes first, above the form (on a phone the list of submissions is far below it).
    page = chief.get(report.get_absolute_url()).content.decode()
    assert "请补充" in page.split('data-testid="return-comment"')[1].split("</div></div>")[0]
    assert page.index('data-testid="return-comment"') < page.index('data-testid="report-form"')
    response = chief.post(reverse("stations:report_edit", args=[report.pk]), {"body": "已补充", "submit": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.versions.count(), report.body) == ("submitted", 2, "已补充")
    assert Report.objects.count() == 1
    assert 'data-testid="return-comment"' not in chief.get(report.get_absolute_url()).content.decode()


def test_submitting_refreshes_the_figures_and_closes_the_days_it_covered(world):
    activate_preset("shanting")  # due the 25th: the rest of the month stays open
    user = world.users["chief_a"]
    with at(D(2026, 3, 2)):
        report = open_monthly(world)
    assert report.figures["logs"] == 0
    for day in (2, 3, 4):
        WorkLog.objects.create(person=world.person("chief_a"), station=world.station_a, date=D(2026, 3, day),
                               created_by=user)
    with at(D(2026, 3, 25)):
        submit(world, report)
    assert report.versions.get().figures["logs"] == 3  # what was sent, not what was opened
    with at(D(2026, 3, 27)):
        with pytest.raises(ValidationError):  # under review: the days it covered are closed
            duty.worklog_save(user=user, station=world.station_a, date=D(2026, 3, 20), whereabouts="at_post")
        duty.worklog_save(user=user, station=world.station_a, date=D(2026, 3, 26), whereabouts="at_post")


def test_a_log_in_a_month_another_team_reported_cannot_be_moved_out_of_it(world):
    from ..factories import PostingFactory

    staff = world.users["staff_a"]
    PostingFactory(person=staff.person, station=world.station_b, home_unit=world.unit_a)  # B's member too
    with at(D(2026, 3, 10)):
        duty.worklog_save(user=staff, station=world.station_b, date=D(2026, 3, 10), whereabouts="at_post",
                          activities="走访企业")
    with at(D(2026, 4, 2)):
        report = reports.report_open(user=world.users["chief_b"], station=world.station_b, kind=ReportKind.MONTHLY,
                                     year=2026, number=3)
        reports.report_save(report=report, user=world.users["chief_b"], body="三月工作小结")
        reports.report_submit(report=report, user=world.users["chief_b"])
    # Station B's March is closed; station A's is not, but the day's log must not leave B's figures.
    with at(D(2026, 4, 3)), pytest.raises(ValidationError, match="月报已报送"):
        duty.worklog_save(user=staff, station=world.station_a, date=D(2026, 3, 10), whereabouts="absent")
    log = WorkLog.objects.get(person=staff.person, date=D(2026, 3, 10))
    assert (log.station, log.whereabouts, log.activities) == (world.station_b, "at_post", "走访企业")
    with at(D(2026, 4, 3)):  # a day B has no log for stays open at A
        duty.worklog_save(user=staff, station=world.station_a, date=D(2026, 3, 11), whereabouts="at_post")
