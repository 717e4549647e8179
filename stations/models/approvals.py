"""The shape every approval decision shares: one row per step of a chain, never edited.

A request (leave, home service, a large event, later an expense claim) carries a `status`; each
step of the profile's chain that someone acts in is one `Decision` row of a concrete subclass.
`stations.approvals` moves requests along their chain.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .profiles import ApprovalActor, StepAction


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class Decision(models.Model):
    """One step of an approval chain as it was acted in (abstract: a subclass adds the request)."""

    position = models.PositiveSmallIntegerField(_("step"))
    actor = models.CharField(_("as"), max_length=20, choices=ApprovalActor.choices)
    action = models.CharField(_("action"), max_length=10, choices=StepAction.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self):
        return f"{self.position}. {self.get_actor_display()} {self.get_action_display()}: {self.get_outcome_display()}"
