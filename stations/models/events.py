"""Events a team attends or hosts. A large hosted event needs the approval the profile names
before it takes place (and conference expenses later need that approval)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .approvals import Decision, RequestStatus
from .profiles import ApprovalProcess


class EventRole(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    HOSTED = "hosted", _("Hosted")


class Event(models.Model):
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="events")
    title = models.CharField(_("event"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    role = models.CharField(_("the team"), max_length=10, choices=EventRole.choices)
    city_required = models.BooleanField(_("an event the city requires"), default=False,
                                        help_text=_("Promotion events the city or district asks every team to attend."))
    invited_enterprises = models.PositiveSmallIntegerField(_("invited enterprises"), default=0,
                                                           validators=[MaxValueValidator(10000)])
    is_large = models.BooleanField(
        _("large event"), default=False,
        help_text=_("Needs approval in advance. Also set when the invited enterprises reach the profile's number."))
    # Approval: only large hosted events have a status other than "not needed" (blank).
    status = models.CharField(_("approval"), max_length=10, choices=RequestStatus.choices, blank=True)
    approved_in_advance = models.BooleanField(_("approved in advance"), default=False, editable=False)
    outcome = models.TextField(_("outcome"), blank=True)
    # What came, recorded afterwards; the invitation count (which decides "large") stays as approved.
    attended_enterprises = models.PositiveSmallIntegerField(_("enterprises that came"), null=True, blank=True,
                                                            validators=[MaxValueValidator(10000)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["station", "date"], name="event_station_date")]
        constraints = [
            # A double submit of the form must not record the event twice.
            models.UniqueConstraint(fields=["station", "date", "title"], name="event_once_a_day",
                                    violation_error_message=_("This event is already recorded for that day.")),
        ]

    def __str__(self):
        return f"{self.date} {self.title}"

    def get_absolute_url(self):
        return reverse("stations:event_detail", args=[self.pk])

    process = ApprovalProcess.LARGE_EVENT

    @property
    def requester(self):
        return self.created_by

    @property
    def needs_approval(self):
        return bool(self.status)


class EventDecision(Decision):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="decisions")

    class Meta(Decision.Meta):
        verbose_name = _("event decision")
        verbose_name_plural = _("event decisions")
        constraints = [models.UniqueConstraint(fields=["event", "position"], name="event_decision_once")]

    def get_absolute_url(self):
        return self.event.get_absolute_url()
