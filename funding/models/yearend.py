"""Closing a team's budget year, and the amounts recovered from a dismissed person (Susong)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .ledger import LedgerEntry, year_validators
from .rules import YearEnd


class YearClose(models.Model):
    """A closed team-year: its balance went back to the treasury or over to the next year, by the
    closing entry (and the carry-over entry). Nothing more is posted to a closed year."""

    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="year_closes")
    year = models.PositiveSmallIntegerField(_("budget year"), validators=year_validators)
    balance = models.DecimalField(_("balance at closing (yuan)"), max_digits=14, decimal_places=2)
    disposition = models.CharField(_("balance"), max_length=20, choices=YearEnd.choices)
    closing = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    carried = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "station"]
        verbose_name = _("closed budget year")
        verbose_name_plural = _("closed budget years")
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="year_close_once",
                                    violation_error_message=_("This year is already closed.")),
            models.CheckConstraint(condition=Q(balance__gte=0), name="year_close_balance_not_negative",
                                   violation_error_message=_("A year is closed with a balance of zero or more.")),
        ]

    def __str__(self):
        return gettext("%(team)s %(year)s closed") % {"team": self.station, "year": self.year}


class Recovery(models.Model):
    """The amount determined to be recovered from a dismissed person (Susong: 解聘, a share of the
    funds used is deducted from salary — outside this system; here it is recorded)."""

    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="recoveries")
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="recoveries")
    year = models.PositiveSmallIntegerField(_("budget year"), validators=year_validators)
    funds_used = models.DecimalField(_("funds used (yuan)"), max_digits=14, decimal_places=2,
                                     validators=[MinValueValidator(Decimal("0"))])
    amount = models.DecimalField(_("to be recovered (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    basis = models.CharField(_("basis of the determination"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The form's one-time token: a second submit of the same form finds this recovery, records no other.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("recovery on dismissal")
        verbose_name_plural = _("recoveries on dismissal")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive",
                                   violation_error_message=_("The amount must be more than zero.")),
            models.CheckConstraint(condition=Q(amount__lte=models.F("funds_used")), name="recovery_within_funds_used",
                                   violation_error_message=_("No more than the funds used can be recovered.")),
        ]

    def __str__(self):
        return gettext("%(person)s: %(amount)s yuan to recover") % {"person": self.person, "amount": self.amount}
