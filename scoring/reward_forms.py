"""Forms of rewards: they check the input; `scoring.rewards` does the writing."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Person, Unit
from stations.widgets import FastSelect, UnitSelect

from .reward_models import AWARD_KINDS, RewardKind


class AwardForm(forms.Form):
    """A collective, single-item or individual award proposed by the bureau (seed 003)."""

    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("kind"), choices=[(kind, RewardKind(kind).label) for kind in AWARD_KINDS],
                             widget=forms.RadioSelect)
    recipient_person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none(), required=False,
                                              widget=FastSelect)
    recipient_unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False,
                                            widget=UnitSelect)
    recipient_name = forms.CharField(
        label=_("recipient"), max_length=100, required=False,
        help_text=_("For a group or someone without a record here; empty: the person or unit chosen."))
    recipient_org = forms.CharField(label=_("recipient's unit"), max_length=100, required=False)
    amount = forms.DecimalField(label=_("amount (元)"), max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    explanation = forms.CharField(label=_("what it is for"), widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=2000)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_person"].queryset = people
        self.fields["recipient_unit"].queryset = Unit.objects.active()
        self.fields["year"].initial = timezone.localdate().year
