"""Forms of station duty: leave, checks, events, reports, the dispatch meeting, accountability."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import DateInput, _helper
from .models import (
    AbsenceKind,
    AccountabilityKind,
    ApprovalActor,
    CheckMethod,
    CheckResult,
    EventRole,
    Person,
    ReportKind,
    ReviewOutcome,
    Station,
)
from .widgets import FastSelect, TeamSelect


class AbsenceForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none(), empty_label=None,
                                    widget=FastSelect)
    station = forms.ModelChoiceField(label=_("team"), queryset=Station.objects.none(), empty_label=None,
                                     widget=TeamSelect)
    kind = forms.ChoiceField(label=_("kind"), choices=AbsenceKind.choices, widget=forms.RadioSelect)
    start_date = forms.DateField(label=_("first day"), widget=DateInput())
    end_date = forms.DateField(label=_("last day"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)
    serving = forms.CharField(label=_("investing company served"), max_length=200, required=False,
                              help_text=_("For home service: the company and what it needs."))

    def __init__(self, *args, people, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["station"].queryset = stations
        if stations.count() == 1:
            self.fields["station"].widget = forms.HiddenInput()
        self.helper = _helper(_("Send for approval"))

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The last day cannot be before the first."))
        if data.get("kind") == AbsenceKind.HOME_SERVICE and not data.get("serving", "").strip():
            self.add_error("serving", _("Name the investing company served at home."))
        return data


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("decision"), coerce=lambda value: value == "yes",
                                     choices=[("yes", _("Approve")), ("no", _("Refuse"))], widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record decision"))


class SpotCheckForm(forms.Form):
    posting = forms.ChoiceField(label=_("person"))
    date = forms.DateField(label=_("date"), widget=DateInput())
    method = forms.ChoiceField(label=_("method"), choices=CheckMethod.choices)
    result = forms.ChoiceField(label=_("result"), choices=CheckResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, postings, **kwargs):
        super().__init__(*args, **kwargs)
        self.postings = {str(posting.pk): posting for posting in postings}
        self.fields["posting"].choices = [(key, _("%(team)s · %(person)s (posted until %(date)s)") % {
            "team": posting.station.name, "person": posting.person.name, "date": posting.ended_on}
            if posting.ended_on else f"{posting.station.name} · {posting.person.name}")
            for key, posting in self.postings.items()]
        self.helper = _helper(_("Record check"))

    def clean_posting(self):
        return self.postings[self.cleaned_data["posting"]]


class PlanDrawForm(forms.Form):
    count = forms.IntegerField(label=_("people to draw"), min_value=1, max_value=200, initial=3)


class EventForm(forms.Form):
    title = forms.CharField(label=_("event"), max_length=200)
    date = forms.DateField(label=_("date"), widget=DateInput())
    place = forms.CharField(label=_("place"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("the team"), choices=EventRole.choices, widget=forms.RadioSelect)
    city_required = forms.BooleanField(label=_("an event the city requires"), required=False)
    invited_enterprises = forms.IntegerField(label=_("invited enterprises"), min_value=0, max_value=10000, initial=0)
    is_large = forms.BooleanField(label=_("large event (needs approval in advance)"), required=False)
    station = forms.ModelChoiceField(label=_("team"), queryset=Station.objects.none(), empty_label=None,
                                     widget=TeamSelect)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if stations.count() == 1:
            self.fields["station"].widget = forms.HiddenInput()
        self.helper = _helper(_("Save"))


class EventOutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    attended_enterprises = forms.IntegerField(label=_("enterprises that came"), min_value=0, max_value=10000,
                                              required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save outcome"))


class ReportOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ReportKind.choices)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("month, quarter or half"), min_value=1, max_value=12, initial=1,
                                help_text=_("Month 1–12 for a monthly report, quarter 1–4, half 1–2; ignored otherwise."))
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        limits = {ReportKind.MONTHLY: 12, ReportKind.QUARTERLY: 4, ReportKind.HALF_YEAR: 2}
        limit = limits.get(data.get("kind"))
        if limit and data.get("number") and data["number"] > limit:
            self.add_error("number", _("There is no period %(number)s for this kind of report.")
                           % {"number": data["number"]})
        if data.get("kind") == ReportKind.RESEARCH and not data.get("title", "").strip():
            self.add_error("title", _("Give the research report a title."))
        return data


class ReportForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("heading", "title"), max_length=200, required=False)
    body = forms.CharField(label=_("the chief's account"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Comment on the figures: what went well, what is behind, what comes next."))
    attachment = forms.FileField(label=_("document"), required=False,
                                 help_text=_("PDF, OFD, Word, WPS or ODT; at most 20 MB."))

    def __init__(self, *args, with_file, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_file:
            del self.fields["attachment"]


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("decision"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required when returning: say what must change."))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == ReviewOutcome.RETURNED and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what must change when returning a report."))
        return data


class MeetingForm(forms.Form):
    month = forms.DateField(label=_("month reviewed"), widget=forms.DateInput(attrs={"type": "month"},
                                                                              format="%Y-%m"),
                            input_formats=["%Y-%m"])
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    place = forms.CharField(label=_("place"), max_length=100, required=False)
    chaired_by = forms.CharField(label=_("chaired by"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Create meeting"))


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 8}))


class TaskForm(forms.Form):
    station = forms.ModelChoiceField(label=_("team"), queryset=Station.objects.none(), widget=TeamSelect)
    description = forms.CharField(label=_("task"), max_length=300)
    due_date = forms.DateField(label=_("due"), required=False, widget=DateInput())

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class TaskDoneForm(forms.Form):
    report_back = forms.CharField(label=_("what was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AccountabilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("decision"), choices=())
    office = forms.ChoiceField(label=_("office"), choices=())
    decided_on = forms.DateField(label=_("decided on"), widget=DateInput())
    evidence = forms.CharField(label=_("evidence"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    warning_key = forms.CharField(label=_("answers warning"), max_length=120, required=False,
                                  widget=forms.HiddenInput())

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, AccountabilityKind(kind).label) for kind in offices]
        actors = sorted({actor for actors in offices.values() for actor in actors})
        self.fields["office"].choices = [(actor, ApprovalActor(actor).label) for actor in actors]
        self.fields["decided_on"].initial = timezone.localdate()
        self.helper = _helper(_("Record"))
