"""Station duty: one work log per person per day — where they were and what they did.

Presence figures (days at post against the profile's targets) are computed from these rows;
approvals of leave and home service, spot checks and reports build on them.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Whereabouts(models.TextChoices):
    AT_POST = "at_post", _("At post")
    TRAVEL = "travel", _("On a work trip")
    HOME_SERVICE = "home_service", _("Home service for an investing company")
    LEAVE = "leave", _("Rotation leave")
    ABSENT = "absent", _("Absent")


class Activity(models.TextChoices):
    VISIT = "visit", _("Enterprise visits")
    MEETING = "meeting", _("Meetings and talks")
    EVENT = "event", _("Events")
    RESEARCH = "research", _("Research")


# Logged whereabouts that count as "at post" by themselves. Home service counts only when an
# approval covers the day (see `stations.presence`).
ON_POST = (Whereabouts.AT_POST, Whereabouts.TRAVEL)


class WorkLog(models.Model):
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="work_logs")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="work_logs")
    date = models.DateField(_("date"))
    whereabouts = models.CharField(_("where"), max_length=20, choices=Whereabouts.choices,
                                   default=Whereabouts.AT_POST)
    activity_kinds = models.JSONField(_("kinds of work"), default=list, blank=True)
    activities = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "person"]
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="work_log_once_a_day",
                                               violation_error_message=_("There is already a log for this day."))]
        indexes = [models.Index(fields=["station", "date"], name="work_log_station_date")]

    def __str__(self):
        return f"{self.date} {self.person}"

    def get_absolute_url(self):
        return f"{reverse('stations:worklog_month')}?person={self.person_id}&month={self.date:%Y-%m}"

    @property
    def on_post(self):
        return self.whereabouts in ON_POST
