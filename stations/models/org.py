"""The organisation: government units, teams (stations of every kind), people and postings.

A `Station` is any team the bureau runs (DESIGN §2): a resident station in another city, a hub
with branches, a city group, an industry group or a home-based team. A `Posting` assigns a
`Person` to a team with a role and a term; who may see and do what follows from postings and
role groups (see `stations.permissions`).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, hyphens and underscores only, starting with a letter or digit."),
)
phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$",
    _("Enter a mainland mobile number (11 digits) or a landline such as 0710-1234567."),
)


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Investment promotion bureau")
    DEPARTMENT = "department", _("Government department")
    TOWN = "town", _("Town or street")
    VILLAGE = "village", _("Village or community")
    PARK = "park", _("Park or development zone")
    PLATFORM = "platform", _("Platform company")
    OTHER = "other", _("Other unit")


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def parks(self):
        return self.filter(kind=UnitKind.PARK)


class Unit(models.Model):
    """A government unit: it forms or leads teams, lends its staff, or is itself assessed."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("stations:unit_detail", args=[self.pk])


class StationKind(models.TextChoices):
    RESIDENT_STATION = "resident_station", _("Resident station")
    HUB = "hub", _("Hub")
    BRANCH = "branch", _("Branch")
    CITY_GROUP = "city_group", _("City group")
    INDUSTRY_GROUP = "industry_group", _("Industry group")
    HOME_TEAM = "home_team", _("Home-based team")


class StationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_people(self):
        """Prefetch the units and the open postings with their people, for lists and cards."""
        return self.select_related("parent").prefetch_related(
            models.Prefetch(
                "station_units",
                queryset=StationUnit.objects.select_related("unit").order_by("role", "unit__name"),
            ),
            models.Prefetch(
                "postings",
                queryset=Posting.objects.current().select_related("person", "home_unit").order_by(
                    "role", "start_date", "pk"
                ),
                to_attr="current_postings",
            ),
        )


class Station(models.Model):
    """A team the bureau runs, of any kind in DESIGN §2."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("short code"),
        max_length=20,
        unique=True,
        validators=[code_validator],
        help_text=_("Used in imports and file names, e.g. SH or KS."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StationKind.choices)
    home_city = models.CharField(
        _("home city"), max_length=50, blank=True, help_text=_("Leave empty for a hub named after a region.")
    )
    radiates_to = models.JSONField(_("cities it radiates to"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent hub"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
    )
    units = models.ManyToManyField(Unit, through="StationUnit", related_name="stations", verbose_name=_("units"))
    focus_industries = models.JSONField(_("focus industries"), default=list, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = StationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(opened_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="station_closed_after_opened",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="station_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stations:detail", args=[self.pk])

    @property
    def cities_display(self):
        """The home city and the cities it radiates to, as one line: 福州（辐射厦门）."""
        city = self.home_city or self.region
        if self.radiates_to:
            return gettext("%(city)s (radiates to %(cities)s)") % {"city": city, "cities": "、".join(self.radiates_to)}
        return city


class StationUnitRole(models.TextChoices):
    FORMING = "forming", _("Forming unit")
    LEAD = "lead", _("Lead unit")


class StationUnit(models.Model):
    """A unit that forms or leads a team; several units may form one team."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="station_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="station_units")
    role = models.CharField(_("role"), max_length=10, choices=StationUnitRole.choices, default=StationUnitRole.FORMING)

    history = HistoricalRecords()

    class Meta:
        ordering = ["station", "role", "unit__name"]
        verbose_name = _("team unit")
        verbose_name_plural = _("team units")
        constraints = [models.UniqueConstraint(fields=["station", "unit"], name="station_unit_once")]

    def __str__(self):
        return f"{self.station} · {self.unit} ({self.get_role_display()})"

    def get_absolute_url(self):
        return self.station.get_absolute_url()


