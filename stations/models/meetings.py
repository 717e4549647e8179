"""The monthly dispatch meeting (调度会): its minutes and the tasks it gives teams."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class DispatchMeeting(models.Model):
    month = models.DateField(_("month reviewed"), unique=True, help_text=_("The first day of the month."),
                             error_messages={"unique": _("There is already a meeting for this month.")})
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    chaired_by = models.CharField(_("chaired by"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")

    def __str__(self):
        return f"{self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("stations:dispatch_detail", args=[self.pk])


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Not done yet")
    DONE = "done", _("Done")


class DispatchTask(models.Model):
    meeting = models.ForeignKey(DispatchMeeting, on_delete=models.CASCADE, related_name="tasks")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="dispatch_tasks")
    description = models.CharField(_("task"), max_length=300)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    report_back = models.TextField(_("what was done"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("dispatch task")
        verbose_name_plural = _("dispatch tasks")
        constraints = [
            # A double submit of the form must not give the task (and its to-dos) twice.
            models.UniqueConstraint(
                fields=["meeting", "station", "description"], name="dispatch_task_once",
                violation_error_code="dispatch_task_once",
                violation_error_message=_("This task is already given to this team at this meeting.")),
        ]

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()
