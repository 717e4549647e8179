"""The stored snapshot of each team's warnings (`stations.warnings`).

Warnings are computed from a year and more of logs, checks, reports and leads: too slow to do on
every view of the bureau's pages. Each team's warnings are computed at most once a day, or again
after something they read changed (the team's `WarningState` is then marked stale), and stored
here; the pages read the stored rows. Nothing here is a decision: the rows are replaced whole
whenever the team is computed again, and an accountability record answers a warning by its key.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class WarningState(models.Model):
    """When a team's warnings were last computed, and whether they may have changed since."""

    station = models.OneToOneField("stations.Station", verbose_name=_("team"), on_delete=models.CASCADE,
                                   related_name="warning_state")
    computed_on = models.DateField(_("computed on"))
    stale = models.BooleanField(_("stale"), default=False)

    class Meta:
        verbose_name = _("warning state")
        verbose_name_plural = _("warning states")

    def __str__(self):
        return f"{self.station_id}: {self.computed_on}{' (stale)' if self.stale else ''}"

    def get_absolute_url(self):
        return reverse("stations:warning_list")


class StoredWarning(models.Model):
    """One warning as last computed. `message` is the untranslated msgid and `params` its JSON
    values, so that the text is translated when it is shown, in the reader's language."""

    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.CASCADE,
                                related_name="stored_warnings")
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=40)
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    since = models.DateField(null=True, blank=True)
    message = models.TextField()
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=300)
    team_acts = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("stored warning")
        verbose_name_plural = _("stored warnings")
        constraints = [
            models.UniqueConstraint(fields=["station", "key"], name="stored_warning_one_per_key"),
        ]

    def __str__(self):
        return self.key

    def get_absolute_url(self):
        return self.url or reverse("stations:warning_list")
