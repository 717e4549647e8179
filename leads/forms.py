"""Forms of the `leads` app. People think in 万元: money fields are entered in 万元 and stored in 元."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.forms import DateInput, ListField
from stations.models import Person, Station, Unit
from stations.widgets import FastSelect, FastSelectMultiple, TeamSelect, UnitSelect

from .models import (
    Category,
    Contact,
    Enterprise,
    EnterpriseTier,
    ExecutiveRank,
    Industry,
    Lead,
    MeetingDecision,
    Origin,
    Source,
    Stage,
    validate_credit_code,
)

WAN = Decimal("10000")


class WanField(forms.DecimalField):
    """An amount typed in 万元 (up to 4 decimals, i.e. whole 元), cleaned to 元."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(min_value=Decimal("0"), max_digits=14, decimal_places=4, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # a stored amount in 元; typed text passes through
            return (value / WAN).normalize()
        return value

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else (value * WAN).quantize(Decimal("0.01"))


class LeadForm(forms.Form):
    """File or edit a lead. The first group is all a chief needs on a phone."""

    title = forms.CharField(label=_("Project name"), max_length=200)
    enterprise_name = forms.CharField(label=_("Enterprise"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    total_investment = WanField(label=_("Total investment (万元)"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.INDUSTRIAL)
    investor_name = forms.CharField(label=_("Investor's contact person"), max_length=100, required=False)
    investor_phone = forms.CharField(label=_("Their phone or WeChat"), max_length=100, required=False)
    content = forms.CharField(label=_("Project content"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    # More detail: optional at filing, needed for a complete lead.
    fixed_asset_investment = WanField(label=_("Fixed-asset investment (万元)"))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.STATION)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    origin = forms.ChoiceField(label=_("Origin"), choices=Origin.choices, initial=Origin.DOMESTIC)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    exchange_rate = forms.DecimalField(label=_("Exchange rate to CNY"), max_digits=12, decimal_places=6,
                                       required=False, min_value=Decimal("0.000001"))
    exchange_rate_date = forms.DateField(label=_("Exchange rate date"), required=False, widget=DateInput())
    land_mu = forms.DecimalField(label=_("Land needed (mu)"), max_digits=10, decimal_places=2, min_value=0,
                                 required=False)
    factory_sqm = forms.DecimalField(label=_("Factory space needed (m²)"), max_digits=12, decimal_places=2,
                                     min_value=0, required=False)
    utilities = forms.CharField(label=_("Utilities needed"), max_length=200, required=False)
    policy_needs = forms.CharField(label=_("Policy support asked for"), max_length=200, required=False)
    requirements_note = forms.CharField(label=_("Other requirements"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    first_provider_name = forms.CharField(
        label=_("First provider, if not you"), max_length=100, required=False,
        help_text=_("An outside person who brought the lead (all-staff promotion: anyone may)."))
    first_provider_unit = forms.CharField(label=_("Their unit"), max_length=100, required=False)
    tags = ListField(label=_("Tags"), required=False, max_length=200)
    previous_phase = forms.ModelChoiceField(
        label=_("Earlier lead (for a capital increase or a later phase)"), queryset=Lead.objects.none(),
        required=False, help_text=_("This lead counts only its own amount."), widget=FastSelect)

    def __init__(self, *args, previous_phases=None, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        if previous_phases is not None:
            self.fields["previous_phase"].queryset = previous_phases
        else:
            del self.fields["previous_phase"]
        # After screening what the lead is and who brought it are shown, not edited.
        for name in locked:
            if name in self.fields:
                self.fields[name].disabled = True
        if "enterprise" in locked:
            self.fields["enterprise_name"].disabled = self.fields["credit_code"].disabled = True

    QUICK = ("title", "enterprise_name", "credit_code", "total_investment", "category", "investor_name",
             "investor_phone", "content")

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        if code:
            validate_credit_code(code)
        return code

    def quick_fields(self):
        return [self[name] for name in self.QUICK]

    def detail_fields(self):
        return [self[name] for name in self.fields if name not in self.QUICK]

    @classmethod
    def initial_for(cls, lead: Lead) -> dict:
        initial = {name: getattr(lead, name) for name in cls.base_fields if hasattr(lead, name)}
        initial["enterprise_name"] = lead.enterprise.name if lead.enterprise_id else ""
        initial["credit_code"] = lead.enterprise.credit_code if lead.enterprise_id else ""
        initial["tags"] = [tag.name for tag in lead.tags.all()]
        initial["previous_phase"] = lead.previous_phase_id
        return initial


class MoveForm(forms.Form):
    """Move a lead on, with the facts the new stage needs (the service says which are missing)."""

    to_stage = forms.ChoiceField(label=_("Move to"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence (file)"), required=False)
    review_site = forms.CharField(label=_("Site"), max_length=200, required=False)
    review_land_utilities = forms.CharField(label=_("Land and utilities"), max_length=200, required=False)
    review_policy = forms.CharField(label=_("Policy support"), max_length=200, required=False)
    review_leader = forms.CharField(label=_("Leader in charge who reviewed"), max_length=100, required=False)
    signed_on = forms.DateField(label=_("Contract signed on"), required=False, widget=DateInput())
    contract_amount = WanField(label=_("Contract amount (万元)"))
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DateInput())
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DateInput())
    production_on = forms.DateField(label=_("In production on"), required=False, widget=DateInput())
    actual_fixed_asset_investment = WanField(label=_("Actual fixed-asset investment (万元)"))
    lost_reason = forms.CharField(label=_("Reason lost"), max_length=200, required=False)
    lost_poor_service = forms.TypedChoiceField(
        label=_("Lost through poor service?"), required=False, empty_value=None,
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes",
    )

    FACTS = ("review_site", "review_land_utilities", "review_policy", "review_leader",
             "signed_on", "contract_amount", "started_on", "completed_on", "production_on",
             "actual_fixed_asset_investment", "lost_reason", "lost_poor_service")

    def __init__(self, *args, moves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(stage, Stage(stage).label) for stage in moves]

    def facts(self):
        """The facts typed in (empty ones left out, so that the lead's own values count)."""
        return {name: self.cleaned_data[name] for name in self.FACTS
                if self.cleaned_data.get(name) not in (None, "")}


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    attendees = forms.ModelMultipleChoiceField(label=_("Attending departments"), queryset=Unit.objects.active(),
                                               required=False, widget=FastSelectMultiple)
    note = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=Lead.objects.none(), widget=FastSelect)
    decision = forms.ChoiceField(label=_("Decision"), choices=MeetingDecision.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    transfer_to = forms.ModelChoiceField(label=_("Transfer to"), queryset=Unit.objects.none(), required=False,
                                         widget=UnitSelect)
    follower = forms.CharField(label=_("Follower"), max_length=100, required=False)

    def __init__(self, *args, queue, **kwargs):
        from .services import TRANSFER_UNIT_KINDS

        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = queue
        self.fields["transfer_to"].queryset = Unit.objects.active().filter(kind__in=TRANSFER_UNIT_KINDS)


class DuplicateForm(forms.Form):
    original = forms.ModelChoiceField(label=_("Duplicate of"), queryset=Lead.objects.none(), required=False,
                                      help_text=_("Leave empty if it is a different project."),
                                      widget=FastSelect)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original"].queryset = candidates


class ReassignForm(forms.Form):
    station = forms.ModelChoiceField(label=_("Team"), queryset=Station.objects.none(), widget=TeamSelect)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class InvestorVisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    executive_name = forms.CharField(label=_("Executive"), max_length=100)
    rank = forms.ChoiceField(label=_("Executive's rank"), choices=ExecutiveRank.choices)
    departments = forms.CharField(label=_("Departments that took part"), max_length=200, required=False)
    received_by_leader = forms.BooleanField(label=_("Received by the district leader in charge"), required=False)
    real_intent = forms.BooleanField(label=_("Real intent to invest"), required=False)


class FundsForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = WanField(label=_("Amount (万元)"), required=True)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    exchange_rate = forms.DecimalField(label=_("Exchange rate to CNY"), max_digits=12, decimal_places=6,
                                       required=False, min_value=Decimal("0.000001"))
    evidence = forms.FileField(label=_("Evidence (file)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Ledger (.xlsx)"))
    station = forms.ModelChoiceField(label=_("Team (when the file has no team column)"),
                                     queryset=Station.objects.none(), required=False, widget=TeamSelect)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class ContactForm(forms.Form):
    enterprise_name = forms.CharField(label=_("Enterprise"), max_length=200)
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=50, required=False)
    rank = forms.CharField(label=_("Rank"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=50, required=False)


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    contact = forms.ModelChoiceField(label=_("Met (from the contact book)"), queryset=Contact.objects.none(),
                                     required=False, widget=FastSelect)
    enterprise_name = forms.CharField(label=_("Or the enterprise"), max_length=200, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    visitors = forms.ModelMultipleChoiceField(label=_("Who went"), queryset=Person.objects.none(), required=False,
                                              widget=FastSelectMultiple)
    new_investor = forms.BooleanField(label=_("First meeting with this investor"), required=False)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(station=station).select_related("enterprise")
        self.fields["visitors"].queryset = Person.objects.filter(
            postings__station=station, postings__ended_on__isnull=True).distinct()

    def clean(self):
        data = super().clean()
        if not data.get("contact") and not (data.get("enterprise_name") or "").strip():
            self.add_error("enterprise_name", _("Choose a contact or name the enterprise."))
        return data


class DetermineForm(forms.Form):
    introducer_unit = forms.ModelChoiceField(label=_("Introducing unit"), queryset=Unit.objects.active(),
                                             required=False, widget=UnitSelect)
    introducer_person = forms.CharField(label=_("Introducing person"), max_length=100, required=False)
    service_unit = forms.ModelChoiceField(label=_("Service unit"), queryset=Unit.objects.active(), required=False,
                                          widget=UnitSelect)
    service_secretary = forms.CharField(label=_("Service secretary"), max_length=100, required=False)
    investor_name = forms.CharField(label=_("Investor"), max_length=100, required=False)


class FollowUpPlanForm(forms.Form):
    leader = forms.CharField(label=_("One leader"), max_length=100)
    department = forms.CharField(label=_("One department"), max_length=100)
    team = forms.CharField(label=_("One team"), max_length=100)
    wechat_group = forms.CharField(label=_("One WeChat group"), max_length=100)
    timeline = forms.CharField(label=_("One timeline"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnVisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    output_value = WanField(label=_("Output value (万元)"), required=True)
    tax = WanField(label=_("Tax paid (万元)"), required=True)


class EnterpriseForm(forms.ModelForm):
    tiers = forms.MultipleChoiceField(label=_("Tiers"), choices=EnterpriseTier.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "tiers", "industry", "city", "kind", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
