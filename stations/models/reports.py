"""Reports a team files with the bureau, and their review.

A report moves draft → submitted → accepted, or → returned (with a comment) → submitted again.
Every submission is kept as a `ReportVersion`, every review as a `ReportReview`; lateness is
recorded at the first submission against the due date fixed when the report was opened.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    QUARTERLY = "quarterly", _("Quarterly report")
    HALF_YEAR = "half_year", _("Half-year evaluation")
    ANNUAL = "annual", _("Annual summary")
    RESEARCH = "research", _("Research report")
    END_OF_POSTING = "end_of_posting", _("End-of-posting summary")


# One report per team and period for these; research and end-of-posting reports may be several.
PERIODIC_KINDS = (ReportKind.MONTHLY, ReportKind.QUARTERLY, ReportKind.HALF_YEAR, ReportKind.ANNUAL)
# Free-form documents are uploaded as files.
FILE_KINDS = (ReportKind.RESEARCH, ReportKind.END_OF_POSTING, ReportKind.ANNUAL, ReportKind.HALF_YEAR)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class Report(models.Model):
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due (inclusive)"))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True,
                               help_text=_("The period's figures, filled in from logs, visits, leads and events."))
    body = models.TextField(_("the chief's account"), blank=True)
    attachment = models.FileField(_("document"), upload_to="reports/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    days_late = models.PositiveSmallIntegerField(_("days late"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "station", "kind"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "kind", "period_start"], condition=Q(kind__in=[k.value for k in PERIODIC_KINDS]),
                name="report_once_per_period",
                violation_error_message=_("This team already has a report for that period."),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "period_start"], name="report_kind_period"),
            # The review queue's "other reports awaiting review", among every report ever sent.
            models.Index(fields=["first_submitted_at"], condition=Q(status="submitted"), name="report_waiting"),
        ]

    def __str__(self):
        return f"{self.station} {self.get_kind_display()} {self.period_label}"

    def get_absolute_url(self):
        return reverse("stations:report_detail", args=[self.pk])

    @property
    def period_label(self):
        if self.kind == ReportKind.MONTHLY:
            return f"{self.period_start:%Y-%m}"
        if self.kind == ReportKind.QUARTERLY:
            return f"{self.period_start.year} Q{(self.period_start.month - 1) // 3 + 1}"
        if self.kind in (ReportKind.HALF_YEAR, ReportKind.ANNUAL):
            return f"{self.period_start:%Y-%m}–{self.period_end:%Y-%m}"
        return self.title or f"{self.period_start}–{self.period_end}"

    @property
    def editable(self):
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportVersion(models.Model):
    """A submission as it was sent: kept for ever, whatever happens to the report after."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    figures = models.JSONField(_("figures"), default=dict)
    body = models.TextField(_("the chief's account"), blank=True)
    attachment = models.CharField(_("document"), max_length=200, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_once")]

    def __str__(self):
        return f"{self.report} v{self.number}"

    def get_absolute_url(self):
        return self.report.get_absolute_url()


class ReviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for changes")


class ReportReview(models.Model):
    version = models.OneToOneField(ReportVersion, on_delete=models.CASCADE, related_name="review")
    outcome = models.CharField(_("decision"), max_length=10, choices=ReviewOutcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                                 related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        ordering = ["reviewed_at"]
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="returned") | ~Q(comment=""), name="report_return_has_comment",
                                   violation_error_message=_("Say what must change when returning a report.")),
        ]

    def __str__(self):
        return f"{self.version}: {self.get_outcome_display()}"

    def get_absolute_url(self):
        return self.version.get_absolute_url()
