"""Enterprises, the industry classification, each team's contact book, and visits (拜访)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from stations.models import Person, Station

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V), the last a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """A unified social credit code (统一社会信用代码): 18 characters with a valid check character."""
    code = value.upper()
    if len(code) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in code):
        raise ValidationError(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S, V."),
            code="credit_code_format",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(_("This unified social credit code is not valid (its check character is wrong)."),
                              code="credit_code_checksum")


COMPANY_SUFFIXES = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|公司|（中国）|\(中国\)|中国)$")
NAME_NOISE = re.compile(r"[\s\u3000()（）·,，.。\-]+")


def normalise_enterprise_name(name: str) -> str:
    """The name as compared for duplicates: no spaces or brackets, no company-form suffix."""
    text = NAME_NOISE.sub("", name or "").upper()
    previous = None
    while previous != text:
        previous, text = text, COMPANY_SUFFIXES.sub("", text)
    return text


class Sector(models.TextChoices):
    PRIMARY = "primary", _("Primary sector")
    SECONDARY = "secondary", _("Secondary sector")
    TERTIARY = "tertiary", _("Tertiary sector")


class Industry(models.Model):
    """The national industry classification (GB/T 4754-2017) as reference data, mapped to sectors."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("admin:leads_industry_change", args=[self.pk])


class EnterpriseTier(models.TextChoices):
    FORTUNE_GLOBAL_500 = "fortune500", _("Fortune Global 500")
    CHINA_500 = "china500", _("China top 500")
    CHINA_100 = "china100", _("China top 100")
    PRIVATE_100 = "private100", _("China private top 100")
    INDUSTRY_50 = "industry50", _("Industry top 50")
    INDUSTRY_100 = "industry100", _("Industry top 100")
    LISTED = "listed", _("Listed company")
    CENTRAL_SOE = "central_soe", _("Central state-owned enterprise")


class EnterpriseKind(models.TextChoices):
    COMPANY = "company", _("Company")
    CHAMBER = "chamber", _("Chamber of commerce")
    ASSOCIATION = "association", _("Association")
    INTERMEDIARY = "intermediary", _("Intermediary")
    TOWNSMEN = "townsmen", _("Fellow-townsmen network")
    OTHER = "other", _("Other")


class Enterprise(models.Model):
    """A company or organisation the bureau deals with; shared by every team."""

    name = models.CharField(_("name"), max_length=200)
    normalised_name = models.CharField(max_length=200, db_index=True, editable=False)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), on_delete=models.PROTECT, null=True, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EnterpriseKind.choices, default=EnterpriseKind.COMPANY)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="enterprise_credit_code_unique",
                violation_error_message=_("An enterprise with this credit code already exists."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("leads:enterprise_detail", args=[self.pk])

    def clean(self):
        self.credit_code = (self.credit_code or "").strip().upper()
        unknown = set(self.tiers or []) - set(EnterpriseTier.values)
        if unknown:
            raise ValidationError({"tiers": _("Unknown tier: %(tiers)s") % {"tiers": ", ".join(sorted(unknown))}})
        self.normalised_name = normalise_enterprise_name(self.name)

    @property
    def is_top(self):
        """A "top company" in the sense of the qualified-lead rule: it has any tier."""
        return bool(self.tiers)

    def tier_labels(self):
        return [EnterpriseTier(tier).label for tier in self.tiers or [] if tier in EnterpriseTier.values]


class Contact(models.Model):
    """A person at an enterprise, in one team's contact book (通信录)."""

    station = models.ForeignKey(Station, verbose_name=_("team"), on_delete=models.CASCADE, related_name="contacts")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=50, blank=True)
    rank = models.CharField(_("rank"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=50, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise__name", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name}（{self.enterprise}）"

    def get_absolute_url(self):
        return reverse("leads:enterprise_detail", args=[self.enterprise_id])


class Visit(models.Model):
    """A visit by a team to an enterprise (拜访)."""

    station = models.ForeignKey(Station, verbose_name=_("team"), on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="visits")
    contact = models.ForeignKey(Contact, verbose_name=_("met"), on_delete=models.SET_NULL, null=True, blank=True)
    visitors = models.ManyToManyField(Person, verbose_name=_("who went"), related_name="visits", blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    outcome = models.TextField(_("outcome"), blank=True)
    new_investor = models.BooleanField(_("first meeting with this investor"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[visitors])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["station", "date"], name="visit_station_date")]

    def __str__(self):
        return f"{self.date} {self.enterprise}"

    def get_absolute_url(self):
        return reverse("leads:enterprise_detail", args=[self.enterprise_id])
