"""Rewards (奖励) and the rules that compute them (DESIGN §3: all-staff "Rewards", Huaiyin "Awards").

Code implements rule *types*; every number — the first-provider tiers, the minimum project size,
the foreign and introducer rates — is data in `RewardRules`, one row per profile version
(presets in `scoring.presets.REWARD_RULES`). A `Reward` is one amount of money for one recipient
and one year: a first-provider reward, one of the introducer's two settlements, or an award
entered by hand. It goes proposed → audited → decided → published (公示) → paid, every change a
`RewardStep`; a reward found to rest on fraud is clawed back, recorded as a step with the amount
to recover (the paid amount itself is never edited). Writes go through `scoring.rewards`.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import ProfileVersion

MONEY = {"max_digits": 16, "decimal_places": 2}
WAN = Decimal("10000")


class AmountBasis(models.TextChoices):
    """Which amount of a lead a rule reads (every amount rule says which one it uses)."""

    FIXED_ASSET = "fixed_asset", _("Fixed-asset investment")
    TOTAL = "total", _("Total investment")
    CONTRACT = "contract", _("Contract amount")


# The lead's field for each basis.
BASIS_FIELDS = {AmountBasis.FIXED_ASSET: "fixed_asset_investment", AmountBasis.TOTAL: "total_investment",
                AmountBasis.CONTRACT: "contract_amount"}


class Trigger(models.TextChoices):
    """When a project has "succeeded" for the first provider's reward."""

    SIGNED = "signed", _("Contract signed")
    STARTED = "started", _("Started")
    PRODUCTION = "production", _("In production")


TRIGGER_FIELDS = {Trigger.SIGNED: "signed_on", Trigger.STARTED: "started_on", Trigger.PRODUCTION: "production_on"}


def wan(amount) -> str:
    """An amount in 元 written in 万元, without trailing zeros ("1000.5")."""
    value = (Decimal(amount) / WAN).normalize()
    return f"{value:f}"


def _decimal(value) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError
    return number


