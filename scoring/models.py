"""Scoring schemes as data: a scheme belongs to a profile version, scores one kind of subject,
and is a list of items, each a rule type (`scoring.rules`) with its parameters."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import ProfileVersion

from . import rules


class Subject(models.TextChoices):
    PERSON = "person", _("Persons")
    TEAM = "team", _("Teams")
    UNIT = "unit", _("Units")


class PersonCounts(models.TextChoices):
    TEAM = "team", _("The team's leads")
    OWN = "own", _("The person's own leads")


class ScoringScheme(models.Model):
    version = models.ForeignKey(ProfileVersion, on_delete=models.CASCADE, related_name="scoring_schemes")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("scores"), max_length=10, choices=Subject.choices)
    total_points = models.DecimalField(_("full marks"), max_digits=6, decimal_places=2, default=Decimal("100"),
                                       validators=[MinValueValidator(Decimal("1"))])
    interview_line = models.DecimalField(
        _("interview at or below"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("A subject scoring this or less is interviewed (Shanting: 60)."))
    publication_working_days = models.PositiveSmallIntegerField(
        _("publication (working days)"), default=5,
        help_text=_("How long a result is published (公示) for objections before it is final."))
    excellent_quota = models.PositiveSmallIntegerField(
        _("quota for excellent"), null=True, blank=True,
        help_text=_("How many subjects of a period may be graded excellent; empty: no quota."))
    is_sketch = models.BooleanField(
        _("sketch"), default=False,
        help_text=_("The source document does not give the method: the preset is a starting point to edit."))
    person_counts = models.CharField(
        _("a person's counts"), max_length=10, choices=PersonCounts.choices, default=PersonCounts.TEAM,
        help_text=_("On a person sheet: count the leads of the person's team (Shanting: office counts feed it) or "
                    "the leads the person brought as first provider (all-staff promotion)."))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="scheme_code_once_per_version",
                                               violation_error_message=_("This version already has a scheme "
                                                                         "with that code."))]

    def __str__(self):
        return f"{self.name} ({self.version})"

    def save(self, *args, **kwargs):
        self.refuse_if_locked()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:scoring_scoringscheme_change", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """Used by a final result: its items, parameters and subjects stay as they are, so that the
        result can be reproduced. (Unlocking the result, with a reason, frees it again.)"""
        return self.pk is not None and self.evaluations.filter(stage=Stage.FINAL).exists()

    def refuse_if_locked(self):
        if self.is_locked:
            raise ValidationError(_("“%(scheme)s” is used by a final result and cannot be changed: change it in a "
                                    "new profile version.") % {"scheme": self.name})


class SchemeItem(models.Model):
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("item"), max_length=100)
    rule_type = models.CharField(_("rule type"), max_length=30,
                                 choices=[(code, rule.label) for code, rule in rules.RULE_TYPES.items()])
    max_points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(Decimal("0"))],
                                     help_text=_("The item's full points; empty for deductions, vetoes and "
                                                 "money penalties."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "position"]
        verbose_name = _("scheme item")
        verbose_name_plural = _("scheme items")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="scheme_item_code_once"),
            models.UniqueConstraint(fields=["scheme", "position"], name="scheme_item_position_once"),
            models.CheckConstraint(condition=Q(max_points__isnull=True) | Q(max_points__gte=0),
                                   name="scheme_item_points_not_negative"),
        ]

    def __str__(self):
        return f"{self.position}. {self.label}"

    def save(self, *args, **kwargs):
        self.scheme.refuse_if_locked()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.scheme.get_absolute_url()

    def delete(self, *args, **kwargs):
        self.scheme.refuse_if_locked()
        return super().delete(*args, **kwargs)

    def clean(self):
        """Parameters are checked against the rule type; references name sibling items that have a
        target (a penalty or veto reads the share of that target missed)."""
        siblings = set(SchemeItem.objects.filter(scheme_id=self.scheme_id).exclude(pk=self.pk)
                       .values_list("code", flat=True)) if self.scheme_id else set()
        if self.rule_type not in rules.RULE_TYPES:
            raise ValidationError({"rule_type": _("Choose a rule type.")})
        try:
            self.params = rules.validate(self.rule_type, self.params, item_codes=siblings)
        except ValidationError as error:
            raise ValidationError({"params": error.messages}) from error
        referred = self.params.get("of_item") if isinstance(self.params, dict) else None
        if referred and SchemeItem.objects.filter(scheme_id=self.scheme_id, code=referred).exclude(
                rule_type__in=rules.TARGETED).exists():
            raise ValidationError({"params": _("“%(item)s” has no target to miss.") % {"item": referred}})
        if rules.RULE_TYPES[self.rule_type].money and self.max_points is not None:
            raise ValidationError({"max_points": _("A money penalty carries no points.")})


class SchemeSubject(models.Model):
    """A subject the scheme scores and its group: the rank class of a cadre ("leader", "middle") or
    the group of a unit (Huaiyin's four groups), which the items' targets and penalty bases are
    keyed by. A person scheme without subjects scores the people posted in the period; a unit
    scheme scores exactly the units listed."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    unit = models.ForeignKey("stations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    group = models.SlugField(_("group"), max_length=40, blank=True,
                             help_text=_("The key of the targets and bases: a rank class or a unit group."))
    heads = models.PositiveSmallIntegerField(_("head count"), default=1,
                                             help_text=_("For a penalty per head (a unit's year-end bonus)."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "group", "pk"]
        verbose_name = _("subject of a scheme")
        verbose_name_plural = _("subjects of a scheme")
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=True) ^ Q(unit__isnull=True),
                                   name="scheme_subject_person_or_unit"),
            models.UniqueConstraint(fields=["scheme", "person"], name="scheme_subject_person_once"),
            models.UniqueConstraint(fields=["scheme", "unit"], name="scheme_subject_unit_once"),
        ]

    def __str__(self):
        return f"{self.person or self.unit} ({self.group or '—'})"

    def save(self, *args, **kwargs):
        self.scheme.refuse_if_locked()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.scheme.get_absolute_url()

    def delete(self, *args, **kwargs):
        self.scheme.refuse_if_locked()
        return super().delete(*args, **kwargs)

    def clean(self):
        subject = self.scheme.subject if self.scheme_id else None
        if subject == Subject.UNIT and self.unit_id is None:
            raise ValidationError({"unit": _("A unit scheme scores units.")})
        if subject in (Subject.PERSON,) and self.person_id is None:
            raise ValidationError({"person": _("A person scheme scores persons.")})
        if subject == Subject.TEAM:
            raise ValidationError(_("A team scheme scores every active team; it lists no subjects."))


