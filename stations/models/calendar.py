"""China's official holidays and adjusted working days (调休), as editable data.

Only the exceptions are stored: a date that is a holiday although it is a weekday, or a working
day although it falls on a weekend. Every other Monday–Friday is a working day. The table is
seeded from the `chinese-calendar` package (`manage.py load_holidays`) and corrected by an
administrator when the State Council announces a year's calendar.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Adjusted working day")


class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 国庆节"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def get_absolute_url(self):
        return reverse("admin:stations_calendarday_change", args=[self.pk])
