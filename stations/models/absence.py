"""Rotation leave (轮休) and home service (回区服务): both are requested, then approved along the
profile's chain. Approved leave is not "away"; approved home service counts as at post."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .approvals import Decision, RequestStatus
from .profiles import ApprovalProcess


class AbsenceKind(models.TextChoices):
    LEAVE = ApprovalProcess.LEAVE.value, _("Rotation leave")
    HOME_SERVICE = ApprovalProcess.HOME_SERVICE.value, _("Home service for an investing company")


class AbsenceQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=RequestStatus.APPROVED)

    def counting(self):
        """Requests that use up the allowance: pending or approved."""
        return self.filter(status__in=(RequestStatus.PENDING, RequestStatus.APPROVED))

    def overlapping(self, first, last):
        return self.filter(start_date__lte=last, end_date__gte=first)


class Absence(models.Model):
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="absences")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="absences")
    kind = models.CharField(_("kind"), max_length=20, choices=AbsenceKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    serving = models.CharField(_("investing company served"), max_length=200, blank=True,
                               help_text=_("For home service: the company and what it needs."))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = AbsenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "person"]
        verbose_name = _("leave or home service")
        verbose_name_plural = _("leave and home service")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="absence_ends_after_start",
                                   violation_error_message=_("The last day cannot be before the first.")),
            models.CheckConstraint(condition=~Q(kind="home_service") | ~Q(serving=""),
                                   name="absence_home_service_names_company",
                                   violation_error_message=_("Name the investing company served at home.")),
        ]
        indexes = [models.Index(fields=["person", "start_date"], name="absence_person_start")]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()} {self.start_date}–{self.end_date}"

    def get_absolute_url(self):
        return reverse("stations:absence_detail", args=[self.pk])

    @property
    def process(self):
        return self.kind

    @property
    def requester(self):
        """The user whose request it is: the person's login, else whoever entered it."""
        return self.person.user if self.person.user_id else self.requested_by

    @property
    def days(self):
        return (self.end_date - self.start_date).days + 1


class AbsenceDecision(Decision):
    absence = models.ForeignKey(Absence, on_delete=models.CASCADE, related_name="decisions")

    class Meta(Decision.Meta):
        verbose_name = _("leave decision")
        verbose_name_plural = _("leave decisions")
        constraints = [models.UniqueConstraint(fields=["absence", "position"], name="absence_decision_once")]

    def get_absolute_url(self):
        return self.absence.get_absolute_url()