class StaffCategory(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", _("Civil servant")
    MANAGED_AS_CIVIL_SERVANT = "managed", _("Managed as civil servant")
    PUBLIC_INSTITUTION = "institution", _("Public institution staff")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate")
    MASTER = "master", _("Master's degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    COLLEGE = "college", _("College (dazhuan)")
    SECONDARY_VOCATIONAL = "vocational", _("Secondary vocational (zhongzhuan)")
    HIGH_SCHOOL = "high_school", _("High school or below")


class PersonQuerySet(models.QuerySet):
    def with_current_postings(self):
        return self.select_related("home_unit", "user").prefetch_related(
            models.Prefetch(
                "postings",
                queryset=Posting.objects.current().select_related("station"),
                to_attr="current_postings",
            )
        )


class Person(models.Model):
    """Someone the bureau posts, or who works with the system; may or may not have a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    rank = models.CharField(_("rank or post"), max_length=50, blank=True, help_text=_("e.g. 副局长, 四级主任科员"))
    is_leadership_member = models.BooleanField(_("member of the unit's leadership"), default=False)
    staff_category = models.CharField(_("staff category"), max_length=20, choices=StaffCategory.choices, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    home_unit = models.ForeignKey(
        Unit, verbose_name=_("home unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stations:person_detail", args=[self.pk])


class PostingRole(models.TextChoices):
    CHIEF = "chief", _("Chief")
    STAFF = "staff", _("Staff")


class PostingQuerySet(models.QuerySet):
    def current(self):
        """Postings not yet ended: `ended_on` is set only when a posting is actually ended."""
        return self.filter(ended_on__isnull=True)

    def active(self, today=None):
        """Current postings that have started: these give access to a team."""
        return self.current().filter(start_date__lte=today or timezone.localdate())

    def covering(self, date):
        """Postings that ran on `date`, whether or not they have ended since (unlike `active`,
        which gives access now): what a record about that day, such as a spot check, is about."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=date), start_date__lte=date)

    def chiefs(self):
        return self.filter(role=PostingRole.CHIEF)


class Posting(models.Model):
    """A person's assignment to a team: role, title, home unit, term and appointment certificate.

    `term_end` is the planned end of the term; `ended_on` is the day the posting actually ended
    and is what makes a posting current or not. The database allows one current chief per team
    and one current posting of a person in a team; team size is not limited.
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="postings")
    station = models.ForeignKey(Station, verbose_name=_("team"), on_delete=models.PROTECT, related_name="postings")
    role = models.CharField(_("role"), max_length=10, choices=PostingRole.choices)
    title = models.CharField(_("title"), max_length=30, help_text=_("As the policy profile names it: 主任, 局长, 组长 …"))
    home_unit = models.ForeignKey(
        Unit, verbose_name=_("home unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="postings"
    )
    start_date = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    certificate_no = models.CharField(_("appointment certificate number"), max_length=50, blank=True)
    certificate_date = models.DateField(_("appointment certificate date"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)

    objects = PostingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["station", "role", "start_date", "pk"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.UniqueConstraint(
                fields=["station"],
                condition=Q(role="chief", ended_on__isnull=True),
                name="posting_one_current_chief_per_station",
                violation_error_message=_("This team already has a chief; end that posting first."),
            ),
            models.UniqueConstraint(
                fields=["person", "station"],
                condition=Q(ended_on__isnull=True),
                name="posting_one_current_per_person_and_station",
                violation_error_message=_("This person is already posted to this team."),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("start_date")),
                name="posting_term_end_after_start",
                violation_error_message=_("The term cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_date")),
                name="posting_ended_after_start",
                violation_error_message=_("A posting cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["station", "ended_on"], name="posting_station_ended")]

    def __str__(self):
        return f"{self.person} · {self.station} · {self.title}"

    def get_absolute_url(self):
        return reverse("stations:posting_update", args=[self.pk])

    @property
    def is_current(self):
        return self.ended_on is None

    def days_to_term_end(self, today=None):
        if self.term_end is None:
            return None
        return (self.term_end - (today or timezone.localdate())).days