def clean_tiers(raw) -> list[dict]:
    """Check first-provider tiers and return them normalised (amounts as strings in 元).

    A tier is {"low", "low_inclusive", "high" (null: no upper bound), "high_inclusive", "amount"}.
    Tiers are ordered by their lower bound and do not overlap (a shared boundary belongs to one
    tier only: 不超过 1000 then 超过 1000); only the last may be open-ended; amounts are ≥ 0.
    Raises `ValidationError` with one message per bad tier."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError(_("Tiers are a list of {low, low_inclusive, high, high_inclusive, amount}."))
    errors, tiers = [], []
    for number, tier in enumerate(raw, start=1):
        if not isinstance(tier, dict):
            errors.append(_("Tier %(n)s is not a {low, high, amount} object.") % {"n": number})
            continue
        unknown = sorted(set(tier) - {"low", "low_inclusive", "high", "high_inclusive", "amount"})
        if unknown:
            errors.append(_("Tier %(n)s has unknown keys: %(keys)s.") % {"n": number, "keys": ", ".join(unknown)})
            continue
        try:
            low = _decimal(tier.get("low"))
            high = None if tier.get("high") in (None, "") else _decimal(tier["high"])
            amount = _decimal(tier.get("amount"))
        except (ValueError, TypeError, InvalidOperation):
            errors.append(_("Tier %(n)s: low, high and amount must be numbers (元).") % {"n": number})
            continue
        low_inclusive, high_inclusive = tier.get("low_inclusive", True), tier.get("high_inclusive", True)
        if not isinstance(low_inclusive, bool) or not isinstance(high_inclusive, bool):
            errors.append(_("Tier %(n)s: low_inclusive and high_inclusive are true or false.") % {"n": number})
            continue
        if low < 0 or amount < 0:
            errors.append(_("Tier %(n)s: bounds and amounts cannot be negative.") % {"n": number})
            continue
        if high is not None and (high < low or (high == low and not (low_inclusive and high_inclusive))):
            errors.append(_("Tier %(n)s: the upper bound must be above the lower bound.") % {"n": number})
            continue
        tiers.append({"low": str(low), "low_inclusive": low_inclusive, "high": None if high is None else str(high),
                      "high_inclusive": high_inclusive if high is not None else False, "amount": str(amount)})
    if errors:
        raise ValidationError(errors)
    for number, (before, after) in enumerate(zip(tiers, tiers[1:], strict=False), start=2):
        if before["high"] is None:
            errors.append(_("Tier %(n)s: only the last tier may have no upper bound.") % {"n": number - 1})
            continue
        high, low = Decimal(before["high"]), Decimal(after["low"])
        if low < high or (low == high and before["high_inclusive"] and after["low_inclusive"]):
            errors.append(_("Tier %(n)s overlaps the tier before it: order the tiers and let a boundary belong "
                            "to one tier only.") % {"n": number})
    if errors:
        raise ValidationError(errors)
    return tiers


def tier_label(tier: dict) -> str:
    """"[500万, 1000万]", "(1000万, 3000万]", "> 5000万"."""
    if tier["high"] is None:
        return f"{'≥' if tier['low_inclusive'] else '>'} {wan(tier['low'])}万"
    return (f"{'[' if tier['low_inclusive'] else '('}{wan(tier['low'])}万, "
            f"{wan(tier['high'])}万{']' if tier['high_inclusive'] else ')'}")


def tier_for(tiers: list[dict], amount: Decimal) -> dict | None:
    """The tier `amount` falls in (None below, above or between the tiers)."""
    for tier in tiers:
        low = Decimal(tier["low"])
        if amount < low or (amount == low and not tier["low_inclusive"]):
            continue
        if tier["high"] is not None:
            high = Decimal(tier["high"])
            if amount > high or (amount == high and not tier["high_inclusive"]):
                continue
        return tier
    return None


class RewardRules(models.Model):
    """How a profile version rewards (one row per version; an empty field turns its rule off).

    All-staff (001): first providers by tier once the project succeeds; foreign projects at a rate
    of the registered capital received; the introducer at a rate of the actual fixed-asset
    investment, settled at year end and after completion. Huaiyin (003) has awards only."""

    version = models.OneToOneField(ProfileVersion, on_delete=models.CASCADE, related_name="reward_rules")
    first_provider_tiers = models.JSONField(
        _("first-provider tiers"), default=list, blank=True,
        help_text=_('A list of {"low", "low_inclusive", "high", "high_inclusive", "amount"} in 元; "high": null '
                    "for no upper bound. 以上 and 不超过 include the number, 超过 does not. Empty: no "
                    "first-provider reward for domestic projects."))
    first_provider_basis = models.CharField(
        _("tiers read"), max_length=20, choices=AmountBasis.choices, default=AmountBasis.FIXED_ASSET)
    first_provider_trigger = models.CharField(
        _("rewarded once"), max_length=20, choices=Trigger.choices, default=Trigger.SIGNED,
        help_text=_("When a project has succeeded: the reward falls in the year of this date."))
    minimum_project = models.DecimalField(
        _("minimum project size (元)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Domestic first-provider rewards and the introducer's reward need a project of at least this "
                    "size; empty: any size."))
    minimum_basis = models.CharField(_("minimum reads"), max_length=20, choices=AmountBasis.choices,
                                     default=AmountBasis.FIXED_ASSET)
    minimum_inclusive = models.BooleanField(_("the minimum itself qualifies"), default=True,
                                            help_text=_("以上 includes the number."))
    foreign_rate = models.DecimalField(
        _("foreign projects: rate of the registered capital received"), max_digits=7, decimal_places=6, null=True,
        blank=True, validators=[MinValueValidator(Decimal("0.000001")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.003 for 0.3 %, on the funds in place recorded by the end of the year (each receipt in its "
                    "currency at its rate). Empty: no first-provider reward for foreign projects."))
    introducer_rate = models.DecimalField(
        _("introducer: rate of the actual fixed-asset investment"), max_digits=7, decimal_places=6, null=True,
        blank=True, validators=[MinValueValidator(Decimal("0.000001")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.005 for 0.5 %, once the project has started; settled at the end of the year it started, "
                    "by progress, and after completion as the leading group decides. Empty: no introducer's "
                    "reward."))
    publication_working_days = models.PositiveSmallIntegerField(
        _("publication (working days)"), default=5,
        help_text=_("How long a decided reward is published (公示) before it may be paid."))
    payment_month = models.PositiveSmallIntegerField(
        _("paid in month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Rewards are paid once a year in one payment run; if set, the run is made in this month only."))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reward rules")
        verbose_name_plural = _("reward rules")
        constraints = [
            models.CheckConstraint(condition=Q(minimum_project__isnull=True) | Q(minimum_project__gte=0),
                                   name="reward_rules_minimum_not_negative"),
            models.CheckConstraint(condition=Q(foreign_rate__isnull=True) | Q(foreign_rate__gt=0, foreign_rate__lte=1),
                                   name="reward_rules_foreign_rate_in_range"),
            models.CheckConstraint(
                condition=Q(introducer_rate__isnull=True) | Q(introducer_rate__gt=0, introducer_rate__lte=1),
                name="reward_rules_introducer_rate_in_range"),
        ]

    def __str__(self):
        return str(self.version)

    def get_absolute_url(self):
        return reverse("admin:scoring_rewardrules_change", args=[self.pk])

    def clean(self):
        try:
            self.first_provider_tiers = clean_tiers(self.first_provider_tiers)
        except ValidationError as error:
            raise ValidationError({"first_provider_tiers": error.messages}) from error

    @property
    def computes(self) -> bool:
        """Does any rule compute rewards from the leads (otherwise: awards only)?"""
        return bool(self.first_provider_tiers or self.foreign_rate or self.introducer_rate)

    def tier_for(self, amount: Decimal) -> dict | None:
        return tier_for(self.first_provider_tiers or [], amount)

    def tier_labels(self) -> list[tuple[str, str]]:
        return [(tier_label(tier), tier["amount"]) for tier in self.first_provider_tiers or []]

    def meets_minimum(self, amount: Decimal | None) -> bool:
        if self.minimum_project is None:
            return True
        if amount is None:
            return False
        return amount >= self.minimum_project if self.minimum_inclusive else amount > self.minimum_project


class RewardKind(models.TextChoices):
    FIRST_PROVIDER = "first_provider", _("First-provider reward")
    INTRODUCER = "introducer", _("Introducer's reward")
    COLLECTIVE = "collective", _("Collective award")
    SINGLE_ITEM = "single_item", _("Single-item award")
    INDIVIDUAL = "individual", _("Individual award")


COMPUTED_KINDS = (RewardKind.FIRST_PROVIDER, RewardKind.INTRODUCER)
AWARD_KINDS = (RewardKind.COLLECTIVE, RewardKind.SINGLE_ITEM, RewardKind.INDIVIDUAL)


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AUDITED = "audited", _("Audited")
    DECIDED = "decided", _("Decided")
    PUBLISHED = "published", _("Published (公示)")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    CLAWED_BACK = "clawed_back", _("Clawed back")


class Settlement(models.TextChoices):
    """The introducer's two settlements (seed 001: 奖金分二次结算)."""

    NONE = "", _("—")
    YEAR_END = "year_end", _("Year end, by progress")
    AFTER_COMPLETION = "after_completion", _("After completion, as decided by the leading group")


