"""Policy profiles (制度方案): one jurisdiction's rules as data, with yearly versions.

Code implements rule *types*; every number, boundary and approval chain of a seed lives in these
rows. Presets ship with the app (`stations.presets`, loaded by `load_presets`); an administrator
copies one and edits the copy. Exactly one profile is active in a deployment, and the version in
force is the newest one whose year is not after the current year.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .org import PostingRole, StationKind
from .reports import ReportKind


class ProfileQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Profile(models.Model):
    """One jurisdiction's rules; `preset` names the shipped preset it is (blank for a copy)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source document"), max_length=200, blank=True)
    preset = models.CharField(_("preset"), max_length=40, blank=True, help_text=_("Blank for an edited copy."))
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    is_active = models.BooleanField(_("active"), default=False)

    objects = ProfileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("policy profile")
        verbose_name_plural = _("policy profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="profile_only_one_active",
                violation_error_message=_("Only one policy profile can be active."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stations:profile_detail", args=[self.pk])

    def version_for(self, year=None):
        """The version in force in `year`: the newest version not after it (None if there is none)."""
        year = year or timezone.localdate().year
        return self.versions.filter(year__lte=year).order_by("-year").first()


def default_required_reports():
    return ["monthly"]


def default_progress_kinds():
    return ["new_lead", "stage_advance", "funds"]


class ProfileVersionQuerySet(models.QuerySet):
    def in_force(self, year: int | None = None) -> "ProfileVersionQuerySet":
        """The active profile's versions not after `year` (default this year), newest first: the
        first is the version in force (`.first()`, None if there is none; `.values("pk")[:1]` as a
        subquery). One query, where the active profile and then its `version_for` are two."""
        year = year or timezone.localdate().year
        return self.filter(profile__is_active=True, year__lte=year).order_by("-year")


class ProfileVersion(models.Model):
    """A profile's rules for one year onwards (until a newer version)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="versions")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    monthly_report_due_day = models.PositiveSmallIntegerField(
        _("monthly report due day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month by which the monthly report is due (inclusive); empty means the last day."),
    )
    term_ending_notice_days = models.PositiveSmallIntegerField(
        _("posting term reminder (days before)"), default=60,
        help_text=_("The bureau is reminded this many days before a posting's term ends."),
    )
    on_post_days_month = models.PositiveSmallIntegerField(
        _("days at post a month (target)"), null=True, blank=True,
        help_text=_("Calendar days; empty means no target. Applies to resident team kinds only."))
    on_post_days_year = models.PositiveSmallIntegerField(
        _("days at post a year (target)"), null=True, blank=True, help_text=_("Calendar days; empty means no target."))
    leave_days_month = models.PositiveSmallIntegerField(
        _("rotation leave a month (days)"), null=True, blank=True,
        help_text=_("Calendar days of rotation leave allowed in one month; empty means no limit."))
    large_event_min_invited = models.PositiveSmallIntegerField(
        _("a hosted event is large from (invited enterprises)"), null=True, blank=True,
        help_text=_("A hosted event inviting at least this many enterprises needs approval in advance; "
                    "empty means only events marked large do."))
    report_due_working_days = models.PositiveSmallIntegerField(
        _("quarterly, half-year and annual reports due (working days after the period)"), default=10)
    required_reports = models.JSONField(
        _("reports required"), default=default_required_reports, blank=True,
        help_text=_("Report kinds every team must file, e.g. monthly, quarterly, half_year, annual, research."))
    # Warnings (DESIGN §3 "Accountability"): prompts for the offices that decide.
    away_consecutive_days = models.PositiveSmallIntegerField(
        _("warn after consecutive calendar days away"), null=True, blank=True, default=15)
    away_working_days = models.PositiveSmallIntegerField(
        _("warn after working days away in total"), null=True, blank=True, default=30)
    away_window_days = models.PositiveSmallIntegerField(
        _("window for the total (days)"), null=True, blank=True,
        help_text=_("Empty means the posting term so far."))
    unlogged_days_away = models.BooleanField(
        _("a day without a log counts as away"), default=True,
        help_text=_("At resident teams a day at post must be shown by a log."))
    no_progress_months = models.PositiveSmallIntegerField(
        _("warn after months without progress"), null=True, blank=True, default=6)
    progress_kinds = models.JSONField(
        _("what counts as progress"), default=default_progress_kinds, blank=True,
        help_text=_("Any of: new_lead, stage_advance, funds."))
    notes = models.TextField(_("notes"), blank=True)

    objects = ProfileVersionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["profile", "-year"]
        verbose_name = _("profile version")
        verbose_name_plural = _("profile versions")
        constraints = [
            models.UniqueConstraint(fields=["profile", "year"], name="profile_version_once_a_year"),
            models.CheckConstraint(
                condition=Q(monthly_report_due_day__isnull=True)
                | Q(monthly_report_due_day__gte=1, monthly_report_due_day__lte=28),
                name="profile_version_due_day_in_month",
            ),
        ]

    def __str__(self):
        return f"{self.profile} · {self.year}"

    def get_absolute_url(self):
        return self.profile.get_absolute_url()

    def monthly_report_due_date(self, year, month):
        """The last day (inclusive) on which the report for `month` is on time."""
        if self.monthly_report_due_day:
            return datetime.date(year, month, self.monthly_report_due_day)
        next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
        return next_month - datetime.timedelta(days=1)

    @property
    def required_report_labels(self):
        return [str(ReportKind(kind).label) for kind in self.required_reports or [] if kind in ReportKind.values]

    def title_for(self, kind, role):
        """The title this version gives a chief or staff member of a team kind (or a generic one)."""
        for rule in self.team_kinds.all():
            if rule.kind == kind:
                return rule.chief_title if role == PostingRole.CHIEF else rule.staff_title
        return str(PostingRole(role).label)


class TeamKindRule(models.Model):
    """A team kind a profile uses, what it calls it and its people, and whether it is resident."""

    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="team_kinds")
    kind = models.CharField(_("team kind"), max_length=20, choices=StationKind.choices)
    label = models.CharField(_("name in this profile"), max_length=30, blank=True, help_text=_("e.g. 驻外招商工作处"))
    chief_title = models.CharField(_("chief's title"), max_length=30)
    staff_title = models.CharField(_("staff title"), max_length=30)
    is_resident = models.BooleanField(
        _("resident"), default=True, help_text=_("Presence rules (days at post, leave) apply to resident teams only.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "kind"]
        verbose_name = _("team kind rule")
        verbose_name_plural = _("team kind rules")
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="team_kind_rule_once_per_version")]

    def __str__(self):
        return self.label or self.get_kind_display()

    def get_absolute_url(self):
        return self.version.get_absolute_url()


class ApprovalProcess(models.TextChoices):
    LEAVE = "leave", _("Rotation leave")
    HOME_SERVICE = "home_service", _("Home service")
    LARGE_EVENT = "large_event", _("Large event")
    EXPENSE_CLAIM = "expense_claim", _("Expense claim")
    BUDGET_INCREASE = "budget_increase", _("Budget increase")


class ApprovalActor(models.TextChoices):
    """Who acts in a step. Team roles come from postings, the rest from role groups or units."""

    CHIEF = "chief", _("Team chief")
    BUREAU = "bureau", _("Bureau")
    ASSESSMENT = "assessment", _("Assessment office")
    LEADERSHIP = "leadership", _("District leader in charge")
    LEADING_GROUP = "leading_group", _("Leading group")
    FINANCE = "finance", _("Finance")
    AUDIT = "audit", _("Audit")
    LEAD_UNIT = "lead_unit", _("Team's lead unit")
    ORG_DEPARTMENT = "org_department", _("Organization department")


class StepAction(models.TextChoices):
    SCHEDULE = "schedule", _("Schedules")
    APPROVE = "approve", _("Approves")
    AGREE = "agree", _("Agrees")
    FILE = "file", _("Files (for the record)")


class ApprovalStep(models.Model):
    """One step of an approval chain: in `process`, at `position`, `actor` does `action`.

    A step with a `team_kind` applies to that kind of team only (Xuancheng: the bureau approves a
    branch's claims, a city group's lead unit approves its own); a step without one applies to all.
    """

    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="approval_steps")
    process = models.CharField(_("process"), max_length=20, choices=ApprovalProcess.choices)
    team_kind = models.CharField(_("team kind"), max_length=20, choices=StationKind.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    actor = models.CharField(_("actor"), max_length=20, choices=ApprovalActor.choices)
    action = models.CharField(_("action"), max_length=10, choices=StepAction.choices, default=StepAction.APPROVE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "process", "team_kind", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "process", "team_kind", "position"], name="approval_step_position_once"
            )
        ]

    def __str__(self):
        return f"{self.get_process_display()} {self.position}: {self.get_actor_display()} {self.get_action_display()}"

    def get_absolute_url(self):
        return self.version.get_absolute_url()


class AccountabilityKind(models.TextChoices):
    """Decisions that may follow a warning (DESIGN §3 "Accountability"); never automatic."""

    POOR_PROGRESS = "poor_progress", _("Judged to progress badly")
    INTERVIEW = "interview", _("Interview (约谈)")
    CRITICISM = "criticism", _("Circular of criticism")
    WARNING_TALK = "warning_talk", _("Warning talk (诫勉谈话)")
    DISCIPLINE_REFERRAL = "discipline_referral", _("Referral to the discipline commission")
    REPLACEMENT = "replacement", _("Replacement request")
    DISMISSAL = "dismissal", _("Dismissal request")


class AccountabilityRule(models.Model):
    """Which office records a kind of accountability decision. Several offices may share a kind
    (Shanting: the assessment office and the bureau together determine a replacement)."""

    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="accountability_rules")
    kind = models.CharField(_("decision"), max_length=20, choices=AccountabilityKind.choices)
    actor = models.CharField(_("office"), max_length=20, choices=ApprovalActor.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "kind", "actor"]
        verbose_name = _("accountability rule")
        verbose_name_plural = _("accountability rules")
        constraints = [models.UniqueConstraint(fields=["version", "kind", "actor"], name="accountability_rule_once")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_actor_display()}"

    def get_absolute_url(self):
        return self.version.get_absolute_url()
