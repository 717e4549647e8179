"""Reports: periods and due dates from the profile, pre-filled figures, submission with every
version kept, lateness, and the bureau's review (never of one's own team).

Due dates: the monthly report by the profile's due day of the month itself (Shanting: the 25th,
inclusive) or at month end; quarterly, half-year and annual reports `report_due_working_days`
working days after the period; the research report by the end of its year; the end-of-posting
summary that many working days after the posting's last day.
"""

from __future__ import annotations

import datetime
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import figures
from .duty import month_bounds, version_in_force
from .models import (
    PERIODIC_KINDS,
    Posting,
    ProfileVersion,
    Report,
    ReportKind,
    ReportReview,
    ReportStatus,
    ReportVersion,
    ReviewOutcome,
    Station,
)
from .models.todo import TodoKind
from .permissions import Action, Role, user_can
from .services import save_validated, todo_close, todo_open
from .workdays import add_working_days

ATTACHMENT_EXTENSIONS = (".pdf", ".ofd", ".doc", ".docx", ".wps", ".odt")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def period(kind: str, year: int, number: int = 1) -> tuple[datetime.date, datetime.date]:
    """The period of a periodic report: month 1–12, quarter 1–4, half 1–2; a year otherwise."""
    if kind == ReportKind.MONTHLY:
        return month_bounds(year, number)
    if kind == ReportKind.QUARTERLY:
        return datetime.date(year, 3 * number - 2, 1), month_bounds(year, 3 * number)[1]
    if kind == ReportKind.HALF_YEAR:
        return datetime.date(year, 6 * number - 5, 1), month_bounds(year, 6 * number)[1]
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def due_date(kind: str, first: datetime.date, last: datetime.date, version: ProfileVersion | None) -> datetime.date:
    if kind == ReportKind.MONTHLY:
        return version.monthly_report_due_date(first.year, first.month) if version else last
    if kind == ReportKind.RESEARCH:
        return datetime.date(last.year, 12, 31)
    days = version.report_due_working_days if version else 10
    return add_working_days(last, days)


def _require_work(user, station: Station) -> None:
    if not user_can(user, Action.WORK, station):
        raise PermissionDenied


def _is_chief(user, station: Station) -> bool:
    return Posting.objects.current().chiefs().filter(station=station, person__user=user).exists()


@transaction.atomic
def report_open(*, user, station: Station, kind: str, year: int, number: int = 1, title: str = "") -> Report:
    """Open a draft report for a period, pre-filled with the period's figures. Opening a periodic
    report that exists returns the existing one."""
    _require_work(user, station)
    if kind == ReportKind.END_OF_POSTING:
        posting = (Posting.objects.filter(station=station, person__user=user).order_by("-start_date").first())
        if posting is None:
            raise ValidationError(_("Only someone posted to the team writes an end-of-posting summary."))
        first, last = posting.start_date, posting.ended_on or posting.term_end or timezone.localdate()
    else:
        first, last = period(kind, year, number)
    if first > timezone.localdate():
        raise ValidationError(_("That period has not begun."))
    if kind in PERIODIC_KINDS:
        existing = Report.objects.filter(station=station, kind=kind, period_start=first).first()
        if existing is not None:
            return existing
    version = version_in_force(first.year)
    report = Report(station=station, kind=kind, period_start=first, period_end=last, title=title.strip(),
                    due_date=due_date(kind, first, last, version), created_by=user,
                    figures=figures.as_json(figures.collect([station.pk], first, min(last, timezone.localdate()))
                                            [station.pk]))
    save_validated(report, user=user, reason=_("Opened"))
    return report


def _editable(report: Report, user) -> None:
    _require_work(user, report.station)
    if not report.editable:
        raise ValidationError(_("This report has been submitted; it can change only if the bureau returns it."))


def check_attachment(upload) -> None:
    name = os.path.basename(upload.name or "")
    if not name.lower().endswith(ATTACHMENT_EXTENSIONS):
        raise ValidationError({"attachment": _("Upload the document as PDF, OFD, Word, WPS or ODT.")})
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _("The document is larger than 20 MB.")})


@transaction.atomic
def report_save(*, report: Report, user, body: str, title: str | None = None, attachment=None) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report, user)
    report.body = body.strip()
    if title is not None:
        report.title = title.strip()
    if attachment is not None:
        check_attachment(attachment)
        report.attachment = attachment
    save_validated(report, user=user, reason=_("Edited"))
    return report