class RewardQuerySet(models.QuerySet):
    def of_year(self, year: int):
        return self.filter(year=year)

    def standing(self):
        """Rewards that are still owed or paid: not rejected, not clawed back."""
        return self.exclude(status__in=(RewardStatus.REJECTED, RewardStatus.CLAWED_BACK))


class Reward(models.Model):
    """One amount of money for one recipient and one year, and how it was computed.

    Computed rewards (first provider, introducer) name their lead and are unique per lead, kind and
    settlement, so that computing again updates the proposal instead of adding one."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("kind"), max_length=20, choices=RewardKind.choices)
    settlement = models.CharField(_("settlement"), max_length=20, choices=Settlement.choices, blank=True, default="")
    lead = models.ForeignKey("leads.Lead", verbose_name=_("project"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="rewards")
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient (user)"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recipient_person = models.ForeignKey("stations.Person", verbose_name=_("recipient (person)"),
                                         on_delete=models.PROTECT, null=True, blank=True, related_name="rewards")
    recipient_unit = models.ForeignKey("stations.Unit", verbose_name=_("recipient (unit)"), on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="rewards")
    recipient_name = models.CharField(_("recipient"), max_length=100)
    recipient_org = models.CharField(_("recipient's unit"), max_length=100, blank=True)
    basis = models.DecimalField(_("computed on (元)"), **MONEY, null=True, blank=True,
                                help_text=_("The amount the reward is computed from; empty for an award."))
    amount = models.DecimalField(_("amount (元)"), **MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    foreign_amount = models.DecimalField(_("amount received in the currency"), **MONEY, null=True, blank=True)
    exchange_rate = models.DecimalField(_("exchange rate to CNY"), max_digits=12, decimal_places=6, null=True,
                                        blank=True)
    exchange_rate_date = models.DateField(_("exchange rate date"), null=True, blank=True)
    explanation = models.TextField(_("how it was computed or why"))
    status = models.CharField(_("status"), max_length=12, choices=RewardStatus.choices, default=RewardStatus.PROPOSED)
    published_until = models.DateField(_("published until (inclusive)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RewardQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "kind", "pk"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        indexes = [models.Index(fields=["year", "status"], name="reward_year_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="reward_amount_not_negative"),
            models.UniqueConstraint(fields=["kind", "lead", "settlement"], condition=Q(lead__isnull=False),
                                    name="reward_computed_once_per_lead",
                                    violation_error_message=_("This project already has this reward.")),
            models.CheckConstraint(
                condition=Q(kind__in=AWARD_KINDS) | Q(lead__isnull=False), name="reward_computed_names_its_lead"),
            models.CheckConstraint(
                condition=(Q(kind=RewardKind.INTRODUCER) & ~Q(settlement=""))
                | (~Q(kind=RewardKind.INTRODUCER) & Q(settlement="")),
                name="reward_settlement_for_introducer_only"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} · {self.recipient_name} · {self.amount}"

    def get_absolute_url(self):
        return reverse("scoring:reward_detail", args=[self.pk])

    @property
    def is_award(self) -> bool:
        return self.kind in AWARD_KINDS


class RewardStep(models.Model):
    """Who moved a reward to a status, when, and what they said. A clawback records the amount to
    recover (the whole amount if it was paid, nothing if it was not)."""

    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=12, choices=RewardStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    amount_to_recover = models.DecimalField(_("to recover (元)"), **MONEY, null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("reward step")
        verbose_name_plural = _("reward steps")
        constraints = [models.CheckConstraint(condition=Q(amount_to_recover__isnull=True)
                                              | Q(amount_to_recover__gte=0), name="reward_step_recover_not_negative")]

    def __str__(self):
        return f"{self.reward}: {self.get_status_display()}"

    def get_absolute_url(self):
        return self.reward.get_absolute_url()


class IntroducerSettlement(models.Model):
    """One of the introducer's two settlements and the offset against their promotion expenses.

    gross: the year-end settlement is the rate × the actual fixed-asset investment so far, less what
    was already settled; after completion the leading group decides it (`suggested` is the same
    formula on the final investment). The gross first offsets the introducer's promotion expenses
    (entered by the bureau, with who entered them); what the gross cannot cover is carried to the
    next settlement. net = gross − offset is what is paid (`Reward.amount`); the services keep that
    equation (not a database check: SQLite compares decimals as floats)."""

    reward = models.OneToOneField(Reward, on_delete=models.CASCADE, related_name="introducer_settlement")
    already_settled = models.DecimalField(_("settled before (元)"), **MONEY, default=Decimal("0"))
    suggested = models.DecimalField(_("by the formula (元)"), **MONEY, default=Decimal("0"))
    gross = models.DecimalField(_("gross (元)"), **MONEY, default=Decimal("0"))
    expenses = models.DecimalField(_("promotion expenses entered (元)"), **MONEY, default=Decimal("0"))
    expenses_entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("expenses entered by"),
                                            on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    expenses_entered_at = models.DateTimeField(_("expenses entered at"), null=True, blank=True)
    brought_forward = models.DecimalField(_("expenses brought forward (元)"), **MONEY, default=Decimal("0"))
    offset = models.DecimalField(_("offset against expenses (元)"), **MONEY, default=Decimal("0"))
    carried = models.DecimalField(_("expenses carried to the next settlement (元)"), **MONEY, default=Decimal("0"))
    net = models.DecimalField(_("net (元)"), **MONEY, default=Decimal("0"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decision_reason = models.TextField(_("the leading group's reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("introducer's settlement")
        verbose_name_plural = _("introducer's settlements")
        constraints = [
            models.CheckConstraint(
                condition=Q(gross__gte=0, expenses__gte=0, brought_forward__gte=0, offset__gte=0, carried__gte=0,
                            net__gte=0, already_settled__gte=0, suggested__gte=0),
                name="introducer_settlement_not_negative"),
            models.CheckConstraint(condition=Q(offset__lte=F("gross")), name="introducer_settlement_offset_in_gross"),
        ]

    def __str__(self):
        return f"{self.reward}"

    def get_absolute_url(self):
        return self.reward.get_absolute_url()
