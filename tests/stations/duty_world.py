"""Station A's duty records for tests that need one of each (the permission matrix, CSRF)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stations import absences, events, meetings, reports
from stations.models import AbsenceKind, EventRole, ReportKind

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def furnish_duty(world):
    """staff_a's leave waiting for chief_a; a large event of station A waiting for the bureau;
    station A's research report with a document, submitted; last month's dispatch meeting with a
    task for station A."""
    staff = world.users["staff_a"]
    chief = world.users["chief_a"]
    world.absence = absences.absence_request(user=staff, person=staff.person, station=world.station_a,
                                             kind=AbsenceKind.LEAVE, start_date=in_days(5), end_date=in_days(6))
    world.event = events.event_create(user=chief, station=world.station_a, title="产业推介会", date=in_days(10),
                                      role=EventRole.HOSTED, invited_enterprises=3, is_large=True)
    today = timezone.localdate()
    world.report = reports.report_open(user=chief, station=world.station_a, kind=ReportKind.RESEARCH,
                                       year=today.year, title="新能源产业链调研")
    reports.report_save(report=world.report, user=chief, body="调研报告见附件",
                        attachment=SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf"))
    reports.report_submit(report=world.report, user=chief)
    world.report.refresh_from_db()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    world.dispatch = meetings.meeting_create(user=world.users["bureau"], month=last_month, held_on=today)
    world.task = meetings.task_add(meeting=world.dispatch, user=world.users["bureau"], station=world.station_a,
                                   description="补充重点项目材料")


def furnish_scores(world):
    """Station A's evaluation for this year under the active (Xiangzhou) team sheet, with an
    objection; a finding against staff_a recorded by the bureau."""
    from scoring import engine
    from scoring.models import ScoringScheme

    year = timezone.localdate().year
    scheme = ScoringScheme.objects.get(version__profile__is_active=True, code="stations")
    world.evaluation = engine.evaluate(scheme=scheme, first=datetime.date(year, 1, 1),
                                       last=datetime.date(year, 12, 31), station=world.station_a)
    from scoring.models import Objection

    world.objection = Objection.objects.create(evaluation=world.evaluation, raised_by=world.users["chief_a"],
                                               text="到位资金统计有误")
    from scoring.findings import finding_record
    from scoring.models import FindingKind

    world.finding = finding_record(user=world.users["bureau"], station=world.station_a, person=world.person("staff_a"),
                                   kind=FindingKind.LOST_BY_SERVICE, date=timezone.localdate(),
                                   description="企业来访未及时接待，项目转投外地")
