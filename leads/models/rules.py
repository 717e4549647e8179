"""The lead rules of a policy-profile version (data, one row per version; presets in leads/presets.py)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import ProfileVersion


class Stage(models.TextChoices):
    """A lead's stages in order, then the exits (DESIGN §3, seeds 000–004)."""

    FILED = "filed", _("Filed")
    SCREENING = "screening", _("Screening")
    TRANSFERRED = "transferred", _("Valid and transferred")
    NEGOTIATION = "negotiation", _("Site visit and negotiation")
    INTENTION = "intention", _("Intention")
    AGREEMENT = "agreement", _("Agreement")
    REVIEW = "review", _("Review")
    SIGNED = "signed", _("Contract signed")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    PRODUCTION = "production", _("In production")
    REJECTED = "rejected", _("Rejected")
    ON_HOLD = "on_hold", _("On hold")
    LOST = "lost", _("Lost")


PIPELINE = [
    Stage.FILED, Stage.SCREENING, Stage.TRANSFERRED, Stage.NEGOTIATION, Stage.INTENTION, Stage.AGREEMENT,
    Stage.REVIEW, Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCTION,
]
EXITS = [Stage.REJECTED, Stage.ON_HOLD, Stage.LOST]
# Stages a profile may leave out; the others are the backbone every profile uses.
OPTIONAL_STAGES = [Stage.INTENTION, Stage.AGREEMENT, Stage.REVIEW, Stage.COMPLETED]
SIGNED_OR_LATER = [Stage.SIGNED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCTION]


class LeadRules(models.Model):
    """How a profile version handles leads. Amounts are in 元."""

    version = models.OneToOneField(ProfileVersion, on_delete=models.CASCADE, related_name="lead_rules")
    skipped_stages = models.JSONField(
        _("stages not used"), default=list, blank=True,
        help_text=_("Optional stages this jurisdiction does not use, e.g. intention."),
    )
    team_may_negotiate = models.BooleanField(
        _("a team may negotiate a lead itself"), default=True,
        help_text=_("The second follow-up path of seed 000: the team follows the lead without a transfer."),
    )
    scale_threshold = models.DecimalField(
        _("scale project threshold (元)"), max_digits=16, decimal_places=2, default=Decimal("5000000"),
        validators=[MinValueValidator(0)],
    )
    major_threshold = models.DecimalField(
        _("major project threshold (元)"), max_digits=16, decimal_places=2, default=Decimal("100000000"),
        validators=[MinValueValidator(0)],
        help_text=_("A lead at or above this total investment is major: its review needs the leader in charge, "
                    "it gets a follow-up plan and appears in the monthly major-lead report."),
    )
    visits_per_week = models.PositiveSmallIntegerField(
        _("enterprise visits a week (target)"), default=0, help_text=_("0 means no target."))
    visits_target_per = models.CharField(
        _("the visit target applies to"), max_length=10, choices=[("team", _("each team")), ("person", _("each person"))],
        default="team")
    new_investors_per_month = models.PositiveSmallIntegerField(
        _("new investors met a month, per person (target)"), default=0, help_text=_("0 means no target."))
    top_enterprise_ranks = models.JSONField(
        _("executive ranks that qualify a visit from a top enterprise"), default=list, blank=True,
    )
    sme_ranks = models.JSONField(_("executive ranks that qualify a visit from another enterprise"),
                                 default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead rules")
        verbose_name_plural = _("lead rules")

    def __str__(self):
        return str(self.version)

    def get_absolute_url(self):
        return self.version.get_absolute_url()

    def stages(self):
        """The pipeline stages this version uses, in order."""
        return [stage for stage in PIPELINE if stage not in (self.skipped_stages or [])]
