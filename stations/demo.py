"""Demo data for station duty (called by `seed_demo`): a year of work logs, leave and home
service, spot checks, events, monthly reports (some late, some returned), a dispatch meeting with
tasks, and accountability records — arranged so that every kind of warning appears somewhere.

Today's requests go through the services as the users who would make them. The past is written
directly, in bulk, with the timestamps it would have had: services stamp "now", and a year of
history cannot be lived through in a second.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from . import absences, checks, events, figures, meetings
from .duty import version_in_force
from .models import (
    Absence,
    AbsenceDecision,
    AbsenceKind,
    AccountabilityRecord,
    Activity,
    ApprovalActor,
    CheckMethod,
    CheckResult,
    DispatchMeeting,
    Event,
    EventRole,
    Outcome,
    Posting,
    PostingRole,
    Report,
    ReportKind,
    ReportReview,
    ReportStatus,
    ReportVersion,
    RequestStatus,
    SpotCheck,
    Station,
    StepAction,
    Whereabouts,
    WorkLog,
)
from .reports import due_date, period

ACTIVITIES = [
    ([Activity.VISIT], "走访园区企业，介绍我区产业政策"), ([Activity.MEETING], "参加商会活动，收集项目信息"),
    ([Activity.MEETING], "与客商电话对接，约定考察时间"), ([], "整理项目信息，更新通信录"),
    ([Activity.VISIT], "陪同企业考察选址"), ([Activity.EVENT], "参加行业展会"), ([Activity.RESEARCH], "调研产业链配套情况"),
]

# Who is behind, and how (station code, role, staff number): see `seed`.
AWAY_STREAK = ("WX", PostingRole.STAFF)  # 16 days absent two months ago
AWAY_TOTAL = ("NB", PostingRole.STAFF)  # absent three days a week lately: too many days away
UNLOGGED = ("FS", PostingRole.STAFF)  # forgot to log the last five days
FALSE_REPORT = ("SZ", PostingRole.STAFF)  # logged at post, a video check found otherwise
LEAVE = ("HZ", PostingRole.CHIEF)  # approved rotation leave each quarter
HOME_SERVICE = ("GZ", PostingRole.CHIEF)  # approved home service for an investing company
UNAPPROVED_HOME = ("BJ", PostingRole.STAFF)  # logged home service without an approval


def seed(*, admin) -> None:
    if WorkLog.objects.exists():
        return
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=["bureau", "assessor", "leader"])}
    bureau = users["bureau"]
    today = timezone.localdate()
    postings = list(Posting.objects.current().select_related("person__user", "station").order_by("station__code",
                                                                                                 "role", "pk"))
    first_of = {posting.pk: posting.start_date for posting in postings}
    staff_seen = {}
    special = {}
    for posting in postings:
        key = (posting.station.code, posting.role)
        if key in staff_seen:
            continue
        staff_seen[key] = posting
        special[key] = posting
    leave_days = _approved_absences(postings, special, today, bureau)
    _logs(postings, special, first_of, today, leave_days)
    _checks(postings, special, today, bureau)
    _events(postings, today, bureau, users["leader"])
    _reports(postings, today, bureau)
    _meeting(today, bureau)
    _accountability(special, today, bureau)


def _approved_absences(postings, special, today, bureau) -> dict:
    """Rotation leave for the Hangzhou chief each quarter and home service for the Guangzhou chief,
    as approved requests with their decision rows. Returns {(person id, date): kind}."""
    covered = {}
    rows = []
    for key, kind, spans in ((LEAVE, AbsenceKind.LEAVE, [(-200, 4), (-110, 5), (-20, 3)]),
                             (HOME_SERVICE, AbsenceKind.HOME_SERVICE, [(-75, 3), (-12, 2)])):
        posting = special[key]
        for offset, days in spans:
            start = today + datetime.timedelta(days=offset)
            end = start + datetime.timedelta(days=days - 1)
            absence = Absence(person=posting.person, station=posting.station, kind=kind, start_date=start,
                              end_date=end, status=RequestStatus.APPROVED, requested_by=posting.person.user,
                              reason="轮休" if kind == AbsenceKind.LEAVE else "",
                              serving="华星新材料公司来区考察，陪同对接选址" if kind == AbsenceKind.HOME_SERVICE else "")
            rows.append(absence)
            day = start
            while day <= end:
                covered[(posting.person_id, day)] = kind
                day += datetime.timedelta(days=1)
    bulk_create_with_history(rows, Absence, default_change_reason="seed_demo")
    decisions = []
    for absence in Absence.objects.filter(status=RequestStatus.APPROVED):
        decisions += [
            AbsenceDecision(absence=absence, position=1, actor=ApprovalActor.CHIEF, action=StepAction.SCHEDULE,
                            outcome=Outcome.DONE, decided_by=absence.requested_by),
            AbsenceDecision(absence=absence, position=2, actor=ApprovalActor.BUREAU, action=StepAction.APPROVE,
                            outcome=Outcome.DONE, decided_by=bureau),
        ]
    AbsenceDecision.objects.bulk_create(decisions)
    # Today's requests, through the services: leave waiting for the bureau.
    waiting = special[("KS", PostingRole.STAFF)]
    absences.absence_request(user=waiting.person.user, person=waiting.person, station=waiting.station,
                             kind=AbsenceKind.LEAVE, start_date=today + datetime.timedelta(days=10),
                             end_date=today + datetime.timedelta(days=13), reason="回家探亲")
    return covered


def _logs(postings, special, first_of, today, covered) -> None:
    """Every calendar day since the posting began (weekends at post too: resident stations work them)."""
    rows = []
    for posting in postings:
        key = (posting.station.code, posting.role)
        person = posting.person
        day, index = first_of[posting.pk], 0
        while day <= today - datetime.timedelta(days=1):
            index += 1
            age = (today - day).days
            whereabouts = Whereabouts.TRAVEL if index % 11 == 4 else Whereabouts.AT_POST
            kinds, text = ACTIVITIES[index % len(ACTIVITIES)]
            if day.weekday() >= 5:
                kinds, text = [], "值守，整理本周工作"
            if covered.get((person.pk, day)) == AbsenceKind.LEAVE:
                whereabouts, kinds, text = Whereabouts.LEAVE, [], "轮休"
            elif covered.get((person.pk, day)) == AbsenceKind.HOME_SERVICE:
                whereabouts, kinds, text = Whereabouts.HOME_SERVICE, [Activity.MEETING], "回区陪同企业考察"
            elif key == AWAY_STREAK and 60 <= age < 76:
                whereabouts, kinds, text = Whereabouts.ABSENT, [], "家中有事"
            elif key == AWAY_TOTAL and age < 90 and day.weekday() in (0, 3, 4):
                whereabouts, kinds, text = Whereabouts.ABSENT, [], ""
            elif key == UNAPPROVED_HOME and 30 <= age < 33:
                whereabouts, kinds, text = Whereabouts.HOME_SERVICE, [], "回区办事"
            if key == UNLOGGED and age <= 5:
                day += datetime.timedelta(days=1)
                continue
            rows.append(WorkLog(person=person, station=posting.station, date=day, whereabouts=whereabouts,
                                activity_kinds=list(kinds), activities=text, created_by=person.user))
            day += datetime.timedelta(days=1)
    bulk_create_with_history(rows, WorkLog, default_change_reason="seed_demo", batch_size=2000)


def _checks(postings, special, today, bureau) -> None:
    """A dozen checks over the last months, one abnormal on a day logged at post; this month's
    plan drawn at random and one person picked."""
    rows = []
    for number, posting in enumerate(postings[::3]):
        date = today - datetime.timedelta(days=7 + number * 9)
        rows.append(SpotCheck(person=posting.person, station=posting.station, date=date,
                              method=[CheckMethod.PHONE, CheckMethod.VIDEO, CheckMethod.ON_SITE][number % 3],
                              result=CheckResult.NORMAL, note="在岗", checked_by=bureau))
    bulk_create_with_history(rows, SpotCheck, default_change_reason="seed_demo")
    target = special[FALSE_REPORT]
    checks.check_record(user=bureau, person=target.person, station=target.station,
                        date=today - datetime.timedelta(days=9), method=CheckMethod.VIDEO,
                        result=CheckResult.ABNORMAL, note="视频连线时本人不在驻地，称在老家")
    month = today.replace(day=1)
    checks.plan_draw(user=bureau, month=month, count=3, rng=random.Random(2026))  # noqa: S311 — a repeatable demo draw
    picked = special[("GZ", PostingRole.STAFF)]
    if not checks.PlannedCheck.objects.filter(month=month, person=picked.person).exists():
        checks.plan_pick(user=bureau, month=month, posting=picked)


def _events(postings, today, bureau, leader) -> None:
    """City events every team attended; a large event approved in advance; one held without the
    approval it needed; one waiting for approval."""
    chiefs = {posting.station.code: posting for posting in postings if posting.role == PostingRole.CHIEF}
    rows = []
    for months_ago in range(1, 7):
        date = (today.replace(day=1) - datetime.timedelta(days=30 * months_ago)).replace(day=15)
        for posting in chiefs.values():
            rows.append(Event(station=posting.station, title=f"{date:%-m}月全市招商推介会", date=date, place="襄阳",
                              role=EventRole.ATTENDED, city_required=True, created_by=posting.person.user))
    ks = chiefs["KS"]
    rows.append(Event(station=ks.station, title="昆山襄州籍企业家恳谈会", date=today - datetime.timedelta(days=40),
                      place="昆山", role=EventRole.HOSTED, invited_enterprises=12, is_large=True,
                      status=RequestStatus.APPROVED, approved_in_advance=True, outcome="签约意向2个",
                      created_by=ks.person.user))
    fz = chiefs["FZ"]
    rows.append(Event(station=fz.station, title="福州产业对接座谈会", date=today - datetime.timedelta(days=20),
                      place="福州", role=EventRole.HOSTED, invited_enterprises=8, is_large=True,
                      status=RequestStatus.PENDING, created_by=fz.person.user))
    bulk_create_with_history(rows, Event, default_change_reason="seed_demo")
    sh = chiefs["SH"]
    events.event_create(user=sh.person.user, station=sh.station, title="上海招商推介会（筹备）",
                        date=today + datetime.timedelta(days=21), place="上海", role=EventRole.HOSTED,
                        invited_enterprises=30, is_large=True)


def _reports(postings, today, bureau) -> None:
    """Monthly reports since the stations opened, with the figures of their month: accepted, mostly
    on time. Wuxi is often late; last month Foshan's was returned and not sent again, Ningbo's was
    never started, and two wait for review."""
    version = version_in_force(today.year)
    stations = {posting.station.code: posting for posting in postings if posting.role == PostingRole.CHIEF}
    reports = []
    this_month = today.replace(day=1)
    opened = min(posting.start_date for posting in postings)
    months = (this_month.year - opened.year) * 12 + this_month.month - opened.month
    for months_ago in range(months, 0, -1):
        index = this_month.year * 12 + this_month.month - 1 - months_ago
        year, month = divmod(index, 12)
        first, last = period(ReportKind.MONTHLY, year, month + 1)
        due = due_date(ReportKind.MONTHLY, first, last, version)
        values = figures.collect([chief.station_id for chief in stations.values()], first, last)
        for code, chief in stations.items():
            if months_ago == 1 and code == "NB":
                continue
            late = 3 if code == "WX" and months_ago % 2 else 0
            status = ReportStatus.ACCEPTED
            if months_ago == 1:
                status = {"FS": ReportStatus.RETURNED, "SZ": ReportStatus.SUBMITTED,
                          "BJ": ReportStatus.SUBMITTED}.get(code, ReportStatus.ACCEPTED)
            submitted = timezone.make_aware(datetime.datetime.combine(due + datetime.timedelta(days=late - 1),
                                                                      datetime.time(17, 30)))
            if submitted.date() > today:
                continue
            report = Report(station=chief.station, kind=ReportKind.MONTHLY, period_start=first, period_end=last,
                            due_date=due, status=status, first_submitted_at=submitted,
                            days_late=max((submitted.date() - due).days, 0), created_by=chief.person.user,
                            body=f"{first:%Y年%-m月}工作小结：走访企业、收集项目信息、参加推介活动，详见附表。",
                            figures=figures.as_json(values[chief.station_id]))
            reports.append((report, chief, submitted))
    # Last year's annual summaries, sent in January and accepted.
    for year in range(opened.year, today.year):
        first, last = period(ReportKind.ANNUAL, year)
        due = due_date(ReportKind.ANNUAL, first, last, version_in_force(year))
        submitted = timezone.make_aware(datetime.datetime.combine(due - datetime.timedelta(days=2),
                                                                  datetime.time(16, 0)))
        for chief in stations.values():
            reports.append((Report(station=chief.station, kind=ReportKind.ANNUAL, period_start=first, period_end=last,
                                   due_date=due, status=ReportStatus.ACCEPTED, first_submitted_at=submitted,
                                   days_late=0, created_by=chief.person.user,
                                   body=f"{year}年度驻点招商工作总结：全年走访企业、收集项目信息、推进重点项目落地。"),
                            chief, submitted))
    bulk_create_with_history([report for report, _chief, _at in reports], Report, default_change_reason="seed_demo")
    saved = {(report.station_id, report.kind, report.period_start): report for report in Report.objects.all()}
    versions, reviews = [], []
    for report, chief, submitted in reports:
        report = saved[(report.station_id, report.kind, report.period_start)]
        versions.append(ReportVersion(report=report, number=1, figures=report.figures, body=report.body,
                                      submitted_by=chief.person.user, submitted_at=submitted,
                                      late=bool(report.days_late)))
    ReportVersion.objects.bulk_create(versions)
    for version in ReportVersion.objects.select_related("report"):
        if version.report.status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            returned = version.report.status == ReportStatus.RETURNED
            reviews.append(ReportReview(version=version, reviewer=bureau,
                                        outcome="returned" if returned else "accepted",
                                        comment="请补充重点项目推进情况和下月计划" if returned else ""))
    ReportReview.objects.bulk_create(reviews)


def _meeting(today, bureau) -> None:
    """Last month's dispatch meeting, with minutes and tasks (one already done)."""
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if DispatchMeeting.objects.filter(month=month).exists():
        return
    meeting = meetings.meeting_create(user=bureau, month=month, held_on=today - datetime.timedelta(days=5),
                                      place="区招商局三楼会议室", chaired_by="袁明德")
    meetings.meeting_minutes(meeting=meeting, user=bureau, minutes=(
        "一、通报上月各站工作情况和排名。\n二、宁波站月报未报送，佛山站月报退回补充。\n"
        "三、各站加大走访力度，每周不少于2次企业走访。"))
    stations = {station.code: station for station in Station.objects.filter(code__in=["NB", "FS", "KS"])}
    meetings.task_add(meeting=meeting, user=bureau, station=stations["NB"], description="补报上月工作小结",
                      due_date=today + datetime.timedelta(days=3))
    meetings.task_add(meeting=meeting, user=bureau, station=stations["FS"], description="补充重点项目推进情况后重新报送月报",
                      due_date=today + datetime.timedelta(days=3))
    done = meetings.task_add(meeting=meeting, user=bureau, station=stations["KS"], description="整理恳谈会签约意向项目材料",
                             due_date=today - datetime.timedelta(days=1))
    ks_chief = Posting.objects.current().chiefs().get(station=stations["KS"]).person.user
    meetings.task_done(task=done, user=ks_chief, report_back="已整理2个意向项目材料并报区招商局")


def _accountability(special, today, bureau) -> None:
    """The bureau judged Ningbo's staff member to progress badly (an interview is due), and
    interviewed Wuxi's staff member about the days away (that warning is handled)."""
    ningbo = special[AWAY_TOTAL]
    AccountabilityRecord.objects.create(
        person=ningbo.person, station=ningbo.station, kind="poor_progress", office=ApprovalActor.BUREAU,
        decided_on=today - datetime.timedelta(days=10), evidence="近三个月无新增有效项目信息，走访记录少",
        recorded_by=bureau)
    wuxi = special[AWAY_STREAK]
    from .models import Station
    from .warnings import compute

    key = next((warning.key for warning in compute(Station.objects.filter(pk=wuxi.station_id), today)
                if warning.kind == "away_streak"), "")
    AccountabilityRecord.objects.create(
        person=wuxi.person, station=wuxi.station, kind="interview", office=ApprovalActor.BUREAU,
        decided_on=today - datetime.timedelta(days=50), evidence="工作日志显示连续16天不在岗",
        outcome="本人说明家中老人住院，已补办轮休手续并作出书面检查", warning_key=key, recorded_by=bureau)
