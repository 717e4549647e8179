"""Forms of the funding pages. They check shapes (a number, a date, a file given); the rules —
amounts, years, budgets, receipts' contents, who may — are the services' (`funding.claims`,
`funding.budgets`, `funding.ledger`, `funding.yearend`), shown on the form by
`stations.forms.apply_service_errors`."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.forms import DateInput, _helper
from stations.models import Event, Person, Unit
from stations.widgets import FastSelect, UnitSelect

from .ledger import team_units
from .models import EntryKind, ExpenseCategory

# Amounts are taken as text and parsed by `ledger.clean_amount`, which says what is wrong with
# "1,200" or "12.345" in the user's language (a DecimalField would refuse them less helpfully).
AMOUNT_HELP = _("In yuan, e.g. 1200.50.")


def amount_field(label=None):
    return forms.CharField(label=label or _("amount (yuan)"), max_length=30, help_text=AMOUNT_HELP,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (receipts); each is checked by `claims.check_receipt`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.ofd,.jpg,.jpeg,.png,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ClaimForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("date spent"), widget=DateInput())
    category = forms.ModelChoiceField(label=_("category"), queryset=ExpenseCategory.objects.filter(is_active=True))
    amount = amount_field()
    payee = forms.CharField(label=_("payee"), max_length=100)
    description = forms.CharField(label=_("what for"), max_length=300)
    invoice_number = forms.CharField(label=_("invoice number"), max_length=40, required=False,
                                     help_text=_("As printed on the invoice (发票号码); an invoice is claimed only once."))
    nights = forms.IntegerField(label=_("nights"), min_value=1, max_value=366, required=False,
                                help_text=_("For lodging."))
    days = forms.IntegerField(label=_("days at post"), min_value=1, max_value=366, required=False,
                              help_text=_("For meals."))
    city = forms.CharField(label=_("city"), max_length=50, required=False,
                           help_text=_("Where the night or the meals were; the team's city if empty."))
    event = forms.ModelChoiceField(label=_("large event"), queryset=Event.objects.none(), required=False,
                                   help_text=_("For a conference fee: the approved large event."))
    receipts = MultipleFileField(label=_("receipts"), required=False,
                                 help_text=_("PDF, OFD, JPG or PNG; a photo from the phone is fine."))

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(station=station, is_large=True).order_by("-date")
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.helper = _helper(_("File the claim"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


# Entries the bureau or finance record by hand; expenses come through claims, batches and lump
# sums from their own buttons (which apply their rules), reversals from an entry's own button,
# year-end entries from closing the year.
MANUAL_KINDS = [(kind.value, kind.label) for kind in (
    EntryKind.ALLOCATION, EntryKind.SELF_FUNDING, EntryKind.ADJUSTMENT)]


class EntryForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("kind"), choices=MANUAL_KINDS)
    date = forms.DateField(label=_("date"), widget=DateInput())
    amount = amount_field()
    category = forms.ModelChoiceField(label=_("category"), queryset=ExpenseCategory.objects.filter(is_active=True),
                                      required=False, help_text=_("Only for an adjustment of spending."))
    unit = forms.ModelChoiceField(label=_("contributing unit"), queryset=Unit.objects.none(), required=False,
                                  help_text=_("For self-funding: the home unit that paid in."),
                                  widget=UnitSelect)
    description = forms.CharField(label=_("description"), max_length=300, required=False)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False,
                             help_text=_("Required for an adjustment."))
    reference = forms.CharField(label=_("reference"), max_length=50, required=False)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        # The units that may self-fund the team (`ledger.team_units`), as the service checks.
        self.fields["unit"].queryset = team_units(station).filter(is_active=True).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.helper = _helper(_("Record"))


class DisburseForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("date"), widget=DateInput())
    amount = amount_field()
    month = forms.DateField(label=_("for the month"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            help_text=_("The month whose accepted report this batch rewards."))
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.helper = _helper(_("Release the batch"))


class YearForm(forms.Form):
    """The budget year a one-click action is for, sent with the button (never taken from the URL)."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, widget=forms.HiddenInput)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("month"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    travel = forms.BooleanField(required=False, widget=forms.HiddenInput,
                                help_text=_("The posted people's travel lump sum rather than the team's."))


class IncreaseForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    amount = amount_field(_("increase (yuan)"))
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.helper = _helper(_("Ask for the increase"))


class RecoveryForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none(), widget=FastSelect)
    amount = amount_field(_("to be recovered (yuan)"))
    basis = forms.CharField(label=_("basis of the determination"), max_length=300,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(postings__station=station).distinct().order_by("name")
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
        self.helper = _helper(_("Record"))
