"""Budgets, expense categories and the append-only ledger (台账) of every team's money.

The ledger is the record of money: each `LedgerEntry` is one movement for one team in one budget
year, signed (money in > 0, spending < 0), so that a team's balance is the plain sum of its
entries. Entries are never changed or deleted — not by the code (the model and its queryset
refuse), not through the admin (read-only), and on PostgreSQL not even in raw SQL (triggers, see
migration 0003). A mistake is corrected by a reversing entry, or by an adjustment, each with a
reason. Entries are written only through `funding.ledger`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Budget years the database accepts: a typo such as 20026 is refused rather than stored.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# No single movement of a team's money comes near 1000亿元; anything larger is a typing error.
AMOUNT_LIMIT = Decimal("100000000000")

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_]*$", _("Use lower-case letters, digits and underscores only."),
)


class CategoryCheck(models.TextChoices):
    """What a claim in a category is checked against, besides the budget."""

    NONE = "", _("Nothing more")
    LODGING = "lodging", _("The city's lodging cap a night")
    MEALS = "meals", _("The daily meal allowance")
    EVENT = "event", _("An approved large event (conference fees)")


class ExpenseCategory(models.Model):
    """A spending category (办公用房及设备, 住宿费 …): data, seeded with the nine of the Shanting
    rules (seed 002) by migration 0002, edited by administrators. A category that is no longer
    used is made inactive rather than deleted (entries protect it)."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    checked_against = models.CharField(_("claims are checked against"), max_length=10, choices=CategoryCheck.choices,
                             blank=True, default=CategoryCheck.NONE)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("expense category")
        verbose_name_plural = _("expense categories")

    def __str__(self):
        return self.name


year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


class Budget(models.Model):
    """A team's budget for one year (工作经费), set from the profile's `FundingRule`: 50万 a station
    under Shanting, 5万 from the treasury under Xiangzhou (the rest self-funded), 40万 a branch
    under Xuancheng. Raised only by an approved `BudgetIncrease` (the history keeps each change).
    Spending past the budget, plus self-funding and money carried over, needs a recorded override
    (`funding.claims`); without one it is a breach (`funding.ledger.verify`)."""

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("team"), on_delete=models.PROTECT, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=year_validators)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "station"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="budget_once_per_year",
                                    violation_error_message=_("This team already has a budget for that year.")),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative",
                                   violation_error_message=_("A budget cannot be negative.")),
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="budget_year_range",
                                   violation_error_message=_("Enter a year between 2000 and 2100.")),
        ]

    def __str__(self):
        return gettext("%(team)s budget %(year)s") % {"team": self.station, "year": self.year}


class EntryKind(models.TextChoices):
    # Money in: the budget allocated to a team's own account (Shanting), a batch released from the
    # bureau's account (Xiangzhou), a contribution by a home unit, a lump sum paid out (Susong).
    ALLOCATION = "allocation", _("Allocation")
    DISBURSEMENT = "disbursement", _("Disbursement")
    SELF_FUNDING = "self_funding", _("Self-funding by a home unit")
    LUMP_SUM = "lump_sum", _("Lump sum")
    # Money out.
    EXPENSE = "expense", _("Expense")
    # Corrections: a reversal cancels exactly one entry; an adjustment moves money either way.
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Adjustment")
    # Year end (`funding.yearend`): the closing entry takes the balance out of the closed year —
    # returned to the treasury, or carried over, when the next year opens with it.
    CLOSING = "closing", _("Year-end closing")
    CARRY_OVER = "carry_over", _("Carried over from the previous year")


MONEY_IN = (EntryKind.ALLOCATION, EntryKind.DISBURSEMENT, EntryKind.SELF_FUNDING, EntryKind.LUMP_SUM,
            EntryKind.CARRY_OVER)
