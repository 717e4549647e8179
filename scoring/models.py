"""Scoring schemes as data: a scheme belongs to a profile version, scores one kind of subject,
and is a list of items, each a rule type (`scoring.rules`) with its parameters."""

from decimal import Decimal

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
    is_sketch = models.BooleanField(
        _("sketch"), default=False,
        help_text=_("The source document does not give the method: the preset is a starting point to edit."))
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

    def get_absolute_url(self):
        return reverse("admin:scoring_scoringscheme_change", args=[self.pk])


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

    def get_absolute_url(self):
        return self.scheme.get_absolute_url()

    def clean(self):
        """Parameters are checked against the rule type; references name sibling items."""
        siblings = set(SchemeItem.objects.filter(scheme_id=self.scheme_id).exclude(pk=self.pk)
                       .values_list("code", flat=True)) if self.scheme_id else set()
        if self.rule_type not in rules.RULE_TYPES:
            raise ValidationError({"rule_type": _("Choose a rule type.")})
        try:
            self.params = rules.validate(self.rule_type, self.params, item_codes=siblings)
        except ValidationError as error:
            raise ValidationError({"params": error.messages}) from error
        if rules.RULE_TYPES[self.rule_type].money and self.max_points is not None:
            raise ValidationError({"max_points": _("A money penalty carries no points.")})
