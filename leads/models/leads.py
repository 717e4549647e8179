"""Leads (招商信息) and everything that happens to them.

A `Lead` belongs to the team that filed it, which keeps its credit for ever; the bureau's filing
record establishes the first provider; every stage change is a `StageChange` row. Counting
rules live in `LeadQuerySet`: a lead marked as a duplicate never counts.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from stations.models import Person, Station, Unit
from stations.names import person_name

from .enterprises import Contact, Enterprise, Industry
from .rules import Stage

MONEY = {"max_digits": 16, "decimal_places": 2}


class Source(models.TextChoices):
    STATION = "station", _("Station")
    BUSINESS_REFERRAL = "referral", _("Business referral")
    AGENCY = "agency", _("Agency")
    ALL_STAFF = "all_staff", _("All-staff promotion")
    FAIR = "fair", _("Fair or event")


class Category(models.TextChoices):
    INDUSTRIAL = "industrial", _("Industrial")
    TERTIARY = "tertiary", _("Tertiary")
    AGRICULTURAL = "agricultural", _("Agricultural")
    REAL_ESTATE = "real_estate", _("Real estate")
    FACTORY_LEASING = "factory_leasing", _("Standard-factory leasing")
    CAPITAL_INCREASE = "capital_increase", _("Capital increase")
    OTHER = "other", _("Other")


class Origin(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    FOREIGN = "foreign", _("Foreign")


class DuplicateStatus(models.TextChoices):
    NONE = "", _("Not checked")
    SUSPECTED = "suspected", _("Suspected duplicate")
    DUPLICATE = "duplicate", _("Duplicate")
    DISTINCT = "distinct", _("Distinct")


class ExecutiveRank(models.TextChoices):
    CHAIRMAN = "chairman", _("Chairman")
    PRESIDENT = "president", _("President")
    GENERAL_MANAGER = "general_manager", _("General manager")
    GROUP_VICE_PRESIDENT = "group_vp", _("Group vice-president")
    INVESTMENT_MANAGER = "investment_manager", _("Investment-department manager")
    OTHER = "other", _("Other")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('leads:list')}?tag={self.pk}"


class LeadQuerySet(models.QuerySet):
    def countable(self):
        """Leads that count in totals: never a lead resolved as a duplicate."""
        return self.exclude(duplicate_status=DuplicateStatus.DUPLICATE)

    def complete_condition(self):
        return (
            ~Q(content="") & Q(total_investment__isnull=False) & ~Q(investor_name="") & ~Q(investor_phone="")
            & (Q(land_mu__isnull=False) | Q(factory_sqm__isnull=False) | ~Q(utilities="") | ~Q(policy_needs="")
               | ~Q(requirements_note=""))
        )

    def with_classes(self):
        """Annotate `is_complete` and `is_qualified` (see `Lead.lead_class`), set-based."""
        return self.annotate(
            is_complete=models.ExpressionWrapper(self.complete_condition(), output_field=models.BooleanField()),
            is_qualified=Exists(InvestorVisit.objects.filter(lead=OuterRef("pk"), qualifies=True)),
        )

    def of_class(self, lead_class):
        queryset = self.countable()
        if lead_class == "complete":
            return queryset.filter(self.complete_condition())
        if lead_class == "qualified":
            return queryset.filter(Exists(InvestorVisit.objects.filter(lead=OuterRef("pk"), qualifies=True)))
        return queryset


class Lead(models.Model):
    """A possible investment project."""

    station = models.ForeignKey(Station, verbose_name=_("team"), on_delete=models.PROTECT, related_name="leads")
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    content = models.TextField(_("project content"), blank=True)
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="leads")
    investor_contact = models.ForeignKey(Contact, verbose_name=_("investor contact"), on_delete=models.SET_NULL,
                                         null=True, blank=True, related_name="leads")
    investor_name = models.CharField(_("investor's name"), max_length=100, blank=True)
    investor_phone = models.CharField(_("investor's phone or contact"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STATION)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.INDUSTRIAL)
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), on_delete=models.PROTECT, null=True,
                                 blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.DOMESTIC)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    exchange_rate = models.DecimalField(_("exchange rate to CNY"), max_digits=12, decimal_places=6, null=True,
                                        blank=True, validators=[MinValueValidator(Decimal("0.000001"))])
    exchange_rate_date = models.DateField(_("exchange rate date"), null=True, blank=True)
    total_investment = models.DecimalField(_("total investment (元)"), **MONEY, null=True, blank=True,
                                           validators=[MinValueValidator(0)])
    fixed_asset_investment = models.DecimalField(_("fixed-asset investment (元)"), **MONEY, null=True, blank=True,
                                                 validators=[MinValueValidator(0)])
    land_mu = models.DecimalField(_("land needed (mu)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(0)])
    factory_sqm = models.DecimalField(_("factory space needed (m²)"), max_digits=12, decimal_places=2, null=True,
                                      blank=True, validators=[MinValueValidator(0)])
    utilities = models.CharField(_("utilities needed"), max_length=200, blank=True)
    policy_needs = models.CharField(_("policy support asked for"), max_length=200, blank=True)
    requirements_note = models.TextField(_("other requirements"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="leads")

    # First-provider filing (申报备案) and the bureau's determination (认定).
    first_provider_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("first provider (user)"),
                                            on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    first_provider_name = models.CharField(_("first provider"), max_length=100, blank=True)
    first_provider_unit = models.CharField(_("first provider's unit"), max_length=100, blank=True)
    filed_at = models.DateTimeField(_("filed at"), db_index=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                 related_name="+")
    introducer_unit = models.ForeignKey(Unit, verbose_name=_("introducing unit"), on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+")
    introducer_person = models.CharField(_("introducing person"), max_length=100, blank=True)
    service_unit = models.ForeignKey(Unit, verbose_name=_("service unit"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    service_secretary = models.CharField(_("service secretary"), max_length=100, blank=True)
    determined_at = models.DateTimeField(_("determined at"), null=True, blank=True)
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("determined by"),
                                      on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.FILED, db_index=True)
    held_from = models.CharField(_("stage before hold"), max_length=20, choices=Stage.choices, blank=True)
    duplicate_status = models.CharField(_("duplicate check"), max_length=10, choices=DuplicateStatus.choices,
                                        blank=True, default=DuplicateStatus.NONE)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="duplicates")
    previous_phase = models.ForeignKey("self", verbose_name=_("earlier lead (capital increase or phase)"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="later_phases")

    # Transfer (转办) to a park or industry group.
    transferred_to = models.ForeignKey(Unit, verbose_name=_("transferred to"), on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="transferred_leads")
    follower = models.CharField(_("follower"), max_length=100, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)

    # Review, signing and later steps.
    review_site = models.CharField(_("site"), max_length=200, blank=True)
    review_land_utilities = models.CharField(_("land and utilities"), max_length=200, blank=True)
    review_policy = models.CharField(_("policy support"), max_length=200, blank=True)
    review_leader = models.CharField(_("leader in charge who reviewed"), max_length=100, blank=True)
    signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    contract_amount = models.DecimalField(_("contract amount (元)"), **MONEY, null=True, blank=True,
                                          validators=[MinValueValidator(0)])
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    production_on = models.DateField(_("in production on"), null=True, blank=True)
    actual_fixed_asset_investment = models.DecimalField(_("actual fixed-asset investment (元)"), **MONEY, null=True,
                                                        blank=True, validators=[MinValueValidator(0)])
    lost_reason = models.CharField(_("reason lost"), max_length=200, blank=True)
    lost_poor_service = models.BooleanField(_("lost through poor service"), null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["station", "stage"], name="lead_station_stage"),
            models.Index(fields=["transferred_to", "stage"], name="lead_park_stage"),
            # The board's columns: the newest leads of one stage, without sorting every lead.
            models.Index(fields=["stage", "-filed_at", "-id"], name="lead_stage_newest"),
            # The lists' default order (newest first) within one team.
            models.Index(fields=["station", "-filed_at", "-id"], name="lead_station_newest"),
            # Counting the leads that count (per stage, for the board and the list's pages) reads
            # this small index only, not the table.
            models.Index(fields=["stage"], condition=~Q(duplicate_status="duplicate"), name="lead_countable_stage"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("pk")), name="lead_not_duplicate_of_itself"),
            models.CheckConstraint(
                condition=Q(duplicate_status="duplicate", duplicate_of__isnull=False)
                | (~Q(duplicate_status="duplicate") & Q(duplicate_of__isnull=True)),
                name="lead_duplicate_has_original",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("leads:detail", args=[self.pk])

    @property
    def sector(self):
        return self.industry.sector if self.industry_id else ""

    @property
    def first_provider(self):
        """Who first provided the lead: the user's person's name, or the outside person's."""
        if self.first_provider_user_id:
            return person_name(self.first_provider_user)
        return self.first_provider_name

    def missing_for_complete(self):
        """What a complete lead needs and this one lacks (empty when complete)."""
        missing = []
        if not self.content.strip():
            missing.append(_("project content"))
        if self.total_investment is None:
            missing.append(_("investment size"))
        if not self.investor_name.strip():
            missing.append(_("investor's name"))
        if not self.investor_phone.strip():
            missing.append(_("investor's contact"))
        if not (self.land_mu is not None or self.factory_sqm is not None or self.utilities or self.policy_needs
                or self.requirements_note.strip()):
            missing.append(_("investor's requirements"))
        return missing

    def lead_class(self, visits=None):
        """("raw" | "complete" | "qualified" | "duplicate", reason) — the three classes of seed 002."""
        if self.duplicate_status == DuplicateStatus.DUPLICATE:
            return "duplicate", _("A duplicate of an earlier filing: it never counts.")
        visits = self.investor_visits.all() if visits is None else visits
        qualifying = [visit for visit in visits if visit.qualifies]
        if qualifying:
            visit = qualifying[0]
            return "qualified", _("%(rank)s %(name)s visited on %(date)s, received by the leader in charge.") % {
                "rank": visit.get_rank_display(), "name": visit.executive_name, "date": visit.date}
        missing = self.missing_for_complete()
        if not missing:
            return "complete", _("Content, investment size, investor and requirements are all recorded.")
        return "raw", _("Missing: %(missing)s.") % {"missing": "、".join(str(item) for item in missing)}