# Kinds that are always money out.
MONEY_OUT = (EntryKind.EXPENSE, EntryKind.CLOSING)
# Kinds that may carry a category (spending, its reversal, a correction of spending).
CATEGORISED = (EntryKind.EXPENSE, EntryKind.REVERSAL, EntryKind.ADJUSTMENT)
CORRECTIONS = (EntryKind.REVERSAL, EntryKind.ADJUSTMENT)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a ledger entry: record a reversal instead."""


APPEND_ONLY_MESSAGE = "Ledger entries are never changed or deleted; record a reversing entry instead."


class LedgerEntryQuerySet(models.QuerySet):
    def of(self, station, year):
        return self.filter(station=station, year=year)

    def spending(self):
        """Entries booked to a category: expenses, their reversals, categorised adjustments."""
        return self.filter(category__isnull=False)

    def update(self, **kwargs):
        raise AppendOnlyError(APPEND_ONLY_MESSAGE)

    def delete(self):
        raise AppendOnlyError(APPEND_ONLY_MESSAGE)

    delete.queryset_only = True

    def _raw_delete(self, using):
        raise AppendOnlyError(APPEND_ONLY_MESSAGE)


class LedgerEntry(models.Model):
    """One movement of a team's money in one budget year; never changed, never deleted.

    `amount` is signed by `kind` (database CHECKs): money in is positive, an expense negative, an
    adjustment non-zero either way with a reason, and a reversal is the exact negative of the one
    entry it `reverses` (same team, year, category and unit — on PostgreSQL a trigger refuses any
    other), with a reason. An entry is reversed at most once (the one-to-one link is unique), and a
    reversal is never itself reversed. Balance of a team-year = the sum of its amounts; spending =
    minus the sum of its categorised amounts (a reversal carries the category of what it cancels).
    """

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("team"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    year = models.PositiveSmallIntegerField(_("budget year"), validators=year_validators)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    category = models.ForeignKey(
        ExpenseCategory, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="entries",
    )
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="reversal",
    )
    unit = models.ForeignKey(
        "stations.Unit", verbose_name=_("contributing unit"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="ledger_entries", help_text=_("The home unit that paid in, for self-funding."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True,
                              help_text=_("Why a reversal or adjustment was made."))
    reference = models.CharField(_("reference"), max_length=50, blank=True,
                                 help_text=_("e.g. the claim or voucher number."))
    over_budget = models.BooleanField(
        _("past the budget by override"), default=False,
        help_text=_("An expense that took the team past its budget, by the recorded override of its claim."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The entry form's one-time token: a second submit of the same form finds this entry, records
    # no other. Written with the row, like every other field, and never changed.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["station", "year", "date"], name="ledger_station_year_date")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="ledger_amount_not_zero",
                violation_error_message=_("The amount cannot be zero."),
            ),
            models.CheckConstraint(
                condition=Q(amount__lt=AMOUNT_LIMIT, amount__gt=-AMOUNT_LIMIT), name="ledger_amount_in_range",
                violation_error_message=_("The amount is too large."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=MONEY_IN) | Q(amount__gt=0), name="ledger_money_in_positive",
                violation_error_message=_("Money in must be a positive amount."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=MONEY_OUT) | Q(amount__lt=0), name="ledger_money_out_negative",
                violation_error_message=_("An expense or a year-end closing is recorded as a negative amount."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.EXPENSE) | Q(category__isnull=False), name="ledger_expense_has_category",
                violation_error_message=_("Choose the expense category."),
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(kind__in=CATEGORISED), name="ledger_category_only_on_spending",
                violation_error_message=_("Only expenses and their corrections take a category."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.SELF_FUNDING) | Q(unit__isnull=False), name="ledger_self_funding_has_unit",
                violation_error_message=_("Name the home unit that contributed the money."),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(kind__in=(EntryKind.SELF_FUNDING, EntryKind.REVERSAL)),
                name="ledger_unit_only_on_self_funding",
                violation_error_message=_("Only self-funding names a contributing unit."),
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.REVERSAL, reverses__isnull=False)
                | (~Q(kind=EntryKind.REVERSAL) & Q(reverses__isnull=True)),
                name="ledger_only_reversal_reverses",
                violation_error_message=_("A reversal, and only a reversal, names the entry it reverses."),
            ),
            models.CheckConstraint(
                condition=~Q(reverses=F("pk")), name="ledger_not_own_reversal",
                violation_error_message=_("An entry cannot reverse itself."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=CORRECTIONS) | ~Q(reason=""), name="ledger_correction_has_reason",
                violation_error_message=_("Give the reason for the correction."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), name="ledger_year_range",
                violation_error_message=_("Enter a year between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(over_budget=False) | Q(kind=EntryKind.EXPENSE), name="ledger_override_only_on_expense",
                violation_error_message=_("Only an expense can pass the budget by override."),
            ),
            # A reversal keeps the year of the entry it cancels but is dated the day it is made.
            models.CheckConstraint(
                condition=Q(kind=EntryKind.REVERSAL) | Q(date__year=F("year")), name="ledger_date_in_year",
                violation_error_message=_("The date must fall within the budget year."),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.date} {self.get_kind_display()} {self.amount}"

    def save(self, *, force_insert=False, force_update=False, using=None, update_fields=None):
        """Insert only. An entry that is already stored is never saved again."""
        if (
            not self._state.adding
            or force_update
            or update_fields is not None
            or (self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists())
        ):
            raise AppendOnlyError(APPEND_ONLY_MESSAGE)
        super().save(force_insert=True, using=using)

    def delete(self, using=None, keep_parents=False):
        raise AppendOnlyError(APPEND_ONLY_MESSAGE)

    @property
    def is_money_in(self):
        return self.kind in MONEY_IN

    @property
    def is_reversed(self):
        """Whether a reversal of this entry exists (one query unless `reversal` was loaded)."""
        return hasattr(self, "reversal")
