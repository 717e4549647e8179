"""Forms of the `stations` app. They validate input; services do the writing."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Activity, Person, Posting, Station, StationKind, Unit, Whereabouts
from .widgets import FastSelectMultiple, TeamSelect

LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


class ListField(forms.CharField):
    """A list of short names typed as one line: 厦门、泉州 or 厦门, 泉州."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [item for item in LIST_SEPARATORS.split(value) if item]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper(label):
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-primary"))
    return helper


class StationForm(forms.ModelForm):
    radiates_to = ListField(label=_("cities it radiates to"), required=False, max_length=300)
    focus_industries = ListField(label=_("focus industries"), required=False, max_length=300)
    forming_units = forms.ModelMultipleChoiceField(
        label=_("forming units"), queryset=Unit.objects.active(), required=False,
        help_text=_("Several units may form one team."), widget=FastSelectMultiple,
    )
    lead_units = forms.ModelMultipleChoiceField(
        label=_("lead units"), queryset=Unit.objects.active(), required=False, widget=FastSelectMultiple,
    )

    class Meta:
        model = Station
        fields = [
            "name", "code", "kind", "home_city", "radiates_to", "region", "parent",
            "forming_units", "lead_units", "focus_industries", "opened_on", "closed_on", "is_active",
        ]
        widgets = {"opened_on": DateInput(), "closed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Station.objects.filter(kind=StationKind.HUB)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            links = list(self.instance.station_units.all())
            self.fields["forming_units"].initial = [link.unit_id for link in links if link.role == "forming"]
            self.fields["lead_units"].initial = [link.unit_id for link in links if link.role == "lead"]
        self.fields["parent"].queryset = parents
        self.helper = _helper(_("Save"))

    def clean(self):
        data = super().clean()
        both = set(data.get("forming_units") or ()) & set(data.get("lead_units") or ())
        if both:
            self.add_error("lead_units", _("A unit is either a forming unit or a lead unit, not both."))
        if data.get("kind") == StationKind.BRANCH and not data.get("parent") and Station.objects.filter(
            kind=StationKind.HUB
        ).exists():
            self.add_error("parent", _("Choose the hub this branch belongs to."))
        return data


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name", "phone", "rank", "is_leadership_member", "staff_category", "education", "birth_date", "home_unit",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_unit"].queryset = Unit.objects.active()
        self.helper = _helper(_("Save"))

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date and birth_date >= timezone.localdate():
            raise forms.ValidationError(_("The birth date must be in the past."))
        return birth_date


class PostingForm(forms.ModelForm):
    """Create or edit a posting; the person and team are fixed once the posting exists."""

    class Meta:
        model = Posting
        fields = [
            "person", "role", "title", "home_unit", "start_date", "term_end", "certificate_no", "certificate_date",
        ]
        widgets = {"start_date": DateInput(), "term_end": DateInput(), "certificate_date": DateInput()}

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        self.instance.station = station
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the title the active policy profile gives this role.")
        self.fields["home_unit"].queryset = Unit.objects.active()
        self.fields["home_unit"].help_text = _("Leave empty to use the person's own home unit.")
        if self.instance.pk:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = Person.objects.select_related("home_unit").order_by("name")
        self.helper = _helper(_("Save"))


class PostingEndForm(forms.Form):
    ended_on = forms.DateField(label=_("ended on"), widget=DateInput())
    end_reason = forms.CharField(label=_("reason for ending"), max_length=200)

    def __init__(self, *args, posting, **kwargs):
        super().__init__(*args, **kwargs)
        self.posting = posting
        self.helper = _helper(_("End posting"))

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.posting.start_date:
            raise forms.ValidationError(_("A posting cannot end before it starts."))
        return ended_on


class WorkLogForm(forms.Form):
    """Today's log in a few taps: where, and what was done."""

    station = forms.ModelChoiceField(label=_("team"), queryset=Station.objects.none(), empty_label=None,
                                     widget=TeamSelect)
    date = forms.DateField(label=_("date"), widget=DateInput())
    whereabouts = forms.ChoiceField(label=_("where"), choices=Whereabouts.choices, widget=forms.RadioSelect)
    activity_kinds = forms.MultipleChoiceField(label=_("kinds of work"), choices=Activity.choices, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    activities = forms.CharField(label=_("what was done"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if stations.count() == 1:
            self.fields["station"].widget = forms.HiddenInput()


def apply_service_errors(form, error):
    """Show a service's ValidationError on the form (field errors where the field exists)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