class Grade(models.TextChoices):
    """Levels; their names depend on the staff category (see `scoring.grades`)."""

    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent / qualified")
    BASIC = "basic", _("Basically competent / qualified")
    INCOMPETENT = "incompetent", _("Incompetent / unqualified")


class FindingKind(models.TextChoices):
    LOST_BY_SERVICE = "lost_by_service", _("Project lost through poor service")
    EIGHT_POINT_RULES = "eight_point_rules", _("Breach of the eight-point rules")


class Finding(models.Model):
    """A finding the assessing offices recorded against a person (or a whole team), which a
    deduction item counts. A project lost through poor service is also read from the lead itself."""

    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT,
                                related_name="findings")
    person = models.ForeignKey("stations.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="findings", help_text=_("Empty: the whole team."))
    kind = models.CharField(_("finding"), max_length=20, choices=FindingKind.choices)
    date = models.DateField(_("date"))
    description = models.TextField(_("what was found"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A finding recorded in error is withdrawn, never deleted: results that cited it must stay
    # explainable (`scoring.findings.finding_withdraw`).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("withdrawn by"))
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=(Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                           | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                              & ~Q(withdrawal_reason=""))),
                name="finding_withdrawn_with_who_when_and_why",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("scoring:finding_detail", args=[self.pk])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Stage(models.TextChoices):
    """The three hands and publication (Xuancheng's separation of evidence, verification and
    adjudication; 公示 before a result is final)."""

    COMPUTED = "computed", _("Computed")
    CONFIRMED = "confirmed", _("Evidence confirmed")
    DISPUTED = "disputed", _("Evidence disputed")
    VERIFIED = "verified", _("Verified")
    ADJUDICATED = "adjudicated", _("Adjudicated")
    PUBLISHED = "published", _("Published (公示)")
    FINAL = "final", _("Final")


class Evaluation(models.Model):
    """One subject's score under a scheme for a period (a year, a half-year or a quarter)."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, related_name="evaluations")
    person = models.ForeignKey("stations.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="evaluations")
    station = models.ForeignKey("stations.Station", verbose_name=_("team"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="evaluations",
                                help_text=_("The team scored, or the person's team; empty for a unit or a cadre "
                                            "scored on their own leads."))
    unit = models.ForeignKey("stations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="evaluations")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True, blank=True,
                                help_text=_("Empty while a judgement item is still to be scored."))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    grade_reason = models.CharField(_("reason for the grade"), max_length=300, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.COMPUTED)
    published_until = models.DateField(_("published until (inclusive)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "station", "person"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "station", "person", "unit", "period_start", "period_end"],
                                    name="evaluation_once_per_subject_and_period_v2",
                                    nulls_distinct=False),
            models.CheckConstraint(
                condition=(Q(unit__isnull=False, station__isnull=True, person__isnull=True)
                           | Q(unit__isnull=True) & (Q(station__isnull=False) | Q(person__isnull=False))),
                name="evaluation_one_kind_of_subject"),
        ]

    def __str__(self):
        return f"{self.person or self.station} · {self.scheme.name} · {self.period_start:%Y-%m}–{self.period_end:%Y-%m}"

    def get_absolute_url(self):
        return reverse("scoring:evaluation_detail", args=[self.pk])

    @property
    def subject(self):
        return self.person or self.station or self.unit


class EvaluationLine(models.Model):
    """An item's value, its points and the exact evidence behind them (links to leads, checks,
    events, findings)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("value"), max_length=100, blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, null=True, blank=True)
    explanation = models.CharField(_("how"), max_length=300, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    money = models.DecimalField(_("amount (元)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                help_text=_("A money penalty or reward the line yields; never part of the points."))
    shortfall = models.DecimalField(_("share of the target missed"), max_digits=5, decimal_places=4, null=True,
                                    blank=True, help_text=_("0 when the target is met, 1 when nothing was done; "
                                                            "empty when the item has no target."))
    forbids = models.CharField(_("forbids the grade"), max_length=12, blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required for a judgement."))
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["evaluation", "item__position"]
        verbose_name = _("evaluation line")
        verbose_name_plural = _("evaluation lines")
        constraints = [models.UniqueConstraint(fields=["evaluation", "item"], name="evaluation_line_once")]

    def __str__(self):
        return f"{self.item.label}: {self.points}"

    def get_absolute_url(self):
        return self.evaluation.get_absolute_url()


class EvaluationStep(models.Model):
    """Who moved an evaluation to a stage, when, and what they said (every change is a row)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("evaluation step")
        verbose_name_plural = _("evaluation steps")

    def __str__(self):
        return f"{self.evaluation}: {self.get_stage_display()}"

    def get_absolute_url(self):
        return self.evaluation.get_absolute_url()


class Objection(models.Model):
    """An objection raised during publication, and the answer it must get before the result is final."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("objection"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return self.text[:50]

    def get_absolute_url(self):
        return self.evaluation.get_absolute_url()


from .reward_models import IntroducerSettlement, Reward, RewardRules, RewardStep  # noqa: E402,F401
