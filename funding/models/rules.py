"""A profile's money rules, as data: how each kind of team is funded, and the travel standards.

Every bureau funds its teams its own way (DESIGN §3, the money paragraph of each preset); the
code knows four *models*, and the amounts, conditions, who may override a held claim and what
happens to a balance at year end are fields an administrator edits on the profile's version.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import ApprovalActor, StationKind

money = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class FundingModel(models.TextChoices):
    # Xiangzhou: the treasury's money sits in the bureau's account and is released in batches.
    BATCHES = "batches", _("Released in batches by the bureau")
    # Susong: 包干 — paid out month by month, spent without per-item approval, reported.
    LUMP_SUM = "lump_sum", _("Lump sum (包干)")
    # Shanting: a yearly budget in the team's own account, spent through approved claims.
    ANNUAL = "annual", _("Annual budget with claims")
    # Huaiyin, Xuancheng's groups: the lead unit holds and approves the money.
    LEAD_UNIT = "lead_unit", _("Managed by the lead unit")


class YearEnd(models.TextChoices):
    RETURN = "return", _("Return the balance")
    CARRY_OVER = "carry_over", _("Carry the balance over")


class FundingRule(models.Model):
    """How one kind of team (or every kind, when `team_kind` is empty) is funded under a version.

    The yearly budget is `annual_amount`, or for a lump sum the start-up amount in a team's first
    month plus `monthly_amount` for every later month of the year (a team opened in July has six
    months' money in its first year). A rule for a team's kind wins over the general rule. Home
    units' self-funding is recorded only where `self_funded` says so.
    """

    version = models.ForeignKey("stations.ProfileVersion", on_delete=models.CASCADE, related_name="funding_rules")
    team_kind = models.CharField(_("team kind"), max_length=20, choices=StationKind.choices, blank=True,
                                 help_text=_("Leave empty for every kind of team without a rule of its own."))
    model = models.CharField(_("funding model"), max_length=20, choices=FundingModel.choices)
    annual_amount = models.DecimalField(_("yearly budget (yuan)"), null=True, blank=True, **money)
    first_month_amount = models.DecimalField(
        _("start-up amount (yuan)"), null=True, blank=True, **money,
        help_text=_("Paid in a team's first month instead of the monthly amount (lump sum)."),
    )
    monthly_amount = models.DecimalField(_("monthly amount (yuan)"), null=True, blank=True, **money)
    travel_lump_sum = models.DecimalField(
        _("travel lump sum per posted person a month (yuan)"), null=True, blank=True, **money,
    )
    self_funded = models.BooleanField(
        _("home units self-fund the rest"), default=False,
        help_text=_("Home units' contributions add to what the team may spend."),
    )
    release_needs_report = models.BooleanField(
        _("a batch needs the month's report accepted"), default=False,
    )
    receipts_required = models.BooleanField(_("claims need a receipt"), default=True)
    override_actor = models.CharField(
        _("who may let a claim pass the budget"), max_length=20, choices=ApprovalActor.choices,
        default=ApprovalActor.LEADERSHIP,
    )
    year_end = models.CharField(_("at year end"), max_length=20, choices=YearEnd.choices, default=YearEnd.RETURN)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "team_kind"]
        verbose_name = _("funding rule")
        verbose_name_plural = _("funding rules")
        constraints = [
            models.UniqueConstraint(fields=["version", "team_kind"], name="funding_rule_once_per_kind",
                                    violation_error_message=_("This kind of team already has a funding rule.")),
            models.CheckConstraint(
                condition=~Q(model=FundingModel.LUMP_SUM) | Q(monthly_amount__isnull=False),
                name="funding_rule_lump_sum_monthly",
                violation_error_message=_("A lump sum needs its monthly amount."),
            ),
            models.CheckConstraint(
                condition=Q(model=FundingModel.LUMP_SUM) | Q(annual_amount__isnull=False),
                name="funding_rule_annual_amount",
                violation_error_message=_("Give the yearly budget."),
            ),
        ]

    def __str__(self):
        return f"{self.get_team_kind_display() or _('every team')}: {self.get_model_display()}"

    @property
    def needs_approval_chain(self) -> bool:
        """Lump sums are spent without per-item approval; every other model approves claims."""
        return self.model != FundingModel.LUMP_SUM

    def yearly_amount(self, *, start_month: int | None) -> Decimal:
        """The budget of one year: the annual amount, or for a lump sum what its months pay — in
        the year of a team's start-up month (`start_month`, 1–12) the start-up amount for that
        month and the monthly amount for each month after it (Susong: 工作开展的第一个月 2万元
        启动经费, 以后每月7000元), in any other year (`start_month` None) twelve monthly amounts."""
        if self.model != FundingModel.LUMP_SUM:
            return self.annual_amount
        if start_month is not None:
            return self.month_amount(first_month=True) + (12 - start_month) * self.monthly_amount
        return 12 * self.monthly_amount

    def month_amount(self, *, first_month: bool) -> Decimal:
        """One month's lump sum."""
        if first_month and self.first_month_amount is not None:
            return self.first_month_amount
        return self.monthly_amount


class TravelStandard(models.Model):
    """Travel standards of a version: the lodging cap a night and the meal allowance a day, by
    city (an empty city is the standard for every other city)."""

    version = models.ForeignKey("stations.ProfileVersion", on_delete=models.CASCADE, related_name="travel_standards")
    city = models.CharField(_("city"), max_length=50, blank=True,
                            help_text=_("Leave empty for the standard of every other city."))
    lodging_per_night = models.DecimalField(_("lodging cap a night (yuan)"), **money)
    meals_per_day = models.DecimalField(_("meal allowance a day (yuan)"), **money)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "city"]
        verbose_name = _("travel standard")
        verbose_name_plural = _("travel standards")
        constraints = [
            models.UniqueConstraint(fields=["version", "city"], name="travel_standard_once_per_city",
                                    violation_error_message=_("This city already has a travel standard.")),
        ]

    def __str__(self):
        return self.city or str(_("other cities"))
