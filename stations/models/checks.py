"""Spot checks (抽查) of whether people are at post, and the bureau's monthly check plan.

An abnormal check on a day the person logged "at post" overrides the log for that day (it no
longer counts as at post) and flags possible false reporting; see `stations.presence`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CheckMethod(models.TextChoices):
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video call")
    ON_SITE = "on_site", _("On site")


class CheckResult(models.TextChoices):
    NORMAL = "normal", _("Normal")
    ABNORMAL = "abnormal", _("Abnormal")


class SpotCheck(models.Model):
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="spot_checks")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="spot_checks")
    date = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=10, choices=CheckMethod.choices)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    contradicts_log = models.BooleanField(
        _("contradicts the day's log"), default=False, editable=False,
        help_text=_("Abnormal on a day logged at post: possible false reporting."))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "person"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        indexes = [models.Index(fields=["person", "date"], name="spot_check_person_date")]
        constraints = [
            # A double submit must not count one check twice (two abnormal checks zero a score).
            models.UniqueConstraint(fields=["person", "date", "method", "checked_by"], name="spot_check_once",
                                    violation_error_message=_("This check is already recorded.")),
        ]

    def __str__(self):
        return f"{self.date} {self.person}: {self.get_result_display()}"

    def get_absolute_url(self):
        return f"{reverse('stations:check_list')}?month={self.date:%Y-%m}"

    @property
    def abnormal(self):
        return self.result == CheckResult.ABNORMAL


class PlannedCheck(models.Model):
    """One line of a month's check plan: whom to check, drawn at random or picked by the bureau."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="planned_checks")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="planned_checks")
    drawn = models.BooleanField(_("drawn at random"), default=False)
    check_done = models.OneToOneField(SpotCheck, verbose_name=_("check"), on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="plan_line")
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "station", "person"]
        verbose_name = _("planned check")
        verbose_name_plural = _("check plan")
        constraints = [models.UniqueConstraint(fields=["month", "person"], name="planned_check_once_a_month",
                                               violation_error_message=_("This person is already in the plan."))]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.person}"

    def get_absolute_url(self):
        return f"{reverse('stations:check_list')}?month={self.month:%Y-%m}"