@transaction.atomic
def report_refresh(*, report: Report, user) -> Report:
    """Fill the figures in again from today's data (a draft or returned report only)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report, user)
    last = min(report.period_end, timezone.localdate())
    report.figures = figures.as_json(figures.collect([report.station_id], report.period_start, last)
                                     [report.station_id])
    save_validated(report, user=user, reason=_("Figures refreshed"))
    return report


@transaction.atomic
def report_submit(*, report: Report, user) -> ReportVersion:
    """The chief sends the report to the bureau: a new version is kept as sent; the first
    submission records lateness against the due date."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report, user)
    if not _is_chief(user, report.station):
        raise PermissionDenied
    if not report.body.strip() and not report.attachment:
        raise ValidationError({"body": _("Write the chief's account (or upload the document) before submitting.")})
    now = timezone.now()
    today = timezone.localdate()
    late = today > report.due_date
    # The figures as they stand when sent: logs written since the draft was opened count.
    report.figures = figures.as_json(figures.collect([report.station_id], report.period_start,
                                                     min(report.period_end, today))[report.station_id])
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.days_late = max((today - report.due_date).days, 0)
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReportVersion.objects.create(
        report=report, number=number, figures=report.figures, body=report.body,
        attachment=report.attachment.name if report.attachment else "", submitted_by=user, submitted_at=now,
        late=late)
    report.status = ReportStatus.SUBMITTED
    save_validated(report, user=user, reason=_("Submitted (version %(number)s)") % {"number": number})
    todo_close(kind=TodoKind.RETURNED, target=report)
    _notify_reviewers(report)
    return version


def _notify_reviewers(report: Report) -> None:
    from django.contrib.auth import get_user_model

    for reviewer in get_user_model().objects.filter(groups__name=Role.BUREAU, is_active=True):
        if user_can(reviewer, Action.REVIEW, report.station):
            todo_open(user=reviewer, kind=TodoKind.APPROVAL, title=_("Review: %(report)s") % {"report": report},
                      target=report, url=report.get_absolute_url(), station=report.station)


@transaction.atomic
def report_review(*, report: Report, user, outcome: str, comment: str = "") -> ReportReview:
    """Accept the submitted version, or return it with a comment. Never one's own team's report."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not user_can(user, Action.REVIEW, report.station):
        raise PermissionDenied
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed; this one is %(status)s.")
                              % {"status": report.get_status_display()})
    version = report.versions.order_by("-number").first()
    review = ReportReview(version=version, outcome=outcome, comment=comment.strip(), reviewer=user)
    review.full_clean()
    review.save()
    report.status = ReportStatus.ACCEPTED if outcome == ReviewOutcome.ACCEPTED else ReportStatus.RETURNED
    save_validated(report, user=user, reason=review.get_outcome_display())
    todo_close(kind=TodoKind.APPROVAL, target=report)
    if report.status == ReportStatus.RETURNED:
        for posting in Posting.objects.current().chiefs().filter(station=report.station, person__user__isnull=False
                                                                 ).select_related("person__user"):
            todo_open(user=posting.person.user, kind=TodoKind.RETURNED,
                      title=_("Returned: %(report)s") % {"report": report}, target=report,
                      url=report.get_absolute_url(), station=report.station)
    return review


# The other reports awaiting review are listed oldest first, this many: the rest are counted.
OTHERS_SHOWN = 50


def review_queue(*, user, year: int, month: int) -> dict:
    """Every team the user reads × its monthly report for the month (status, due date, lateness),
    and the reports of other kinds awaiting review (the `OTHERS_SHOWN` oldest, and how many in
    all). A fixed number of queries; a row carries its team's id and name only."""
    from .permissions import own_station_ids, stations_for

    first, _last = period(ReportKind.MONTHLY, year, month)
    version = version_in_force(year)
    due = due_date(ReportKind.MONTHLY, first, _last, version)
    today = timezone.localdate()
    teams = stations_for(user, Action.VIEW).filter(is_active=True)
    stations = list(teams.order_by("name").only("pk", "name", "code"))
    # A queue row shows a report's status and dates, never its text or figures: left unread.
    reports = {report.station_id: report for report in Report.objects.filter(
        station__in=teams.values("pk"), kind=ReportKind.MONTHLY, period_start=first).defer("figures", "body")}
    own = own_station_ids(user)
    rows = []
    for station in stations:
        report = reports.get(station.pk)
        if report is not None and report.days_late is not None:
            late = report.days_late
        else:
            late = max((today - due).days, 0)
        rows.append({"station": station, "report": report, "due": due, "days_late": late,
                     "status": report.status if report else "", "own": station.pk in own})
    waiting = (Report.objects.filter(station__in=teams.values("pk"), status=ReportStatus.SUBMITTED)
               .exclude(kind=ReportKind.MONTHLY, period_start=first))
    others = list(waiting.select_related("station")
                  .only("pk", "kind", "title", "period_start", "period_end", "first_submitted_at", "station__name")
                  .order_by("first_submitted_at", "pk")[:OTHERS_SHOWN])
    counts = {status: sum(1 for row in rows if row["status"] == status) for status in ReportStatus.values}
    counts["missing"] = sum(1 for row in rows if row["report"] is None or row["status"] == ReportStatus.DRAFT)
    others_count = len(others) if len(others) < OTHERS_SHOWN else waiting.count()
    return {"rows": rows, "others": others, "others_count": others_count, "due": due, "counts": counts}


def reports_of(*, station: Station):
    """A team's reports, newest period first."""
    return station.reports.order_by("-period_start", "kind")
