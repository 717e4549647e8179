"""Links from a day's work log to the enterprises and leads the work was about.

They live here, not in `stations`, because dependencies point one way: leads read stations.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import WorkLog

from .enterprises import Enterprise
from .leads import Lead


class LogMention(models.Model):
    log = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="mentions")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, null=True,
                                   blank=True, related_name="log_mentions")
    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="log_mentions")

    class Meta:
        ordering = ["log", "pk"]
        verbose_name = _("work log mention")
        verbose_name_plural = _("work log mentions")
        constraints = [
            models.CheckConstraint(condition=Q(enterprise__isnull=False) | Q(lead__isnull=False),
                                   name="log_mention_names_something"),
            models.UniqueConstraint(fields=["log", "enterprise"], condition=Q(enterprise__isnull=False),
                                    name="log_mention_enterprise_once"),
            models.UniqueConstraint(fields=["log", "lead"], condition=Q(lead__isnull=False),
                                    name="log_mention_lead_once"),
        ]

    def __str__(self):
        return str(self.lead or self.enterprise)
