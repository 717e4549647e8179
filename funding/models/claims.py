"""Expense claims (报销) with their receipts and approval steps, and requests to raise a budget.

Both are requests in the sense of `stations.approvals`: they carry `station`, `status`,
`process`, `decisions` and `requester`, and move along the profile's chain. An approved claim
posts one expense to the ledger (`entry`); a claim that would pass the budget is *held* until
the person the profile names lets it through with a recorded reason, or turns it down.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import ApprovalProcess, RequestStatus
from stations.models.approvals import Decision

from .ledger import LedgerEntry, year_validators


class ClaimStatus(models.TextChoices):
    # The values of `RequestStatus` (the approval engine compares with them), and one more.
    PENDING = RequestStatus.PENDING.value, RequestStatus.PENDING.label
    HELD = "held", _("Held: past the budget")
    APPROVED = RequestStatus.APPROVED.value, _("Approved and paid")
    REFUSED = RequestStatus.REFUSED.value, RequestStatus.REFUSED.label
    WITHDRAWN = RequestStatus.WITHDRAWN.value, RequestStatus.WITHDRAWN.label


# A refused or withdrawn claim gives its invoice number back: it may be claimed again, correctly.
LIVE_STATUSES = (ClaimStatus.PENDING, ClaimStatus.HELD, ClaimStatus.APPROVED)


class ExpenseClaim(models.Model):
    """One claim for money a team spent: what, when, to whom, with its receipts."""

    process = ApprovalProcess.EXPENSE_CLAIM

    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="expense_claims")
    year = models.PositiveSmallIntegerField(_("budget year"), validators=year_validators)
    date = models.DateField(_("date spent"))
    category = models.ForeignKey("funding.ExpenseCategory", verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="claims")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    payee = models.CharField(_("payee"), max_length=100)
    description = models.CharField(_("what for"), max_length=300)
    invoice_number = models.CharField(
        _("invoice number"), max_length=40, blank=True,
        help_text=_("As printed on the invoice (发票号码); an invoice is claimed only once."),
    )
    nights = models.PositiveSmallIntegerField(_("nights"), null=True, blank=True,
                                              help_text=_("For lodging: checked against the city's cap."))
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True,
                                            help_text=_("For meals: checked against the daily allowance."))
    city = models.CharField(_("city"), max_length=50, blank=True, help_text=_("Where the night or the meals were."))
    event = models.ForeignKey("stations.Event", verbose_name=_("event"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="expense_claims",
                              help_text=_("A conference fee names the approved large event."))
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    # The form's one-time token: a second submit of the same form finds this claim, files no other.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    entry = models.OneToOneField(LedgerEntry, verbose_name=_("ledger entry"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="claim")
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("let past the budget by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    override_reason = models.CharField(_("reason for passing the budget"), max_length=300, blank=True)
    override_at = models.DateTimeField(_("let past the budget at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        indexes = [models.Index(fields=["station", "year", "status"], name="claim_station_year_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice_number"], condition=~Q(invoice_number="") & Q(status__in=LIVE_STATUSES),
                name="claim_invoice_once",
                violation_error_message=_("This invoice has already been claimed."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive",
                                   violation_error_message=_("The amount must be more than zero.")),
            models.CheckConstraint(condition=Q(date__year=models.F("year")), name="claim_date_in_year",
                                   violation_error_message=_("The date must fall within the budget year.")),
            models.CheckConstraint(
                condition=~Q(status=ClaimStatus.APPROVED) | Q(entry__isnull=False), name="claim_approved_is_posted",
                violation_error_message=_("An approved claim is posted to the ledger."),
            ),
            models.CheckConstraint(
                condition=Q(entry__isnull=True) | Q(status=ClaimStatus.APPROVED), name="claim_posted_is_approved",
                violation_error_message=_("Only an approved claim is posted to the ledger."),
            ),
            models.CheckConstraint(
                condition=Q(override_by__isnull=True) | ~Q(override_reason=""), name="claim_override_has_reason",
                violation_error_message=_("Give the reason for letting the claim pass the budget."),
            ),
        ]

    def __str__(self):
        return gettext("Claim %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("funding:claim_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The claim's number on forms and in the ledger's reference: BX2026-0042."""
        return f"BX{self.year}-{self.pk:04d}" if self.pk else "BX"

    @property
    def is_open(self) -> bool:
        return self.status in (ClaimStatus.PENDING, ClaimStatus.HELD)


class ClaimDecision(Decision):
    claim = models.ForeignKey(ExpenseClaim, on_delete=models.CASCADE, related_name="decisions")

    class Meta(Decision.Meta):
        verbose_name = _("claim decision")
        verbose_name_plural = _("claim decisions")
        constraints = [models.UniqueConstraint(fields=["claim", "position"], name="claim_decision_once_per_step")]

    def get_absolute_url(self):
        return self.claim.get_absolute_url()


class Receipt(models.Model):
    """A scanned or electronic receipt of a claim (PDF, OFD, JPG or PNG), served only to those who
    may read the claim."""

    claim = models.ForeignKey(ExpenseClaim, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(_("file"), upload_to="funding/receipts/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("funding:receipt_file", args=[self.pk])


class BudgetIncrease(models.Model):
    """A request to raise a team's budget for a year, agreed along the profile's chain (Shanting:
    finance, audit and the bureau together). The budget rises when the last step approves."""

    process = ApprovalProcess.BUDGET_INCREASE

    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="budget_increases")
    year = models.PositiveSmallIntegerField(_("budget year"), validators=year_validators)
    amount = models.DecimalField(_("increase (yuan)"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    # The form's one-time token: a second submit of the same form finds this request, asks no other.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("budget increase")
        verbose_name_plural = _("budget increases")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="increase_amount_positive",
                                              violation_error_message=_("The amount must be more than zero."))]

    def __str__(self):
        return gettext("%(team)s: %(amount)s yuan more for %(year)s") % {
            "team": self.station, "amount": self.amount, "year": self.year}

    def get_absolute_url(self):
        return reverse("funding:increase_detail", args=[self.pk])


class IncreaseDecision(Decision):
    increase = models.ForeignKey(BudgetIncrease, on_delete=models.CASCADE, related_name="decisions")

    class Meta(Decision.Meta):
        verbose_name = _("budget increase decision")
        verbose_name_plural = _("budget increase decisions")
        constraints = [models.UniqueConstraint(fields=["increase", "position"], name="increase_decision_once")]

    def get_absolute_url(self):
        return self.increase.get_absolute_url()
