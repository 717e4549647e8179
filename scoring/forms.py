"""Forms of scoring. They validate input; `scoring.findings` does the writing and the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.forms import DateInput, _helper
from stations.models import Person, Station
from stations.widgets import FastSelect, TeamSelect

from .models import FindingKind


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.home_unit}" if obj.home_unit_id else obj.name


class FindingForm(forms.Form):
    station = forms.ModelChoiceField(label=_("team"), queryset=Station.objects.none(), widget=TeamSelect)
    person = PersonChoiceField(label=_("person"), queryset=Person.objects.none(), required=False,
                               empty_label=_("The whole team"),
                               help_text=_("Someone posted to the team on the day of the finding."),
                               widget=FastSelect)
    kind = forms.ChoiceField(label=_("finding"), choices=FindingKind.choices, widget=forms.RadioSelect)
    date = forms.DateField(label=_("date"), widget=DateInput())
    description = forms.CharField(label=_("what was found"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, stations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["person"].queryset = people
        self.helper = _helper(_("Record the finding"))


class FindingFilterForm(forms.Form):
    """The list's filters; a value outside the user's scope is simply not applied."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
    station = forms.ModelChoiceField(label=_("team"), queryset=Station.objects.none(), required=False,
                                     empty_label=_("All teams"), widget=TeamSelect)
    kind = forms.ChoiceField(label=_("finding"), choices=[("", _("All kinds")), *FindingKind.choices],
                             required=False)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        filters = {"date__year": data.get("year"), "station": data.get("station"), "kind": data.get("kind")}
        return {key: value for key, value in filters.items() if value}