class StageChange(models.Model):
    """One move of a lead from a stage to another: who, when, why, with evidence."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="leads/evidence/%Y/%m/", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.lead}: {self.from_stage} → {self.to_stage}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()


class MeetingDecision(models.TextChoices):
    VALID = "valid", _("Valid: transfer")
    REJECTED = "rejected", _("Rejected")
    ON_HOLD = "on_hold", _("On hold")
    MORE_INFO = "more_info", _("Needs more information")


class ScreeningMeeting(models.Model):
    """A working group's meeting that decides a batch of leads (研判会)."""

    date = models.DateField(_("date"))
    attendees = models.ManyToManyField(Unit, verbose_name=_("attending departments"), blank=True, related_name="+")
    note = models.TextField(_("minutes"), blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("screening meeting")
        verbose_name_plural = _("screening meetings")

    def __str__(self):
        return f"{_('Screening meeting')} {self.date}"

    def get_absolute_url(self):
        return reverse("leads:meeting_detail", args=[self.pk])


class ScreeningDecision(models.Model):
    meeting = models.ForeignKey(ScreeningMeeting, on_delete=models.CASCADE, related_name="decisions")
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="screening_decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=MeetingDecision.choices)
    reason = models.CharField(_("reason"), max_length=300)
    transfer_to = models.ForeignKey(Unit, verbose_name=_("transfer to"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    follower = models.CharField(_("follower"), max_length=100, blank=True)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("screening decision")
        verbose_name_plural = _("screening decisions")
        constraints = [models.UniqueConstraint(fields=["meeting", "lead"], name="decision_once_per_meeting")]

    def __str__(self):
        return f"{self.lead}: {self.get_decision_display()}"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class InvestorVisit(models.Model):
    """An investor's visit to the district; it makes a lead "qualified" when `qualifies`."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="investor_visits")
    date = models.DateField(_("date"))
    executive_name = models.CharField(_("executive"), max_length=100)
    rank = models.CharField(_("executive's rank"), max_length=20, choices=ExecutiveRank.choices)
    departments = models.CharField(_("departments that took part"), max_length=200, blank=True)
    received_by_leader = models.BooleanField(_("received by the district leader in charge"), default=False)
    real_intent = models.BooleanField(_("real intent to invest"), default=False)
    qualifies = models.BooleanField(_("qualifies the lead"), default=False, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("investor visit")
        verbose_name_plural = _("investor visits")

    def __str__(self):
        return f"{self.date} {self.executive_name}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()


class FundsEntry(models.Model):
    """Funds in place (实际到位资金) received on a date, with evidence. Append-only."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="funds")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    amount_cny = models.DecimalField(_("amount (元)"), **MONEY)
    evidence = models.FileField(_("evidence"), upload_to="leads/funds/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("funds in place")
        verbose_name_plural = _("funds in place")

    def __str__(self):
        return f"{self.date} {self.amount_cny}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()


class LeadOutcome(models.Model):
    """A landed project's yearly output and tax (Huaiyin's output-quality indicator)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="outcomes")
    year = models.PositiveSmallIntegerField(_("year"))
    output_value = models.DecimalField(_("output value (元)"), **MONEY, validators=[MinValueValidator(0)])
    tax = models.DecimalField(_("tax paid (元)"), **MONEY, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["lead", "year"]
        verbose_name = _("output and tax")
        verbose_name_plural = _("output and tax")
        constraints = [models.UniqueConstraint(fields=["lead", "year"], name="lead_outcome_once_a_year")]

    def __str__(self):
        return f"{self.lead} {self.year}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()


class FollowUpPlan(models.Model):
    """A major lead's follow-up plan with the "five ones" (seed 004)."""

    lead = models.OneToOneField(Lead, on_delete=models.CASCADE, related_name="follow_up_plan")
    leader = models.CharField(_("one leader"), max_length=100)
    department = models.CharField(_("one department"), max_length=100)
    team = models.CharField(_("one team"), max_length=100)
    wechat_group = models.CharField(_("one WeChat group"), max_length=100)
    timeline = models.TextField(_("one timeline"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")

    def __str__(self):
        return f"{self.lead}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()


class ReturnVisit(models.Model):
    """A return visit to a landed project (aftercare)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="return_visits")
    date = models.DateField(_("date"))
    by = models.ForeignKey(Person, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True)
    note = models.TextField(_("what was found"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")

    def __str__(self):
        return f"{self.lead} {self.date}"

    def get_absolute_url(self):
        return self.lead.get_absolute_url()

