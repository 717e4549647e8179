"""Accountability records: decisions an office takes about a person after a warning.

Warnings are computed prompts (`stations.warnings`); these rows are what the office named by the
profile decided, with the evidence and outcome. A record may answer a warning by its key, which
marks that warning handled.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .profiles import AccountabilityKind, ApprovalActor


class AccountabilityRecord(models.Model):
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="accountability_records")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="accountability_records")
    kind = models.CharField(_("decision"), max_length=20, choices=AccountabilityKind.choices)
    office = models.CharField(_("office"), max_length=20, choices=ApprovalActor.choices)
    decided_on = models.DateField(_("decided on"))
    evidence = models.TextField(_("evidence"))
    outcome = models.TextField(_("outcome"), blank=True)
    warning_key = models.CharField(_("answers warning"), max_length=120, blank=True, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        constraints = [
            # A double submit of the form must not record the decision (and its warning) twice.
            models.UniqueConstraint(
                fields=["person", "station", "kind", "office", "decided_on", "warning_key"],
                name="accountability_record_once", violation_error_code="accountability_record_once",
                violation_error_message=_("This decision is already recorded.")),
        ]

    def __str__(self):
        return f"{self.decided_on} {self.person}: {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("stations:person_detail", args=[self.person_id])
